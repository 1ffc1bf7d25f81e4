import type { AgentClientFrame, AgentServerFrame } from '@parley/protocol';
import { backoffDelay } from './backoff.js';

/** The part of the browser WebSocket the connection uses (a fake one in tests). */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type ConnectionStatus = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'stopped' | 'unauthorized';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ConnectionOptions {
  url: string;
  /** The current bearer token (read on every (re)connect). */
  token: () => string | null;
  createSocket: (url: string) => SocketLike;
  /** The index to resume a session from: the last one the client holds. */
  resumeIndex: (sessionId: string) => string | null;
  onFrame: (frame: AgentServerFrame) => void;
  onStatus?: (status: ConnectionStatus) => void;
  /** The server refused the token (close code 4401). The connection stops. */
  onUnauthorized?: () => void;
  timers?: Timers;
  random?: () => number;
  /** No 'ready' within this long after opening: give up on this socket and retry. */
  readyTimeoutMs?: number;
  /** Nothing heard (not even a ping) for this long: the socket is dead, reconnect. */
  silenceTimeoutMs?: number;
}

export const UNAUTHORIZED_CLOSE = 4401;

/**
 * The realtime link to /agent/v1/events: authenticates, (re)subscribes the open sessions from the
 * last index held (so a resume has no gap, and the transcript drops duplicates by id), and reconnects
 * with backoff after any drop. Pure logic over a SocketLike: no DOM.
 */
export class RealtimeConnection {
  status: ConnectionStatus = 'idle';
  private socket: SocketLike | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private readyTimer: unknown = null;
  private silenceTimer: unknown = null;
  private readonly subscriptions = new Set<string>();
  private readonly timers: Timers;

  constructor(private readonly opts: ConnectionOptions) {
    this.timers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) };
  }

  get sessions(): string[] {
    return [...this.subscriptions];
  }

  start(): void {
    if (this.status !== 'idle' && this.status !== 'stopped' && this.status !== 'unauthorized') return;
    this.attempt = 0;
    this.open('connecting');
  }

  stop(): void {
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      detach(s);
      try {
        s.close(1000, 'bye');
      } catch {
        /* already closed */
      }
    }
    this.setStatus('stopped');
  }

  subscribe(sessionId: string): void {
    const isNew = !this.subscriptions.has(sessionId);
    this.subscriptions.add(sessionId);
    if (isNew && this.status === 'ready') this.sendSubscribe(sessionId);
  }

  unsubscribe(sessionId: string): void {
    if (!this.subscriptions.delete(sessionId)) return;
    if (this.status === 'ready') this.send({ type: 'unsubscribe', sessionId });
  }

  /** Drops the current socket and reconnects now (e.g. the browser came back online). */
  reconnectNow(): void {
    if (this.status === 'stopped' || this.status === 'unauthorized' || this.status === 'idle') return;
    if (this.status === 'ready' || this.status === 'connecting') return;
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open('reconnecting');
  }

  private open(status: 'connecting' | 'reconnecting'): void {
    this.setStatus(status);
    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(this.opts.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      const token = this.opts.token();
      if (!token) {
        this.unauthorized();
        return;
      }
      this.send({ type: 'auth', token });
      this.readyTimer = this.timers.setTimeout(() => this.drop(socket), this.opts.readyTimeoutMs ?? 10_000);
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.heard(socket);
      let frame: AgentServerFrame;
      try {
        frame = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (!frame || typeof frame !== 'object' || typeof (frame as { type?: unknown }).type !== 'string') return;
      if (frame.type === 'ready') {
        if (this.readyTimer !== null) this.timers.clearTimeout(this.readyTimer);
        this.readyTimer = null;
        this.attempt = 0;
        this.setStatus('ready');
        for (const id of this.subscriptions) this.sendSubscribe(id);
      }
      this.opts.onFrame(frame);
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      detach(socket);
      if (ev.code === UNAUTHORIZED_CLOSE) this.unauthorized();
      else this.scheduleRetry();
    };
    socket.onerror = () => {
      /* onclose follows */
    };
  }

  private heard(socket: SocketLike): void {
    if (this.silenceTimer !== null) this.timers.clearTimeout(this.silenceTimer);
    this.silenceTimer = this.timers.setTimeout(() => this.drop(socket), this.opts.silenceTimeoutMs ?? 50_000);
  }

  /** Gives up on a socket that is not answering, and reconnects. */
  private drop(socket: SocketLike): void {
    if (this.socket !== socket) return;
    this.socket = null;
    detach(socket);
    try {
      socket.close(4000, 'timeout');
    } catch {
      /* ignore */
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.clearTimers();
    if (this.status === 'stopped' || this.status === 'unauthorized') return;
    this.setStatus('reconnecting');
    const delay = backoffDelay(this.attempt, this.opts.random);
    this.attempt += 1;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.open('reconnecting');
    }, delay);
  }

  private unauthorized(): void {
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      detach(s);
      try {
        s.close(1000);
      } catch {
        /* ignore */
      }
    }
    this.setStatus('unauthorized');
    this.opts.onUnauthorized?.();
  }

  private sendSubscribe(sessionId: string): void {
    const after = this.opts.resumeIndex(sessionId);
    this.send(after ? { type: 'subscribe', sessionId, after } : { type: 'subscribe', sessionId });
  }

  private send(frame: AgentClientFrame): void {
    try {
      this.socket?.send(JSON.stringify(frame));
    } catch {
      /* the close handler reconnects */
    }
  }

  private clearTimers(): void {
    for (const key of ['retryTimer', 'readyTimer', 'silenceTimer'] as const) {
      if (this[key] !== null) this.timers.clearTimeout(this[key]);
      this[key] = null;
    }
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.opts.onStatus?.(status);
  }
}

function detach(s: SocketLike): void {
  s.onopen = s.onmessage = s.onclose = s.onerror = null;
}
