/**
 * The guest chat v2 event stream: a WebSocket at the create's `eventStreamUri`. Frames are queued
 * as they arrive and taken in order by the reader (`next()` waits for one). A dropped socket is
 * reported once (`down`) and reopened after 2 s; a socket silent for 75 s (no frame at all,
 * heartbeats included) is presumed dead and reopened; `open` marks each (re)connection. The v3
 * message stream (v3-message-stream.ts) reads its socket through the same class, `hello` being its
 * auth frame, sent as each socket opens.
 */
const RECONNECT_MS = 2000;
const SILENCE_MS = 75_000;

export type StreamItem = { k: 'frame'; f: Record<string, any> } | { k: 'open' } | { k: 'down' };

export class GuestEventStream {
  /** Opened for the current session (stop() closes it for good until the next open()). */
  opened = false;
  stopped = true;
  private ws: WebSocket | undefined;
  private reconnect: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private heard = 0;
  private queue: StreamItem[] = [];
  private wake: ((stop?: boolean) => void) | undefined;

  constructor(
    private readonly uri: () => unknown,
    private readonly hello?: () => string,
  ) {}

  /** Forgets what was queued (a new session). */
  reset(): void {
    this.opened = false;
    this.queue = [];
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Notes that a frame is being read now (the watchdog's clock). */
  heardNow(): void {
    this.heard = Date.now();
  }

  /** Puts an item back at the head of the queue (taken but not used). */
  unshift(item: StreamItem): void {
    this.queue.unshift(item);
  }

  /** The next item; undefined once stopped. */
  next(): Promise<StreamItem | undefined> {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return new Promise((resolve) => {
      this.wake = (halt) => {
        this.wake = undefined;
        resolve(halt ? undefined : this.queue.shift());
      };
    });
  }

  open(): void {
    this.opened = true;
    this.stopped = false;
    this.connect();
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => {
      if (this.ws && this.ws.readyState === 1 && Date.now() - this.heard > SILENCE_MS) this.dropped(this.ws);
    }, 5000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnect);
    clearInterval(this.watchdog);
    const sock = this.ws;
    this.ws = undefined;
    try {
      sock?.close();
    } catch {
      // already closed
    }
    this.wake?.(true);
  }

  private push(item: StreamItem): void {
    // one pending "down" is enough: it reports the outage (and a failed reopen) once
    if (item.k === 'down' && this.queue[this.queue.length - 1]?.k === 'down') return;
    this.queue.push(item);
    this.wake?.();
  }

  private connect(): void {
    clearTimeout(this.reconnect);
    this.reconnect = undefined;
    const uri = this.uri();
    if (this.stopped || this.ws || !uri) return;
    const WebSocketClass = (globalThis as any).WebSocket as typeof WebSocket | undefined;
    if (!WebSocketClass) return this.push({ k: 'down' });
    let sock: WebSocket;
    try {
      sock = new WebSocketClass(String(uri));
    } catch {
      this.push({ k: 'down' });
      this.reconnect = setTimeout(() => this.connect(), RECONNECT_MS);
      return;
    }
    this.ws = sock;
    this.heard = Date.now();
    sock.onopen = () => {
      this.heard = Date.now();
      if (this.hello) sock.send(this.hello());
      this.push({ k: 'open' });
    };
    sock.onmessage = (ev: MessageEvent) => {
      this.heard = Date.now();
      try {
        this.push({ k: 'frame', f: JSON.parse(String(ev.data)) });
      } catch {
        // not JSON: ignored
      }
    };
    sock.onclose = () => this.dropped(sock);
    sock.onerror = () => undefined;
  }

  /** The socket is gone (closed, or silent too long): say so once, and open a new one in 2 s. */
  private dropped(sock: WebSocket): void {
    if (this.ws !== sock) return;
    this.ws = undefined;
    sock.onclose = sock.onmessage = sock.onopen = null;
    try {
      sock.close();
    } catch {
      // already closed
    }
    if (this.stopped) return;
    this.push({ k: 'down' });
    this.reconnect = setTimeout(() => this.connect(), RECONNECT_MS);
  }
}
