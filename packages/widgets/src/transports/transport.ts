/**
 * What WebChatService needs from a chat API. One file per transport implements it (today:
 * pureengage-v3-rest; GMS v2 and guest v2 sockets slot in the same way). Every method resolves with
 * the server's parsed response (the "AJAX Response Object" of seed 003) or throws a TransportError.
 */
export interface RawMessage {
  id?: string;
  index: string | number;
  type: string;
  utcTime?: string | number;
  from?: { participantId?: string; type?: string; nickname?: string; firstName?: string };
  text?: string;
  url?: string;
  content?: { type?: string; mime?: string; url?: string; name?: string; size?: number }[];
  event?: string;
  data?: Record<string, any>;
  [k: string]: unknown;
}

export interface ReadResult {
  messages: RawMessage[];
  chatEnded: boolean;
  response: any;
}

export interface StartInfo {
  nickname?: string;
  firstname?: string;
  lastname?: string;
  email?: string;
  subject?: string;
  userData: Record<string, unknown>;
  async: boolean;
}

/** What the page stores to restore a session (getSessionData). */
export type SessionData = Record<string, any>;

export interface Transport {
  /** Capabilities: a missing one makes the command reject with seed 003's "This transport doesn't support ..." text. */
  readonly can: { poll: boolean; customNotice: boolean; userData: boolean; files: boolean; history: boolean };
  start(info: StartInfo): Promise<{ session: SessionData; response: any }>;
  /** Adopts stored session data (page reload / async restore); resolves the session data to keep. */
  resume(data: SessionData): Promise<SessionData>;
  /** New messages after `after` (or after the server's cursor); long polls. */
  poll(after?: string): Promise<ReadResult>;
  /** Up to `count` messages before `before` (or the newest), in log order. */
  history(count: number, before?: string): Promise<ReadResult>;
  send(text: string): Promise<{ message?: RawMessage; response: any }>;
  customNotice?(text: string): Promise<any>;
  typing(started: boolean, text?: string): Promise<any>;
  updateUserData(data: Record<string, unknown>): Promise<any>;
  leave(): Promise<any>;
  upload(file: Blob, name?: string): Promise<{ message?: RawMessage; response: any }>;
  /** Absolute URL of a file link found in a message. */
  fileUrl(url: string): string;
  /** Cancels requests in flight (polls). */
  abort(): void;
}

export class TransportError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the server was not reached. */
    readonly httpStatus: number,
    /** Server error code (`INVALID_SESSION`, `UNAUTHORIZED`, ...), or NETWORK_ERROR / TIMEOUT. */
    readonly code: string,
    /** The parsed response body, as the command rejects with it. */
    readonly response: any,
  ) {
    super(message);
  }
}

export type TransportFactory = (config: Record<string, any>) => Transport;

const factories: Record<string, TransportFactory> = Object.create(null);

export function defineTransport(type: string, factory: TransportFactory): void {
  factories[type] = factory;
}

/** The transport for `webchat.transport`; an unknown type is a clear error. */
export function createTransport(config: Record<string, any>): Transport {
  const type = config.type ?? 'pureengage-v3-rest';
  const f = factories[type];
  if (!f) throw new Error(`Unknown webchat transport.type "${type}". Supported: ${Object.keys(factories).join(', ')}.`);
  return f(config);
}
