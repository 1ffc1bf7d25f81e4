import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Agent, startServer, V3Customer, type Running } from './helpers.js';

/** A WebSocket client that keeps every frame and lets the test wait for one. */
class EventClient {
  frames: any[] = [];
  private waiters: (() => void)[] = [];
  readonly ws: WebSocket;
  closed: { code: number } | null = null;
  constructor(url: string) {
    this.ws = new WebSocket(url.replace('http', 'ws') + '/agent/v1/events');
    this.ws.on('message', (d) => {
      this.frames.push(JSON.parse(d.toString()));
      this.waiters.splice(0).forEach((w) => w());
    });
    this.ws.on('close', (code) => {
      this.closed = { code };
      this.waiters.splice(0).forEach((w) => w());
    });
  }
  opened() {
    return new Promise<void>((r) => this.ws.once('open', () => r()));
  }
  send(f: unknown) {
    this.ws.send(JSON.stringify(f));
  }
  async until<T>(pred: (frames: any[]) => T | undefined | false, ms = 5000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = pred(this.frames);
      if (v) return v;
      if (Date.now() > end || this.closed) throw new Error(`timed out; frames: ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
  close() {
    this.ws.close();
  }
}

describe('agent realtime events (WebSocket)', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());

  it('refuses a bad token', async () => {
    const ws = new EventClient(srv.url);
    await ws.opened();
    ws.send({ type: 'auth', token: 'nope' });
    await new Promise((r) => ws.ws.once('close', r));
    expect(ws.closed?.code).toBe(4401);
  });

  it('pushes offers, streams a session, and resumes after a reconnect with no gap and no duplicate', async () => {
    const agent = await new Agent(srv.url).login();
    const ws = new EventClient(srv.url);
    await ws.opened();
    ws.send({ type: 'auth', token: agent.token });
    await ws.until((f) => f.find((x) => x.type === 'ready'));
    await agent.call('PUT', '/me/presence', { presence: 'Ready' });
    const c = new V3Customer(srv.url);
    await c.start();
    const offer = await ws.until((f) =>
      f
        .filter((x) => x.type === 'interactions')
        .flatMap((x) => x.interactions)
        .find((i: any) => i.sessionId === c.sessionId && i.state === 'Offered'),
    );
    expect(offer.customer.nickname).toBe('Jonny');
    await agent.call('POST', `/interactions/${offer.id}/accept`);
    ws.send({ type: 'subscribe', sessionId: c.sessionId });
    await c.send('Text', 'first');
    await c.send('TypingStarted');
    await ws.until((f) => f.find((x) => x.type === 'message' && x.message.text === 'first'));
    await ws.until((f) => f.find((x) => x.type === 'message' && x.message.type === 'TypingStarted'));
    const held = ws.frames.filter((x) => x.type === 'message').map((x) => x.message);
    ws.close();

    // While the agent is away, the customer writes.
    await c.send('Text', 'while you were away');
    await c.send('Text', 'still there?');
    const again = new EventClient(srv.url);
    await again.opened();
    again.send({ type: 'auth', token: agent.token });
    await again.until((f) => f.find((x) => x.type === 'ready'));
    again.send({ type: 'subscribe', sessionId: c.sessionId, after: held[held.length - 1].index });
    await again.until((f) => f.find((x) => x.type === 'message' && x.message.text === 'still there?'));
    await c.send('Text', 'live again');
    await again.until((f) => f.find((x) => x.type === 'message' && x.message.text === 'live again'));
    const resumed = again.frames.filter((x) => x.type === 'message').map((x) => x.message);
    const all = [...held, ...resumed];
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
    expect(resumed.map((m) => m.text).filter(Boolean)).toEqual(['while you were away', 'still there?', 'live again']);
    const nums = all.map((m) => Number(m.index.replace('-', '')));
    expect(nums).toEqual([...nums].sort((a, b) => a - b));
    again.close();
  });

  it('refuses to stream a session the agent has nothing to do with, and sends supervisors the overview', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const other = await new Agent(srv.url).login();
    await other.acceptFor(c.sessionId);
    const { createStaff } = await import('./helpers.js');
    const { staff } = await createStaff(srv.url, [{ username: 'outsider' }]);
    const ws = new EventClient(srv.url);
    await ws.opened();
    ws.send({ type: 'auth', token: staff[0]!.token });
    await ws.until((f) => f.find((x) => x.type === 'ready'));
    ws.send({ type: 'subscribe', sessionId: c.sessionId });
    const err = await ws.until((f) => f.find((x) => x.type === 'error'));
    expect(err.message).toBe('this session is not assigned to you');
    ws.close();

    const sup = await new Agent(srv.url, { username: 'supervisor', password: 'agent-pass-1' }).login();
    const sws = new EventClient(srv.url);
    await sws.opened();
    sws.send({ type: 'auth', token: sup.token });
    const overview = await sws.until((f) => f.find((x) => x.type === 'overview'));
    expect(overview.overview.sessions.some((s: any) => s.id === c.sessionId)).toBe(true);
    sws.close();
  });
});
