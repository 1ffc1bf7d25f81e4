export * from './model.js';
export * from './form-body.js';
export * from './consumer-v3.js';
export * from './safe-input.js';
export * from './agent-api.js';
export * from './workflow-api.js';
export * from './end-of-chat.js';
