/**
 * Three server processes (`node packages/server/dist/main.js`, as deployed) on one PostgreSQL
 * schema and one Redis, started at once: any node serves any request, long polls and sockets are
 * woken by writes on other nodes, routing assigns each interaction once whatever node routes it,
 * and clients of a node killed with SIGKILL carry on on the others with nothing lost and nothing
 * duplicated. Skipped when PostgreSQL or Redis does not answer; failed instead under CI=true.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { describeWithService, probePostgres, probeRedis, type Probe } from './external-services.js';
import { sleep, sql, until } from './faults/harness.js';
import { Agent, AGENT, createStaff, http, opId, V3 } from './helpers.js';

const root = resolve(import.meta.dirname, '../../..');
const API_KEY = 'multi-node-key-1234';
// createStaff logs in as the demo admin with the helpers' password.
const PASSWORD = AGENT.password;
const SECRET = 'multi-node-shared-secret-'.padEnd(48, 'x');
const SHUTDOWN_DELAY_MS = 1_000;
const DISCONNECT_GRACE_SECONDS = 4;
const texts = (seen: any[]) => seen.filter((m) => m.type === 'Text').map((m) => m.text);
const indexNum = (index: string) => Number(index.replace('-', ''));

/** One server process. */
class Node {
  out = '';
  url = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, ['packages/server/dist/main.js'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      this.out += d.toString();
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((done) =>
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        done();
      }),
    );
  }

  /** Waits for "Parley is listening on <url>". */
  async listening(timeoutMs = 30_000): Promise<this> {
    await until(() => /Parley is listening on (\S+)/.test(this.out) || this.exit, timeoutMs, `${this.name} to listen`);
    if (this.exit) throw new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before listening:\n${this.out}`);
    this.url = /Parley is listening on (\S+)/.exec(this.out)![1]!;
    return this;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.exit) this.child.kill(sig);
  }

  /** SIGTERM, then SIGKILL when it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exit) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A consumer v3 customer whose requests can go to any node (the client token is all it carries). */
class Customer {
  token = '';
  sessionId = '';
  participantId = '';
  seen: any[] = [];
  constructor(public base: string) {}

  private headers() {
    return { 'x-api-key': API_KEY, ...(this.token ? { 'x-nexus-client-key': this.token } : {}) };
  }

  async start() {
    const r = await http(`${this.base}${V3}`, { method: 'POST', headers: this.headers(), form: { data: { nickname: 'Multi' }, operationId: opId() }, signal: AbortSignal.timeout(15_000) });
    if (r.status !== 200) throw new Error(`start failed on ${this.base}: ${r.status} ${JSON.stringify(r.body)}`);
    this.token = r.body.data.clientToken;
    const claims = JSON.parse(Buffer.from(this.token.split('.')[1]!, 'base64url').toString());
    Object.assign(this, { sessionId: claims.sessionId, participantId: claims.participantId });
    return this;
  }

  /** One long poll (the server's cursor decides what comes); what it returns is added to `seen`. */
  async poll(base = this.base, query = '') {
    const r = await http(`${base}${V3}/${this.sessionId}/messages?operationId=${opId()}${query}`, { headers: this.headers(), signal: AbortSignal.timeout(15_000) });
    if (r.status !== 200) throw new Error(`poll failed on ${base}: ${r.status} ${JSON.stringify(r.body)}`);
    this.seen.push(...r.body.data.messages);
    return r.body.data.messages as any[];
  }

  async pollUntil(pred: (seen: any[]) => boolean, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.seen)) {
      if (Date.now() > deadline) throw new Error(`customer: condition not met; seen ${JSON.stringify(texts(this.seen))}`);
      await this.poll();
    }
  }

  async send(text: string, base = this.base, operationId = opId()) {
    const r = await http(`${base}${V3}/${this.sessionId}/messages`, {
      method: 'POST',
      headers: this.headers(),
      form: { operationId, data: { type: 'Text', text } },
      signal: AbortSignal.timeout(15_000),
    });
    if (r.status !== 200) throw new Error(`send failed on ${base}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data.message;
  }
}

/** The agent realtime socket (/agent/v1/events), authenticated. */
class AgentSocket {
  frames: any[] = [];
  closed: { code: number } | null = null;
  onFrame: (f: any) => void = () => {};
  private readonly ws: WebSocket;

  private constructor(base: string) {
    this.ws = new WebSocket(base.replace(/^http/, 'ws') + '/agent/v1/events');
    this.ws.on('message', (d) => {
      const f = JSON.parse(d.toString());
      this.frames.push(f);
      this.onFrame(f);
    });
    this.ws.on('close', (code) => (this.closed = { code }));
    this.ws.on('error', () => undefined);
  }

  static async open(base: string, token: string): Promise<AgentSocket> {
    const s = new AgentSocket(base);
    await new Promise<void>((resolve, reject) => {
      s.ws.once('open', () => resolve());
      s.ws.once('error', reject);
    });
    s.send({ type: 'auth', token });
    await s.until((f) => f.some((x) => x.type === 'ready'), 10_000, 'ready');
    return s;
  }

  send(f: unknown) {
    this.ws.send(JSON.stringify(f));
  }

  async subscribe(sessionId: string, after?: string) {
    this.send({ type: 'subscribe', sessionId, ...(after ? { after } : {}) });
    await this.until((f) => f.some((x) => x.type === 'subscribed' && x.sessionId === sessionId), 10_000, 'subscribed');
  }

  messages(sessionId: string): any[] {
    return this.frames.filter((f) => f.type === 'message' && f.sessionId === sessionId).map((f) => f.message);
  }

  until(pred: (frames: any[]) => boolean, timeoutMs: number, what: string) {
    return until(() => pred(this.frames), timeoutMs, `agent socket: ${what}`);
  }

  terminate() {
    this.ws.terminate();
  }
}

const [pgProbe, redisProbe] = await Promise.all([probePostgres(), probeRedis()]);
const probe: Probe = !pgProbe.ok ? pgProbe : !redisProbe.ok ? redisProbe : pgProbe;

describeWithService('three nodes on one PostgreSQL and one Redis', probe, (pgUrl) => {
  const schema = `parley_mn_${process.pid}_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-multi-node-'));
  const nodes: Node[] = [];
  const sockets: AgentSocket[] = [];
  let n1: Node, n2: Node, n3: Node;
  let env: Record<string, string>;

  beforeAll(async () => {
    // The nodes run the built server, as deployed: build it when sources changed (incremental).
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/server'], { cwd: root, timeout: 120_000, stdio: 'pipe' });
    await sql(pgUrl, `CREATE SCHEMA "${schema}"`);
    env = {
      PORT: '0',
      HOST: '127.0.0.1',
      // Only DATABASE_URL, as a deployment would: the schema through the connection's search_path.
      DATABASE_URL: `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      REDIS_URL: redisProbe.ok ? redisProbe.url : '',
      PARLEY_SECRET: SECRET,
      // Uploaded files live in the database (FILE_STORE=auto on PostgreSQL); the directory would serve FILE_STORE=disk.
      PARLEY_DATA_DIR: dataDir,
      PARLEY_DEMO: 'true',
      PARLEY_DEMO_BOT: 'false',
      PARLEY_DEMO_API_KEY: API_KEY,
      PARLEY_DEMO_AGENT_USER: 'agent',
      PARLEY_DEMO_AGENT_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
      LONG_POLL_MS: '8000',
      SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
      RATE_LIMIT_PER_MINUTE: '1000000',
      START_LIMIT_PER_MINUTE: '1000000',
      LOGIN_LIMIT_PER_MINUTE: '1000000',
      AGENT_DISCONNECT_GRACE_SECONDS: String(DISCONNECT_GRACE_SECONDS),
    };
    // All three at once on an empty schema: migrations and the demo set-up race.
    for (const name of ['node1', 'node2', 'node3']) nodes.push(new Node(name, env));
    try {
      [n1, n2, n3] = (await Promise.all(nodes.map((n) => n.listening()))) as [Node, Node, Node];
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${nodes.map((n) => `--- ${n.name}\n${n.out}`).join('\n')}`);
    }
  }, 150_000);

  afterAll(async () => {
    for (const s of sockets) s.terminate();
    await Promise.all(nodes.map((n) => n.stop(5_000)));
    await sql(pgUrl, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  const socket = async (base: string, token: string) => {
    const s = await AgentSocket.open(base, token);
    sockets.push(s);
    return s;
  };

  it('started together, every node is ready and serves the same data', async () => {
    for (const n of nodes) {
      const r = await http(`${n.url}/ready`);
      expect(r.status, `${n.name} /ready`).toBe(200);
    }
    // A staff token from one node is good on the others (shared PARLEY_SECRET, shared accounts).
    const agent = await new Agent(n1.url, { username: 'agent', password: PASSWORD }).login();
    for (const n of nodes) {
      const me = await http(`${n.url}/agent/v1/me`, { headers: { authorization: `Bearer ${agent.token}` } });
      expect(me.status, n.name).toBe(200);
    }
  });

  it('customer polling node 1 and sending through node 2, agent on node 3 (REST and socket): every message once, in order; cross-node wake-ups are fast', async () => {
    const customer = await new Customer(n1.url).start();
    const agent = await new Agent(n3.url, { username: 'agent', password: PASSWORD }).login();
    await agent.acceptFor(customer.sessionId);
    const ws = await socket(n3.url, agent.token);
    await ws.subscribe(customer.sessionId);

    // The customer long-polls node 1 the whole time.
    let polling = true;
    const pollLoop = (async () => {
      while (polling) await customer.poll();
    })();
    const expected: string[] = [];
    for (let i = 0; i < 10; i++) {
      await customer.send(`c${i}`, n2.url);
      expected.push(`c${i}`);
      const r = await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: `a${i}`, operationId: opId() });
      expect(r.status).toBe(200);
      expected.push(`a${i}`);
    }
    await until(() => texts(customer.seen).length >= expected.length, 10_000, 'the customer to get every message');
    await ws.until((f) => texts(f.filter((x) => x.type === 'message').map((x) => x.message)).length >= expected.length, 10_000, 'every message');
    // The loop's last poll is waiting: one more write ends it.
    polling = false;
    await customer.send('loop end', n2.url);
    expected.push('loop end');
    await pollLoop;
    await customer.pollUntil((seen) => texts(seen).includes('loop end'));

    // Cross-node wake-ups: a poll waiting on node 1 answers a write on node 2 at once, not at the
    // store re-check (every 1 s); the agent's socket on node 3 too (its re-check is every 5 s).
    const pollLatencies: number[] = [];
    const socketLatencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const waiting = customer.poll();
      await sleep(300);
      const sentAt = Date.now();
      const sent = await customer.send(`wake${i}`, n2.url);
      expected.push(`wake${i}`);
      const got = await waiting;
      pollLatencies.push(Date.now() - sentAt);
      expect(got.map((m) => m.id)).toContain(sent.id);
      await ws.until((f) => f.some((x) => x.type === 'message' && x.message.id === sent.id), 5_000, `wake${i}`);
      socketLatencies.push(Date.now() - sentAt);
    }
    console.log(`cross-node wake-up latency (ms): long poll ${pollLatencies.join(', ')}; agent socket ${socketLatencies.join(', ')}`);
    for (const ms of pollLatencies) expect(ms).toBeLessThan(500);
    for (const ms of socketLatencies) expect(ms).toBeLessThan(1_000);

    // Once each, in order, on both sides.
    expect(texts(customer.seen)).toEqual(expected);
    const ids = customer.seen.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const nums = customer.seen.map((m) => indexNum(m.index));
    for (let i = 1; i < nums.length; i++) expect(nums[i]).toBeGreaterThan(nums[i - 1]!);
    const agentSide = ws.messages(customer.sessionId);
    expect(texts(agentSide)).toEqual(expected);
    expect(new Set(agentSide.map((m) => m.id)).size).toBe(agentSide.length);
  }, 60_000);

  it('a v3 message stream on node 1 is woken at once by writes on nodes 2 and 3; when it dies, a long poll by index on node 2 carries on: nothing lost, nothing twice', async () => {
    const customer = await new Customer(n1.url).start();
    const agent = await new Agent(n3.url, { username: 'agent', password: PASSWORD }).login();
    await agent.acceptFor(customer.sessionId);
    const stream = new WebSocket(`${n1.url.replace('http', 'ws')}${V3}/${customer.sessionId}/stream`);
    const got: any[] = [];
    stream.on('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.type === 'messages') got.push(...f.messages);
    });
    await new Promise((r) => stream.once('open', r));
    stream.send(JSON.stringify({ type: 'auth', apiKey: API_KEY, clientKey: customer.token }));
    await until(() => got.some((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent'), 10_000, 'the agent joined, on the stream');
    const expected: string[] = [];
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const sentAt = Date.now();
      const sent = await customer.send(`s${i}`, n2.url);
      const r = await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: `t${i}`, operationId: opId() });
      expect(r.status).toBe(200);
      expected.push(`s${i}`, `t${i}`);
      await until(() => got.some((m) => m.id === sent.id), 5_000, `s${i} on the stream`);
      latencies.push(Date.now() - sentAt);
    }
    await until(() => texts(got).length >= expected.length, 5_000, 'every message on the stream');
    console.log(`cross-node wake-up latency of the v3 message stream (ms): ${latencies.join(', ')}`);
    for (const ms of latencies) expect(ms).toBeLessThan(1_000);
    // The socket dies; what it did not deliver comes by index from another node.
    const held = got[got.length - 1].index as string;
    stream.terminate();
    await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: 'after the socket', operationId: opId() });
    expected.push('after the socket');
    const rest = await customer.poll(n2.url, `&index=${held}`);
    const all = [...got, ...rest];
    expect(texts(all)).toEqual(expected);
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
  }, 60_000);

  it('200 interactions started at once through all nodes, with Ready agents on every node: each is offered and accepted exactly once', async () => {
    const AGENTS = 6;
    const CUSTOMERS = 200;
    const { staff } = await createStaff(
      n1.url,
      Array.from({ length: AGENTS }, (_, i) => ({ username: `mn-agent-${i}`, capacity: 40 })),
    );
    // Each agent works on its own node: REST and socket.
    const agents = await Promise.all(staff.map((s, i) => new Agent(nodes[i % 3]!.url, s.creds).login()));
    const accepted = new Map<string, string>();
    const acceptErrors: string[] = [];
    const inFlight = new Set<string>();
    const accept = (agent: Agent, interaction: { id: string; state: string }) => {
      if (interaction.state !== 'Offered' || inFlight.has(`${agent.creds.username}:${interaction.id}`)) return;
      inFlight.add(`${agent.creds.username}:${interaction.id}`);
      void agent.call('POST', `/interactions/${interaction.id}/accept`).then(
        (r) => {
          if (r.status !== 200) acceptErrors.push(`${agent.creds.username} ${interaction.id}: ${r.status} ${JSON.stringify(r.body)}`);
          else if (accepted.has(interaction.id)) acceptErrors.push(`${interaction.id} accepted by ${accepted.get(interaction.id)} and ${agent.creds.username}`);
          else accepted.set(interaction.id, agent.creds.username);
        },
        (err) => acceptErrors.push(String(err)),
      );
    };
    const agentSockets = await Promise.all(agents.map((a, i) => socket(nodes[i % 3]!.url, a.token)));
    agentSockets.forEach((s, i) => {
      s.onFrame = (f) => {
        if (f.type === 'interactions') for (const x of f.interactions) accept(agents[i]!, x);
      };
    });
    for (const a of agents) expect((await a.call('PUT', '/me/presence', { presence: 'Ready' })).status).toBe(200);

    const startedAt = Date.now();
    const customers = await Promise.all(Array.from({ length: CUSTOMERS }, (_, i) => new Customer(nodes[i % 3]!.url).start()));
    const mine = new Set(customers.map((c) => c.sessionId));
    const sup = await new Agent(n2.url, { username: 'supervisor', password: PASSWORD }).login();
    // A safety net besides the sockets: agents also look at their offers now and then.
    let sweeping = true;
    const sweep = (async () => {
      while (sweeping) {
        await sleep(1_000);
        for (const a of agents) {
          const r = await a.call('GET', '/interactions?mine=true&state=Offered');
          for (const x of r.body.interactions ?? []) accept(a, x);
        }
      }
    })();
    try {
      await until(
        async () => {
          const r = await sup.call('GET', '/interactions?state=Handling');
          return (r.body.interactions as any[]).filter((i) => mine.has(i.sessionId)).length === CUSTOMERS;
        },
        90_000,
        `all ${CUSTOMERS} interactions to be Handling (accepted ${accepted.size})`,
      );
    } finally {
      sweeping = false;
      await sweep;
    }
    const elapsed = Date.now() - startedAt;
    await sleep(500); // late duplicate offers or accepts would show now
    expect(acceptErrors).toEqual([]);
    expect(accepted.size).toBe(CUSTOMERS);

    // Every session's log: Queued, Offered, Handling, once each; one agent joined.
    const logs = await Promise.all(
      customers.map(async (c) => {
        const r = await sup.call('GET', `/sessions/${c.sessionId}/messages`);
        expect(r.status).toBe(200);
        return r.body.messages as any[];
      }),
    );
    for (const [i, log] of logs.entries()) {
      const states = log.filter((m) => m.event === 'InteractionStateChange').map((m) => m.data.interactionState);
      expect(states, customers[i]!.sessionId).toEqual(['Queued', 'Offered', 'Handling']);
      expect(
        log.filter((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent'),
        customers[i]!.sessionId,
      ).toHaveLength(1);
    }
    // No interaction in two agents' lists; together they hold all of them.
    const lists = await Promise.all(
      agents.map(async (a) => ((await a.call('GET', '/interactions?mine=true')).body.interactions as any[]).filter((i) => mine.has(i.sessionId)).map((i) => i.id as string)),
    );
    const all = lists.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(CUSTOMERS);
    const perAgent = lists.map((l) => l.length);
    console.log(`${CUSTOMERS} interactions assigned in ${elapsed} ms; per agent: ${perAgent.join(', ')}`);
    expect(perAgent.filter((n) => n > 0).length).toBeGreaterThan(1);

    for (const a of agents) await a.call('PUT', '/me/presence', { presence: 'NotReady', reason: 'done' });
  }, 120_000);

  it('an agent\'s desktop socket on a fourth node is closed and that node dies: the other nodes make the agent NotReady "Disconnected" after the grace and offer the chat to the next agent at once, not as a decline', async () => {
    const { staff } = await createStaff(n2.url, [{ username: 'ghost' }, { username: 'next' }]);
    const [ghost, next] = staff as [Agent, Agent];
    const ghostId = (await ghost.call('GET', '/me')).body.account.id as string;
    const n4 = new Node('node4', env);
    nodes.push(n4);
    await n4.listening();
    const ws = await socket(n4.url, ghost.token);
    expect((await ghost.call('PUT', '/me/presence', { presence: 'Ready' })).status).toBe(200);
    await sleep(20);
    expect((await next.call('PUT', '/me/presence', { presence: 'Ready' })).status).toBe(200);
    const customer = await new Customer(n3.url).start();
    const mine = async (a: Agent, base: string) =>
      ((await http(`${base}/agent/v1/interactions?mine=true`, { headers: { authorization: `Bearer ${a.token}` } })).body.interactions as any[]).filter((i) => i.sessionId === customer.sessionId);
    const offered = await until(async () => (await mine(ghost, n1.url)).find((i) => i.state === 'Offered'), 10_000, 'the offer to the ghost').catch((e) => {
      throw new Error(`${e.message}\n${nodes.map((n) => n.out.slice(-3000)).join('\n---\n')}`);
    });

    // The tab closes and the node holding the socket dies: only nodes 1-3 are left to notice.
    ws.terminate();
    n4.signal('SIGKILL');
    await n4.exited;
    const gone = Date.now();
    const profile = await until(
      async () => {
        const me = (await ghost.call('GET', '/me')).body.profile;
        return me.presence === 'NotReady' && me;
      },
      20_000,
      'the ghost to become NotReady',
    );
    expect(profile.reason).toBe('Disconnected');
    const moved = await until(async () => (await mine(next, n2.url)).find((i) => i.state === 'Offered'), 10_000, 'the offer to the next agent');
    // Well before the 30 s offer timeout, and not as the ghost's decline.
    expect(Date.now() - gone).toBeLessThan(20_000);
    expect(moved.id).toBe(offered.id);
    // Declines are routing's own record, not on the agent API's wire: read where routing keeps them.
    const [row] = await sql(pgUrl, `SELECT declined_by FROM "${schema}".interactions WHERE id = $1`, [offered.id]);
    expect(JSON.parse(row.declined_by)).toEqual([]);
    const agents = (await http(`${n1.url}/agent/v1/agents`, { headers: { authorization: `Bearer ${next.token}` } })).body.agents as any[];
    expect(agents.find((a) => a.id === ghostId)).toMatchObject({ presence: 'NotReady', reason: 'Disconnected' });
    await next.call('PUT', '/me/presence', { presence: 'NotReady', reason: 'done' });
    await next.call('POST', `/interactions/${offered.id}/accept`);
  }, 90_000);

  it('node 1 is killed (SIGKILL) mid-conversation: its customer and agent carry on on nodes 2 and 3, writes in flight are retried elsewhere, nothing lost or duplicated', async () => {
    // Conversation 1 lives on node 1: the customer polls it, the agent uses it for REST and socket.
    const customer = await new Customer(n1.url).start();
    const agent = await new Agent(n1.url, { username: 'agent2', password: PASSWORD }).login();
    await agent.acceptFor(customer.sessionId);
    const ws = await socket(n1.url, agent.token);
    await ws.subscribe(customer.sessionId);
    const expected: string[] = [];
    for (let i = 0; i < 3; i++) {
      await customer.send(`before ${i}`);
      expected.push(`before ${i}`);
      expect((await agent.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: `agent before ${i}` })).status).toBe(200);
      expected.push(`agent before ${i}`);
    }
    await customer.pollUntil((seen) => texts(seen).length === expected.length);
    await ws.until((f) => f.some((x) => x.type === 'message' && x.message.text === 'agent before 2'), 5_000, 'agent before 2');

    // Conversation 2: its customer polls node 2; its agent writes a burst through node 1, and node 1
    // dies in the middle of it. A write whose answer is lost is retried on node 3 with the same
    // operationId, as a client does.
    const customer2 = await new Customer(n2.url).start();
    const writer = await new Agent(n1.url, { username: 'agent', password: PASSWORD }).login();
    await writer.acceptFor(customer2.sessionId);
    const writerOnNode3 = new Agent(n3.url, writer.creds);
    writerOnNode3.token = writer.token;
    const burst = Array.from({ length: 20 }, (_, i) => `burst ${i}`);
    let retried = 0;
    const writeBurst = async () => {
      for (const [i, text] of burst.entries()) {
        const operationId = opId();
        const body = { type: 'Text', text, operationId };
        const sending = writer.call('POST', `/sessions/${customer2.sessionId}/messages`, body).catch(() => null);
        if (i === 6) setTimeout(() => n1.signal('SIGKILL'), 2); // while this write is on its way
        const first = await sending;
        if (first?.status === 200) continue;
        retried++;
        const again = await writerOnNode3.call('POST', `/sessions/${customer2.sessionId}/messages`, body);
        expect(again.status).toBe(200);
      }
    };

    // Customer 1 waits in a long poll on node 1 when it dies.
    const waiting = customer.poll().then(
      () => 'answered',
      () => 'cut',
    );
    await sleep(300);
    const lastOnSocket = ws.messages(customer.sessionId).at(-1).index;
    await writeBurst();
    await n1.exited;
    expect(n1.exit?.signal).toBe('SIGKILL');
    expect(retried).toBeGreaterThan(0);
    expect(await waiting).toBe('cut');
    await until(() => ws.closed, 5_000, 'the socket on node 1 to drop');

    // Conversation 2 never left node 2 for reading: every burst message once, in order.
    await customer2.pollUntil((seen) => texts(seen).includes('burst 19'));
    await sleep(200);
    expect(await customer2.poll(n2.url, '&wait=0')).toEqual([]); // nothing more comes
    expect(texts(customer2.seen)).toEqual(burst);

    // Conversation 1 carries on: the agent on node 3 (token and socket cursor), the customer on
    // node 2 with the same client token; its delivery cursor is in the database.
    const agentOn3 = new Agent(n3.url, agent.creds);
    agentOn3.token = agent.token;
    for (let i = 0; i < 3; i++) {
      expect((await agentOn3.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: `agent after ${i}` })).status).toBe(200);
      expected.push(`agent after ${i}`);
    }
    const ws3 = await socket(n3.url, agent.token);
    await ws3.subscribe(customer.sessionId, lastOnSocket);
    customer.base = n2.url;
    for (let i = 0; i < 3; i++) {
      await customer.send(`after ${i}`);
      expected.push(`after ${i}`);
    }
    await customer.pollUntil((seen) => texts(seen).includes('after 2'));
    await ws3.until((f) => f.some((x) => x.type === 'message' && x.message.text === 'after 2'), 5_000, 'after 2');
    await sleep(200);
    expect(await customer.poll(n2.url, '&wait=0')).toEqual([]);

    expect(texts(customer.seen)).toEqual(expected);
    expect(new Set(customer.seen.map((m) => m.id)).size).toBe(customer.seen.length);
    const agentSide = [...ws.messages(customer.sessionId), ...ws3.messages(customer.sessionId)];
    expect(texts(agentSide)).toEqual(expected);
    expect(new Set(agentSide.map((m) => m.id)).size).toBe(agentSide.length);

    // The survivors are still ready.
    for (const n of [n2, n3]) expect((await http(`${n.url}/ready`)).status, n.name).toBe(200);
  }, 60_000);

  it('SIGTERM drains a node: /ready 503 first, its sockets closed with 1012, exit code 0; the others carry on', async () => {
    const agent = await new Agent(n3.url, { username: 'agent', password: PASSWORD }).login();
    const ws = await socket(n3.url, agent.token);
    n3.signal('SIGTERM');
    const notReady = await until(
      async () => {
        const r = await http(`${n3.url}/ready`).catch(() => null);
        return r?.status === 503 && r;
      },
      SHUTDOWN_DELAY_MS + 1_000,
      '/ready to answer 503 during the drain delay',
    );
    expect(notReady.body).toEqual({ status: 'unavailable', reason: 'shutting down' });
    await until(() => ws.closed, 10_000, 'the socket to close');
    expect(ws.closed!.code).toBe(1012);
    await Promise.race([n3.exited, sleep(10_000)]);
    expect(n3.exit).toEqual({ code: 0, signal: null });

    const customer = await new Customer(n2.url).start();
    await customer.send('still here');
    await customer.pollUntil((seen) => texts(seen).includes('still here'));
  }, 30_000);
});
