import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Agent, AGENT, http, startServer, V3Customer, type Running } from '../helpers.js';

/** A socket that counts what it gets and how it ends. */
class Socket {
  frames: any[] = [];
  bytes = 0;
  readonly closed: Promise<number>;
  readonly ws: WebSocket;
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (d: Buffer) => {
      this.bytes += d.length;
      this.frames.push(JSON.parse(d.toString()));
    });
    this.closed = new Promise((r) => this.ws.on('close', (code) => r(code)));
  }
  opened() {
    return new Promise<void>((r, j) => {
      this.ws.once('open', () => r());
      this.ws.once('error', j);
    });
  }
  /** The close code, or -1 when the socket is still open after `ms`. */
  closeCode(ms = 5_000) {
    return Promise.race([this.closed, sleep(ms).then(() => -1)]);
  }
  send(f: unknown) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(f));
  }
  async until(pred: (frames: any[]) => boolean, ms = 5000) {
    const end = Date.now() + ms;
    while (!pred(this.frames)) {
      if (Date.now() > end) throw new Error(`timed out; frames: ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Finding 12: one socket cannot make the server send without bound, nor subscribe without bound. */
describe('WebSocket floods', () => {
  let srv: Running;
  let agent: Agent;
  let c: V3Customer;
  beforeAll(async () => {
    srv = await startServer();
    agent = await new Agent(srv.url).login();
    c = new V3Customer(srv.url);
    await c.start();
    await agent.acceptFor(c.sessionId);
    for (let i = 0; i < 30; i++) await c.send('Text', `message ${i} ${'x'.repeat(200)}`);
  });
  afterAll(() => srv.close());

  const agentSocket = async (token: string) => {
    const s = new Socket(`${srv.url.replace('http', 'ws')}/agent/v1/events`);
    await s.opened();
    s.send({ type: 'auth', token });
    await s.until((f) => f.some((x) => x.type === 'ready'));
    return s;
  };

  it('300 subscribe frames close the socket (1008) after a small burst, and the server stays responsive', async () => {
    const s = await agentSocket(agent.token);
    for (let i = 0; i < 300; i++) s.send({ type: 'subscribe', sessionId: c.sessionId });
    const started = Date.now();
    const health = await http(`${srv.url}/health`);
    expect(health.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await s.closeCode()).toBe(1008);
    // One replay of the log (~34 messages), not one per frame.
    expect(s.frames.filter((f) => f.type === 'message').length).toBeLessThan(80);
    expect(s.bytes).toBeLessThan(100_000);
  });

  it('a repeated subscribe does not replay the log again', async () => {
    const s = await agentSocket(agent.token);
    s.send({ type: 'subscribe', sessionId: c.sessionId });
    await s.until((f) => f.filter((x) => x.type === 'subscribed').length === 1 && f.filter((x) => x.type === 'message').length >= 30);
    const first = s.frames.filter((f) => f.type === 'message').length;
    s.send({ type: 'subscribe', sessionId: c.sessionId });
    await s.until((f) => f.filter((x) => x.type === 'subscribed').length === 2);
    await sleep(300);
    expect(s.frames.filter((f) => f.type === 'message').length).toBe(first);
    // Live messages still arrive, once.
    await c.send('Text', 'after the repeat');
    await s.until((f) => f.some((x) => x.type === 'message' && x.message.text === 'after the repeat'));
    await sleep(200);
    expect(s.frames.filter((f) => f.type === 'message' && f.message.text === 'after the repeat')).toHaveLength(1);
    s.ws.close();
  });

  it('a socket holds at most 50 subscriptions', async () => {
    const supervisor = await new Agent(srv.url, { username: 'supervisor', password: AGENT.password }).login();
    const ids: string[] = [];
    for (let i = 0; i < 51; i++) {
      const x = new V3Customer(srv.url);
      await x.start();
      ids.push(x.sessionId);
    }
    const s = await agentSocket(supervisor.token);
    for (const [n, id] of ids.entries()) {
      if (n > 0 && n % 20 === 0) await sleep(2_100);
      s.send({ type: 'subscribe', sessionId: id });
    }
    await s.until((f) => f.filter((x) => x.type === 'subscribed').length === 50 && f.some((x) => x.type === 'error'), 10_000);
    // Access checks finish in any order: which one is refused may vary, but exactly one is.
    await sleep(300);
    const errors = s.frames.filter((x) => x.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/at most 50 sessions/);
    expect(ids).toContain(errors[0].sessionId);
    expect(s.frames.filter((x) => x.type === 'subscribed')).toHaveLength(50);
    s.ws.close();
  });

  it('the guest chat stream closes a socket that floods it with pings', async () => {
    const created = await http(`${srv.url}/api/v2/webchat/guest/conversations`, { method: 'POST', json: { deploymentId: 'demo', memberInfo: { displayName: 'Pinger' } } });
    expect(created.status).toBe(200);
    const s = new Socket(created.body.eventStreamUri);
    await s.opened();
    for (let i = 0; i < 300; i++) s.send({ message: 'ping' });
    expect(await s.closeCode()).toBe(1008);
    expect(s.frames.filter((f) => f.eventBody?.message === 'pong').length).toBeLessThanOrEqual(41);
  });
});
