import { describe, expect, it } from 'vitest';
import type { AgentServerFrame } from '@parley/protocol';
import { backoffDelay, BACKOFF_MAX_MS, BACKOFF_MIN_MS } from './backoff.js';
import { RealtimeConnection, type ConnectionStatus, type SocketLike, type Timers } from './connection.js';

class FakeSocket implements SocketLike {
  sent: any[] = [];
  closed: { code?: number } | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number) {
    this.closed = { code };
  }
  // server side
  open() {
    this.onopen?.({});
  }
  frame(f: AgentServerFrame) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

class FakeTimers implements Timers {
  now = 0;
  private seq = 0;
  private pending = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number) {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(h: unknown) {
    this.pending.delete(h as number);
  }
  advance(ms: number) {
    const end = this.now + ms;
    for (;;) {
      const next = [...this.pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.pending.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = end;
  }
  get nextDelay(): number | null {
    const ats = [...this.pending.values()].map((t) => t.at - this.now);
    return ats.length ? Math.min(...ats) : null;
  }
}

function setup(opts: { token?: string | null; lastIndex?: Record<string, string> } = {}) {
  const sockets: FakeSocket[] = [];
  const frames: AgentServerFrame[] = [];
  const statuses: ConnectionStatus[] = [];
  let unauthorized = 0;
  const timers = new FakeTimers();
  const held: Record<string, string> = { ...(opts.lastIndex ?? {}) };
  const conn = new RealtimeConnection({
    url: 'ws://x/agent/v1/events',
    token: () => (opts.token === undefined ? 'tok' : opts.token),
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    resumeIndex: (id) => held[id] ?? null,
    onFrame: (f) => frames.push(f),
    onStatus: (s) => statuses.push(s),
    onUnauthorized: () => unauthorized++,
    timers,
    random: () => 0.5,
  });
  return { conn, sockets, frames, statuses, timers, held, unauthorized: () => unauthorized };
}

const ready: AgentServerFrame = { type: 'ready', account: { id: 'a', username: 'u', displayName: 'U', role: 'agent' } };

describe('backoff', () => {
  it('grows from 0.5 s to at most 5 s', () => {
    const delays = [0, 1, 2, 3, 4, 5, 10, 50].map((a) => backoffDelay(a, () => 1));
    expect(delays[0]).toBe(BACKOFF_MIN_MS);
    expect(delays[1]).toBe(1000);
    expect(delays.at(-1)).toBe(BACKOFF_MAX_MS);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]);
    for (const r of [0, 0.3, 0.99])
      for (let a = 0; a < 20; a++) {
        const d = backoffDelay(a, () => r);
        expect(d).toBeGreaterThanOrEqual(BACKOFF_MIN_MS);
        expect(d).toBeLessThanOrEqual(BACKOFF_MAX_MS);
      }
  });
});

describe('RealtimeConnection', () => {
  it('authenticates first, then subscribes the sessions it holds', () => {
    const t = setup({ lastIndex: { s1: '100-0' } });
    t.conn.subscribe('s1');
    t.conn.start();
    expect(t.statuses).toEqual(['connecting']);
    const s = t.sockets[0];
    s.open();
    expect(s.sent).toEqual([{ type: 'auth', token: 'tok' }]);
    s.frame(ready);
    expect(t.conn.status).toBe('ready');
    expect(s.sent.slice(1)).toEqual([{ type: 'subscribe', sessionId: 's1', after: '100-0' }]);
    t.conn.subscribe('s2');
    expect(s.sent.at(-1)).toEqual({ type: 'subscribe', sessionId: 's2' });
    t.conn.subscribe('s2');
    expect(s.sent).toHaveLength(3);
    t.conn.unsubscribe('s2');
    expect(s.sent.at(-1)).toEqual({ type: 'unsubscribe', sessionId: 's2' });
    expect(t.frames[0]).toEqual(ready);
  });

  it('after a drop: reconnecting, backoff, re-auth, re-subscribe from the last index now held', () => {
    const t = setup({ lastIndex: { s1: '100-0' } });
    t.conn.subscribe('s1');
    t.conn.start();
    t.sockets[0].open();
    t.sockets[0].frame(ready);
    t.held.s1 = '105-3';
    t.sockets[0].drop();
    expect(t.conn.status).toBe('reconnecting');
    expect(t.sockets).toHaveLength(1);
    expect(t.timers.nextDelay).toBe(backoffDelay(0, () => 0.5));
    t.timers.advance(BACKOFF_MIN_MS);
    expect(t.sockets).toHaveLength(2);
    // The second attempt fails before opening: the delay grows.
    t.sockets[1].drop();
    expect(t.timers.nextDelay).toBe(backoffDelay(1, () => 0.5));
    t.timers.advance(BACKOFF_MAX_MS);
    const s = t.sockets[2];
    s.open();
    s.frame(ready);
    expect(s.sent).toEqual([
      { type: 'auth', token: 'tok' },
      { type: 'subscribe', sessionId: 's1', after: '105-3' },
    ]);
    expect(t.statuses).toEqual(['connecting', 'ready', 'reconnecting', 'ready']);
    // Backoff starts again from the minimum after a good connection.
    s.drop();
    expect(t.timers.nextDelay).toBe(backoffDelay(0, () => 0.5));
  });

  it('close code 4401 stops and reports unauthorized; no reconnect', () => {
    const t = setup();
    t.conn.start();
    t.sockets[0].open();
    t.sockets[0].drop(4401);
    expect(t.conn.status).toBe('unauthorized');
    expect(t.unauthorized()).toBe(1);
    t.timers.advance(60_000);
    expect(t.sockets).toHaveLength(1);
  });

  it('close codes 1013 (try again later) and 1011 (server error) mean reconnecting with backoff, never unauthorized', () => {
    const t = setup();
    t.conn.start();
    for (const [i, code] of [1013, 1011].entries()) {
      t.sockets[i]!.open();
      t.sockets[i]!.drop(code);
      expect(t.conn.status).toBe('reconnecting');
      expect(t.timers.nextDelay).toBe(backoffDelay(i, () => 0.5));
      t.timers.advance(t.timers.nextDelay!);
    }
    expect(t.sockets).toHaveLength(3);
    t.sockets[2]!.open();
    t.sockets[2]!.frame(ready);
    expect(t.conn.status).toBe('ready');
    expect(t.unauthorized()).toBe(0);
  });

  it('no token: unauthorized without sending anything', () => {
    const t = setup({ token: null });
    t.conn.start();
    t.sockets[0].open();
    expect(t.sockets[0].sent).toEqual([]);
    expect(t.unauthorized()).toBe(1);
  });

  it('no ready in time, or silence (no ping), drops the socket and reconnects', () => {
    const t = setup();
    t.conn.start();
    t.sockets[0].open();
    t.timers.advance(10_000);
    expect(t.sockets[0].closed).not.toBeNull();
    expect(t.conn.status).toBe('reconnecting');
    t.timers.advance(BACKOFF_MAX_MS);
    const s = t.sockets[1];
    s.open();
    s.frame(ready);
    t.timers.advance(40_000);
    s.frame({ type: 'ping' });
    t.timers.advance(40_000);
    expect(t.conn.status).toBe('ready');
    t.timers.advance(20_000);
    expect(t.conn.status).toBe('reconnecting');
    expect(s.closed).not.toBeNull();
  });

  it('ignores frames of a replaced socket and junk frames; stop() ends everything', () => {
    const t = setup();
    t.conn.start();
    const old = t.sockets[0];
    old.open();
    old.frame(ready);
    const onmessage = old.onmessage!;
    old.drop();
    onmessage({ data: JSON.stringify({ type: 'message', sessionId: 'x', message: {} }) });
    expect(t.frames).toHaveLength(1);
    t.timers.advance(BACKOFF_MAX_MS);
    t.sockets[1].open();
    t.sockets[1].onmessage!({ data: 'not json' });
    t.sockets[1].onmessage!({ data: '42' });
    expect(t.frames).toHaveLength(1);
    t.conn.stop();
    expect(t.conn.status).toBe('stopped');
    t.timers.advance(60_000);
    expect(t.sockets).toHaveLength(2);
  });
});
