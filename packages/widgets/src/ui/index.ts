/**
 * Entry of the WebChat UI. The build bundles it after the bus; it registers the `WebChat` plugin
 * on the global bus if there is one. `createWebChat(bus)` can also be called directly; a second
 * registration is a no-op (the bus refuses a taken name).
 */
import { createWebChat } from './webchat.js';

export { createWebChat };

const w = window as unknown as { CXBus?: Parameters<typeof createWebChat>[0]; _genesys?: { widgets?: { bus?: Parameters<typeof createWebChat>[0] } } };
const bus = w.CXBus ?? w._genesys?.widgets?.bus;
if (bus && typeof bus.registerPlugin === 'function') createWebChat(bus);
