// Side effect: registers WebChatService on window.CXBus (loaded before the UI, which commands it).
import type { CXBusApi } from '../bus/cxbus.js';
import { registerWebChatService } from '../service/webchat-service.js';

const bus = (globalThis as { CXBus?: CXBusApi }).CXBus;
if (bus?.registerPlugin) {
  registerWebChatService(bus);
  bus.loaded.push('webchat-service');
} else console.error('[Parley] window.CXBus is missing: load cxbus.min.js before this file.');
