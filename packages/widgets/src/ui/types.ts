/**
 * The parts of the bus (widgets-bus-api.md) the WebChat UI uses, as structural types, so the UI
 * depends only on the documented page-facing interface.
 */
export interface Deferredish {
  done(fn: (v: any) => void): unknown;
  fail(fn: (e: any) => void): unknown;
}

export interface CommandEvent {
  time: number;
  commander: string;
  command: string;
  deferred: { resolve(v?: unknown): void; reject(e?: unknown): void };
  data: any;
}

export interface BusEvent {
  time: number;
  publisher: string;
  event: string;
  data: any;
}

export interface PluginApi {
  registerCommand(name: string, fn: (e: CommandEvent) => void): unknown;
  registerEvents?(names: string[]): unknown;
  subscribe(event: string, fn: (e: BusEvent) => void): unknown;
  publish(event: string, data?: unknown): unknown;
  republish(event: string, data?: unknown): unknown;
  command(name: string, options?: unknown): Deferredish;
  ready(): unknown;
  data?(key: string, value?: unknown): unknown;
}

export interface BusLike {
  registerPlugin(name: string): PluginApi | false;
}

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
