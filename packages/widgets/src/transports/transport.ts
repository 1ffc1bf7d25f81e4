/**
 * What WebChatService needs from a chat API. One file per transport implements it: pureengage-v3-rest
 * (in the main bundle), purecloud-v2-sockets and GMS chat v2 (each in its own file, loaded on first
 * use; see index.ts). Every method resolves with the server's parsed response (the "AJAX Response
 * Object" of seed 003) or throws a TransportError.
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
  /**
   * poll() paces itself (GMS refresh every 0.5-3 s, a socket that resolves when frames arrive): the
   * service polls again at once instead of waiting `pollTimeout` after an empty answer.
   */
  readonly selfTimed?: boolean;
  /** `started`: the data WebChatService.started publishes (default `{data: session}`). */
  start(info: StartInfo): Promise<{ session: SessionData; response: any; started?: unknown }>;
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
  /** Cancels requests in flight (polls) and, for a socket, closes it. */
  abort(): void;
  /**
   * Parley's own requests around a chat (availability, leave a message, survey, transcript), with
   * the transport's keys; `{session}` in `path` is the current (or last) session. Chat API v3 only.
   */
  request?(method: string, path: string, body?: Record<string, unknown>, query?: Record<string, unknown>): Promise<any>;
}

class TransportErrorClass extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the server was not reached. */
    readonly httpStatus: number,
    /** Server error code (`INVALID_SESSION`, `UNAUTHORIZED`, ...), or NETWORK_ERROR / TIMEOUT / ABORTED. */
    readonly code: string,
    /** The parsed response body, as the command rejects with it. */
    readonly response: any,
  ) {
    super(message);
  }
}

/** The config of `webchat.transport`, and all of `webchat` (GMS reads `webchat.dataURL`, `apikey`, ...). */
export type TransportFactory = (config: Record<string, any>, webchat: Record<string, any>) => Transport;

/**
 * The registry and the error class live on a global so that a transport loaded later from its own
 * file (dist/transports/*.min.js) registers into, and throws errors of, the page's WebChatService.
 */
const shared: { f: Record<string, TransportFactory>; E: typeof TransportErrorClass } = ((globalThis as any).__parleyTransports ??= {
  f: Object.create(null),
  E: TransportErrorClass,
});

export const TransportError = shared.E;
export type TransportError = TransportErrorClass;

/**
 * A write that met no answer, or 502/503/504, is sent again with the same operationId after these
 * waits; `transport.writeRetryDelaysMs` (a Parley option) replaces them ([] for no retries).
 */
export const WRITE_RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 5_000];

/** The server did not get the request, or says it could not serve it now: it may be sent again as it is. */
export const retryableWrite = (e: unknown): boolean =>
  e instanceof TransportError && (e.code === 'NETWORK_ERROR' || e.code === 'TIMEOUT' || e.httpStatus === 502 || e.httpStatus === 503 || e.httpStatus === 504);

/** The waits before each retry of a write, from the transport config. */
export const writeRetryDelays = (config: Record<string, any> | undefined): number[] => (Array.isArray(config?.writeRetryDelaysMs) ? config.writeRetryDelaysMs : WRITE_RETRY_DELAYS_MS);

/** An id for one write, kept across its retries. */
export const newOperationId = (): string => globalThis.crypto?.randomUUID?.() ?? Date.now().toString(36) + '-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);

/** Chat API v3 (the default), Genesys Cloud guest chat v2, and GMS chat v2 (no type, `webchat.dataURL`). */
export const V3 = 'pureengage-v3-rest';
export const GUEST = 'purecloud-v2-sockets';
export const GMS = 'gms-chat-v2';

export function defineTransport(type: string, factory: TransportFactory): void {
  shared.f[type] = factory;
}

interface Lazy {
  can: Transport['can'];
  selfTimed?: boolean;
}
const lazy: Record<string, Lazy> = Object.create(null);

/** A transport kept in its own file, loaded on first use (see loadTransportFile). */
export function defineLazyTransport(type: string, info: Lazy): void {
  lazy[type] = info;
}

declare const PARLEY_TRANSPORTS_PATH: string | undefined;
// The widgets script's own URL, taken while it runs: transport files sit next to it.
const here = typeof document !== 'undefined' ? (document.currentScript as HTMLScriptElement | null)?.src : undefined;

/** URL of dist/transports/<type>.min.js, relative to the script this bundle came from. */
export function transportFileUrl(type: string): string {
  const dir = typeof PARLEY_TRANSPORTS_PATH === 'string' ? PARLEY_TRANSPORTS_PATH : 'transports/';
  return new URL(dir + type + '.min.js', here || (typeof location !== 'undefined' ? location.origin + '/widgets/' : 'http://localhost/widgets/')).href;
}

/** Loads a transport file with a script tag (replaceable, e.g. by tests). */
export let loadTransportFile = (type: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const el = document.createElement('script');
    el.src = transportFileUrl(type);
    el.async = true;
    el.onload = () => resolve();
    el.onerror = () => {
      el.remove();
      reject(new Error('could not load ' + el.src));
    };
    document.head.appendChild(el);
  });

export function setTransportLoader(fn: (type: string) => Promise<void>): void {
  loadTransportFile = fn;
}

/** A stand-in with the transport's capabilities that loads its file on the first call and delegates. */
function lazyTransport(type: string, info: Lazy, config: Record<string, any>, webchat: Record<string, any>): Transport {
  let impl: Transport | undefined;
  let loading: Promise<Transport> | undefined;
  const get = (): Promise<Transport> =>
    (loading ??= loadTransportFile(type).then(
      () => {
        const f = shared.f[type];
        if (!f) throw new Error(type + ' did not register');
        return (impl = f(config, webchat));
      },
      (err) => {
        loading = undefined;
        const message = 'The chat transport could not be loaded.';
        throw new TransportError(message, 0, 'NETWORK_ERROR', { status: { code: 'NETWORK_ERROR', message }, detail: String(err) });
      },
    ));
  const via =
    <K extends 'start' | 'resume' | 'poll' | 'history' | 'send' | 'typing' | 'updateUserData' | 'leave' | 'upload'>(k: K) =>
    async (...a: any[]): Promise<any> =>
      ((await get())[k] as (...x: any[]) => Promise<any>)(...a);
  return {
    can: info.can,
    selfTimed: info.selfTimed,
    start: via('start'),
    resume: via('resume'),
    poll: via('poll'),
    history: via('history'),
    send: via('send'),
    customNotice: info.can.customNotice ? async (text) => (await get()).customNotice!(text) : undefined,
    typing: via('typing'),
    updateUserData: via('updateUserData'),
    leave: via('leave'),
    upload: via('upload'),
    fileUrl: (u) => (impl ? impl.fileUrl(u) : u),
    abort: () => impl?.abort(),
  };
}

/**
 * The transport for `webchat.transport`, chosen as the Genesys client does: `transport.type`; without
 * one, `webchat.dataURL` means GMS chat v2; otherwise Chat API v3. An unknown type is a clear error.
 */
export function createTransport(config: Record<string, any>, webchat: Record<string, any> = {}): Transport {
  const type = config.type ?? (webchat.dataURL ? GMS : V3);
  // as the Genesys client fills in its defaults: page code may read webchat.transport (seed 000 does)
  if (webchat.dataURL && !webchat.transport) webchat.transport = config;
  const f = shared.f[type];
  if (f) return f(config, webchat);
  const l = lazy[type];
  if (l) return lazyTransport(type, l, config, webchat);
  const names = [...new Set([...Object.keys(shared.f), ...Object.keys(lazy)])].filter((n) => n !== GMS);
  throw new Error(`Unknown webchat transport.type "${type}". Supported: ${names.join(', ')} (or no type with webchat.dataURL for GMS chat v2).`);
}
