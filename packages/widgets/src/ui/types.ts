/** The bus types the WebChat UI uses (the Genesys Widgets bus API), and the message shape it renders. */
import type { CXBusApi, Plugin } from '../bus/cxbus.js';
export type { BusEvent, CommandEvent } from '../bus/cxbus.js';
export type { Deferred as Deferredish } from '../bus/deferred.js';

export type PluginApi = Plugin;
export type BusLike = Pick<CXBusApi, 'registerPlugin'>;

/** A normalised message as WebChatService.messageReceived carries it (plus tolerated extras). */
export interface UiMessage {
  type?: string;
  text?: string;
  index?: string | number;
  id?: string;
  timestamp?: string | number;
  from?: { name?: string; type?: string; participantId?: string };
  url?: string;
  content?: { type?: string; mime?: string; url?: string; name?: string; size?: number }[];
  [k: string]: unknown;
}
