/**
 * The v3 message stream (a Parley extension for Parley's SDK): the same messages as the long poll,
 * over a WebSocket, from the same delivery cursor or after the index the client names; the cursor
 * moves once a frame is written; switching between the socket and the long poll loses nothing and
 * shows nothing twice; authentication is the long poll's; the socket is bounded; idle, it costs
 * no store or Redis work.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Agent, API_KEY, http, opId, startServer, SteppedClock, V3, V3Customer, type Running } from './helpers.js';

const texts = (messages: any[]) => messages.filter((m) => m.type === 'Text').map((m) => m.text);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stream client: every frame it got, in order, and how it closed. */
class StreamClient {
  frames: any[] = [];
  closed: { code: number; reason: string } | null = null;
  readonly ws: WebSocket;
  private waiters: (() => void)[] = [];

  constructor(base: string, sessionId: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(`${base.replace('http', 'ws')}${V3}/${sessionId}/stream`, options);
    this.ws.on('message', (d) => {
      this.frames.push(JSON.parse(d.toString()));
      this.notify();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.notify();
    });
    this.ws.on('error', () => undefined);
  }

  static async open(base: string, c: V3Customer, index?: string): Promise<StreamClient> {
    const s = new StreamClient(base, c.sessionId);
    await s.opened();
    s.send({ type: 'auth', apiKey: c.apiKey, clientKey: c.token, ...(index ? { index } : {}) });
    await s.until(() => s.frames.some((f) => f.type === 'ready'));
    return s;
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_r, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  get messages(): any[] {
    return this.frames.filter((f) => f.type === 'messages').flatMap((f) => f.messages);
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(pred: () => boolean, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`stream condition not met; frames ${JSON.stringify(this.frames).slice(0, 800)}; closed ${JSON.stringify(this.closed)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  async closedWith(): Promise<number> {
    await this.until(() => this.closed !== null);
    return this.closed!.code;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.ws.close();
    return this.until(() => this.closed !== null);
  }
}

/** Parley's SDK: starts asking for the message stream. */
async function sdkStart(url: string, apiKey = API_KEY): Promise<{ customer: V3Customer; offer: string | undefined }> {
  const customer = new V3Customer(url, apiKey);
  const r = await http(`${url}${V3}`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'x-parley-extensions': 'message-stream' },
    form: { data: { nickname: 'Stream' }, operationId: opId() },
  });
  if (r.status !== 200) throw new Error(`start failed ${r.status}`);
  customer.token = r.body.data.clientToken;
  customer.sessionId = r.body.data.sessionId;
  customer.participantId = r.body.data.participantId;
  return { customer, offer: r.body.data.messageStream };
}

const agentSays = (agent: Agent, sessionId: string, text: string) => agent.call('POST', `/sessions/${sessionId}/messages`, { type: 'Text', text });

describe('v3 message stream', () => {
  let srv: Running;
  let agent: Agent;
  const sockets: StreamClient[] = [];
  beforeAll(async () => {
    srv = await startServer({ LONG_POLL_MS: '300', V3_STREAM_HEARTBEAT_MS: '200' }, undefined, { sweepEveryMs: 0 });
    agent = await new Agent(srv.url).login();
  });
  afterAll(() => srv.close());
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  const open = async (c: V3Customer, index?: string) => {
    const s = await StreamClient.open(srv.url, c, index);
    sockets.push(s);
    return s;
  };
  const raw = (sessionId: string, options?: WebSocket.ClientOptions) => {
    const s = new StreamClient(srv.url, sessionId, options);
    sockets.push(s);
    return s;
  };
  const connected = async () => {
    const { customer, offer } = await sdkStart(srv.url);
    await agent.acceptFor(customer.sessionId);
    return { customer, offer };
  };

  it('is offered only to a start that asks for it; the Genesys start answer keeps its fields', async () => {
    const { customer, offer } = await sdkStart(srv.url);
    expect(offer).toBe(`${V3}/${customer.sessionId}/stream`);
    const genesys = new V3Customer(srv.url);
    const plain = await genesys.start();
    expect(Object.keys(plain.body.data).sort()).toEqual(['async', 'clientToken', 'participantId', 'sessionId']);
    // The token says so too (a session restored from its token alone finds the stream); the Genesys one does not.
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims(customer.token).ext).toBe(1);
    expect(claims(genesys.token)).not.toHaveProperty('ext');
    // A restore (x-nexus-client-key) that asks gets it too.
    const restored = await http(`${srv.url}${V3}`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'x-nexus-client-key': customer.token, 'x-parley-extensions': 'message-stream' },
      form: { data: {}, operationId: opId() },
    });
    expect(restored.body.data).toMatchObject({ restored: true, messageStream: offer });
  });

  it('delivers in log order what the long poll would, each message once', async () => {
    const { customer } = await connected();
    const s = await open(customer);
    await s.until(() => s.messages.some((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent'));
    for (const t of ['one', 'two', 'three']) await agentSays(agent, customer.sessionId, t);
    await s.until(() => texts(s.messages).length === 3);
    expect(texts(s.messages)).toEqual(['one', 'two', 'three']);
    const indexes = s.messages.map((m) => m.index as string);
    expect(new Set(indexes).size).toBe(indexes.length);
    const nums = indexes.map((i) => Number(i.replace('-', '')));
    expect([...nums].sort((a, b) => a - b)).toEqual(nums);
    // The frames carry the v3 message shape and the long poll's fields.
    const frame = s.frames.find((f) => f.type === 'messages');
    expect(frame).toMatchObject({ chatEnded: false });
    expect(typeof frame.lastDeliveredIndex).toBe('string');
    expect(s.messages[0]).toHaveProperty('streamId');
    // The cursor followed what was written: a cursor-only long poll has nothing of it.
    expect(texts((await customer.poll('&wait=0')).body.data.messages)).toEqual([]);
  });

  it('resumes after the index the client names', async () => {
    const { customer } = await connected();
    const first = await open(customer);
    await agentSays(agent, customer.sessionId, 'before');
    await first.until(() => texts(first.messages).includes('before'));
    const held = first.messages[first.messages.length - 1].index as string;
    await first.close();
    await agentSays(agent, customer.sessionId, 'after 1');
    await agentSays(agent, customer.sessionId, 'after 2');
    const again = await open(customer, held);
    await again.until(() => texts(again.messages).length === 2);
    await wait(200);
    expect(texts(again.messages)).toEqual(['after 1', 'after 2']);
    expect(again.messages.every((m) => m.index > held)).toBe(true);
    // An index further back is served again from there (the client says what it holds).
    const back = await open(customer, first.messages[0].index);
    await back.until(() => texts(back.messages).length === 3);
    expect(texts(back.messages)).toEqual(['before', 'after 1', 'after 2']);
  });

  it('switches between the socket and the long poll (cursor-only, as the Genesys client reads) with no loss and no duplicate', async () => {
    const { customer } = await connected();
    const seen: any[] = [];
    const s1 = await open(customer);
    await agentSays(agent, customer.sessionId, 'ws 1');
    await s1.until(() => texts(s1.messages).includes('ws 1'));
    await s1.close();
    seen.push(...s1.messages);
    await agentSays(agent, customer.sessionId, 'poll 1');
    await agentSays(agent, customer.sessionId, 'poll 2');
    const polled = await customer.poll();
    seen.push(...polled.body.data.messages);
    await agentSays(agent, customer.sessionId, 'ws 2');
    const s2 = await open(customer);
    await s2.until(() => texts(s2.messages).includes('ws 2'));
    await wait(200);
    seen.push(...s2.messages);
    await s2.close();
    await agentSays(agent, customer.sessionId, 'poll 3');
    seen.push(...(await customer.poll()).body.data.messages);
    expect(texts(seen)).toEqual(['ws 1', 'poll 1', 'poll 2', 'ws 2', 'poll 3']);
    const ids = seen.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('serves every socket of the customer (tabs of one page) everything after its own position', async () => {
    const { customer } = await connected();
    const [a, b] = [await open(customer), await open(customer)];
    for (const t of ['to both 1', 'to both 2', 'to both 3']) await agentSays(agent, customer.sessionId, t);
    await a.until(() => texts(a.messages).length === 3);
    await b.until(() => texts(b.messages).length === 3);
    expect(texts(a.messages)).toEqual(['to both 1', 'to both 2', 'to both 3']);
    expect(texts(b.messages)).toEqual(['to both 1', 'to both 2', 'to both 3']);
  });

  it('while the socket is open, a long poll by index sees the same log (the SDK falls back with what it holds)', async () => {
    const { customer } = await connected();
    const s = await open(customer);
    await agentSays(agent, customer.sessionId, 'x');
    await s.until(() => texts(s.messages).includes('x'));
    const held = s.messages[s.messages.length - 1].index as string;
    // The socket dies mid-chat; what came after what the client holds is in the long poll by index.
    s.ws.terminate();
    await s.until(() => s.closed !== null);
    await agentSays(agent, customer.sessionId, 'y');
    const r = await customer.poll(`&index=${held}`);
    expect(texts(r.body.data.messages)).toEqual(['y']);
  });

  it('ends with the chat: a last frame with chatEnded, then close 1000', async () => {
    const { customer } = await connected();
    const s = await open(customer);
    await s.until(() => s.messages.length > 0);
    expect((await customer.leave()).status).toBe(200);
    expect(await s.closedWith()).toBe(1000);
    expect(s.frames.filter((f) => f.type === 'messages').at(-1).chatEnded).toBe(true);
  });

  it('refuses what the long poll refuses: no or bad credentials (4401), another session (4403), a malformed first frame', async () => {
    const { customer } = await sdkStart(srv.url);
    const { customer: other } = await sdkStart(srv.url);
    const attempt = async (frame: unknown) => {
      const s = raw(customer.sessionId);
      await s.opened();
      s.send(frame);
      const code = await s.closedWith();
      expect(s.frames.some((f) => f.type === 'ready' || f.type === 'messages')).toBe(false);
      return code;
    };
    expect(await attempt({ type: 'auth', apiKey: API_KEY, clientKey: other.token })).toBe(4403);
    expect(await attempt({ type: 'auth', apiKey: 'not-a-key', clientKey: customer.token })).toBe(4401);
    expect(await attempt({ type: 'auth', apiKey: API_KEY, clientKey: customer.token.slice(0, -3) + 'abc' })).toBe(4401);
    expect(await attempt({ type: 'auth', apiKey: API_KEY })).toBe(4401);
    expect(await attempt('not json')).toBe(4401);
    // A page on an origin the deployment does not allow.
    const foreign = raw(customer.sessionId, { origin: 'https://evil.example' });
    await foreign.opened();
    foreign.send({ type: 'auth', apiKey: API_KEY, clientKey: customer.token });
    expect(await foreign.closedWith()).toBe(4403);
    // An origin whose refusal, quoted, is longer than a close reason may be (123 bytes of UTF-8).
    const wide = raw(customer.sessionId, { origin: `https://${'\u00e9'.repeat(100)}.example` });
    await wide.opened();
    wide.send({ type: 'auth', apiKey: API_KEY, clientKey: customer.token });
    expect(await wide.closedWith()).toBe(4403);
    // Not a session id: refused before the upgrade.
    await expect(raw('not-a-uuid').opened()).rejects.toThrow('HTTP 400');
  });

  it('is bounded: frame size, frame budget, sockets per session', async () => {
    const { customer } = await sdkStart(srv.url);
    const big = raw(customer.sessionId);
    await big.opened();
    big.send({ type: 'auth', apiKey: API_KEY, clientKey: customer.token, pad: 'x'.repeat(10_000) });
    expect(await big.closedWith()).toBe(1009);

    const chatty = await open(customer);
    for (let i = 0; i < 60; i++) chatty.send({ type: 'noise' });
    expect(await chatty.closedWith()).toBe(1008);

    const held = [await open(customer), await open(customer), await open(customer), await open(customer)];
    const fifth = raw(customer.sessionId);
    await fifth.opened();
    fifth.send({ type: 'auth', apiKey: API_KEY, clientKey: customer.token });
    expect(await fifth.closedWith()).toBe(4429);
    await held[0]!.close();
    await wait(50);
    sockets.push(await open(customer));
  });

  it('closes a socket that sends no auth frame within 10 s (4401)', async () => {
    const { customer } = await sdkStart(srv.url);
    const silent = raw(customer.sessionId);
    await silent.opened();
    const opened = Date.now();
    expect(await silent.until(() => silent.closed !== null, 13_000).then(() => silent.closed!.code)).toBe(4401);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(9_000);
  }, 20_000);

  it('closes the socket when its client token expires (4401), as a long poll with it would be refused', async () => {
    const clock = new SteppedClock();
    const short = await startServer({ CLIENT_TOKEN_TTL_SECONDS: '300', V3_STREAM_HEARTBEAT_MS: '200' }, clock, { sweepEveryMs: 0 });
    try {
      const { customer } = await sdkStart(short.url);
      const s = await StreamClient.open(short.url, customer);
      sockets.push(s);
      await wait(300);
      expect(s.closed).toBeNull();
      clock.advance(301_000);
      expect(await s.until(() => s.closed !== null, 3_000).then(() => s.closed!.code)).toBe(4401);
      expect((await customer.poll()).status).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('sends heartbeats and cuts a peer that stops answering pings', async () => {
    const { customer } = await sdkStart(srv.url);
    const s = await open(customer);
    await s.until(() => s.frames.filter((f) => f.type === 'heartbeat').length >= 2);
    expect(s.closed).toBeNull();
    // A peer that does not answer pings (gone without a close) is terminated within two heartbeats.
    const mute = raw(customer.sessionId, { autoPong: false });
    await mute.opened();
    mute.send({ type: 'auth', apiKey: API_KEY, clientKey: customer.token });
    expect(await mute.closedWith()).toBe(1006);
  });
});

describe('an idle v3 message stream', () => {
  it('touches neither the store nor Redis, and still delivers what comes next at once', async () => {
    // Per-node work that does not grow with sockets is kept out (as in idle-poll.test.ts).
    const srv = await startServer({ AUTH_CACHE_MS: '60000', WEBHOOK_POLL_MS: '60000', V3_STREAM_HEARTBEAT_MS: '200' }, undefined, { routeEveryMs: 3_600_000, sweepEveryMs: 0 });
    const work = () => {
      const store = srv.parley.store.work!;
      return { statements: store.get('statements'), transactions: store.get('transactions'), redis: Object.fromEntries(srv.parley.fanout.work?.entries() ?? []) };
    };
    try {
      const agent = await new Agent(srv.url).login();
      const { customer } = await sdkStart(srv.url);
      await agent.acceptFor(customer.sessionId);
      const s = await StreamClient.open(srv.url, customer);
      await s.until(() => s.messages.some((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent'));
      await wait(300); // the cursor's move after the last frame
      const before = work();
      // Several heartbeats (and sweeps) go by.
      await wait(1_000);
      expect(s.frames.filter((f) => f.type === 'heartbeat').length).toBeGreaterThanOrEqual(3);
      expect(work()).toEqual(before);
      const started = Date.now();
      await agentSays(agent, customer.sessionId, 'wake up');
      await s.until(() => texts(s.messages).includes('wake up'));
      expect(Date.now() - started).toBeLessThan(1_000);
      await s.close();
    } finally {
      await srv.close();
    }
  });
});

describe('v3 message stream, switched off', () => {
  it('is not offered and not served with V3_MESSAGE_STREAM=false', async () => {
    const srv = await startServer({ V3_MESSAGE_STREAM: 'false' }, undefined, { sweepEveryMs: 0 });
    try {
      const { customer, offer } = await sdkStart(srv.url);
      expect(offer).toBeUndefined();
      // No such route: the upgrade is answered by the not-found handler and closed at once.
      const s = new StreamClient(srv.url, customer.sessionId);
      await s.opened().catch(() => undefined);
      s.send({ type: 'auth', apiKey: API_KEY, clientKey: customer.token });
      await s.until(() => s.closed !== null);
      expect(s.frames).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});
