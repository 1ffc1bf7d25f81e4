/**
 * The transports WebChatService knows. Chat API v3 is in the main bundle; the other two are built
 * into dist/transports/<type>.min.js and loaded on first use, so pages that don't use them don't pay
 * for them. Their capabilities are listed here because WebChatService needs them before the file is
 * loaded (commands a transport can't do reject at once with seed 003's texts).
 */
import { defineLazyTransport, GMS, GUEST } from './transport.js';
import './pureengage-v3-rest.js';

/** Genesys Cloud guest chat v2 (purecloud-v2-sockets.ts): REST + a WebSocket event stream. */
export const GUEST_CAN = { poll: false, customNotice: false, userData: false, files: false, history: true };
/** GMS chat v2 (gms-chat-v2.ts): form posts and `refresh` polling. */
export const GMS_CAN = { poll: true, customNotice: true, userData: true, files: true, history: true };

defineLazyTransport(GUEST, { can: GUEST_CAN, selfTimed: true });
defineLazyTransport(GMS, { can: GMS_CAN, selfTimed: true });
