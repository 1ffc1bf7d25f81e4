import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { encodeFormBody } from '@parley/protocol';
import { buildParley, type BuildOptions, type Parley } from '../src/app.js';
import { testConfig, type Config } from '../src/config.js';
import type { Clock } from '../src/ports/clock.js';
import type { Fanout } from '../src/ports/fanout.js';
import type { Store } from '../src/ports/store.js';
import { probePostgres, probeRedis } from './external-services.js';

export const API_KEY = 'test-key-1234';
export const AGENT = { username: 'agent', password: 'agent-pass-1' };
export const V3 = '/nexus/v3/chat/sessions';

export type Overrides = Partial<Record<keyof Config, string>>;

/**
 * The store behind test servers: `sqlite` (default: in memory, or a file) or `postgres`
 * (PARLEY_TEST_BACKEND=postgres, as the integration-pg project sets it): every server gets a fresh
 * PostgreSQL schema, dropped when it closes, and Redis fan-out with the schema as channel prefix.
 */
export type TestBackend = 'sqlite' | 'postgres';
export const testBackend: TestBackend = process.env.PARLEY_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

type Services = { ok: true; postgres: string; redis: string } | { ok: false; reason: string };
let services: Promise<Services> | null = null;
/** PostgreSQL and Redis for the postgres backend, probed once per test file. */
export function backendServices(): Promise<Services> {
  services ??= (async () => {
    const [p, r] = await Promise.all([probePostgres(), probeRedis()]);
    if (!p.ok || !r.ok)
      return {
        ok: false,
        reason: [p, r]
          .filter((x) => !x.ok)
          .map((x) => (x as { reason: string }).reason)
          .join('; '),
      };
    return { ok: true, postgres: p.url, redis: r.url };
  })();
  return services;
}

/**
 * Data that outlives a server: a SQLite file, or a PostgreSQL schema (with its Redis channel
 * prefix). Servers started with `{ data }` use it and leave it behind on close; `drop()` removes it.
 */
export interface TestData {
  readonly backend: TestBackend;
  /** The SQLite file or the PostgreSQL schema. */
  readonly name: string;
  /** What a server on this data needs: config overrides, and for PostgreSQL its own store and fan-out. */
  attach(): Promise<{ overrides: Overrides; store?: Store; fanout?: Fanout }>;
  drop(): Promise<void>;
}

const liveData = new Set<TestData>();

export async function createTestData(backend: TestBackend = testBackend): Promise<TestData> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'parley-data-'));
    const file = join(dir, 'parley.db');
    const data: TestData = {
      backend,
      name: file,
      attach: async () => ({ overrides: { DATABASE_URL: `sqlite:${file}` } }),
      drop: async () => {
        liveData.delete(data);
        rmSync(dir, { recursive: true, force: true });
      },
    };
    liveData.add(data);
    return data;
  }
  const svc = await backendServices();
  if (!svc.ok) throw new Error(`PARLEY_TEST_BACKEND=postgres: ${svc.reason}`);
  const schema = `parley_t_${process.pid}_${randomBytes(5).toString('hex')}`;
  const { PostgresStore } = await import('../src/adapters/store-postgres/index.js');
  const { RedisFanout } = await import('../src/adapters/fanout-redis.js');
  let dropped = false;
  const data: TestData = {
    backend,
    name: schema,
    attach: async () => {
      const store = await PostgresStore.connect(svc.postgres, { schema, max: 6 });
      try {
        const fanout = await RedisFanout.connect(svc.redis, { channelPrefix: `${schema}:` });
        return { overrides: {}, store, fanout };
      } catch (err) {
        await store.close();
        throw err;
      }
    },
    drop: async () => {
      liveData.delete(data);
      if (dropped) return;
      dropped = true;
      await dropSchema(svc.postgres, schema);
    },
  };
  liveData.add(data);
  return data;
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops what tests left behind (a test that failed before closing its server). */
export async function dropLeftoverData(): Promise<void> {
  await Promise.all([...liveData].map((d) => d.drop().catch(() => undefined)));
}

export interface Running {
  parley: Parley;
  url: string;
  /** The data the server runs on: its own (dropped on close) or the one it was given. */
  data: TestData | null;
  close(): Promise<void>;
}

export type StartOptions = Omit<BuildOptions, 'clock'> & {
  /** Run on this data and keep it on close (a restart on the same data); see createTestData. */
  data?: TestData;
};

/**
 * Runs the real server on a free loopback port. With the postgres backend the server gets its own
 * schema unless the test names a DATABASE_URL, a store, or `data`.
 */
export async function startServer(overrides: Overrides = {}, clock?: Clock, options: StartOptions = {}): Promise<Running> {
  const { data: given, ...buildOptions } = options;
  const dataDir = overrides.PARLEY_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'parley-test-'));
  let data = given ?? null;
  const owned = !given && testBackend === 'postgres' && overrides.DATABASE_URL === undefined && !buildOptions.store;
  if (owned) data = await createTestData();
  let attached: Awaited<ReturnType<TestData['attach']>> = { overrides: {} };
  try {
    if (data) attached = await data.attach();
    const config = testConfig({
      PARLEY_DEMO: 'true',
      PARLEY_DEMO_API_KEY: API_KEY,
      PARLEY_DEMO_AGENT_USER: AGENT.username,
      PARLEY_DEMO_AGENT_PASSWORD: AGENT.password,
      PARLEY_DATA_DIR: dataDir,
      LONG_POLL_MS: '1500',
      ...attached.overrides,
      ...overrides,
    });
    // A fan-out the test brings, or a REDIS_URL it names, replaces the data's own.
    const ownFanout = !buildOptions.fanout && overrides.REDIS_URL === undefined;
    if (!ownFanout && attached.fanout) await attached.fanout.close();
    const parley = await buildParley(config, {
      ...(attached.store ? { store: attached.store } : {}),
      ...(attached.fanout && ownFanout ? { fanout: attached.fanout } : {}),
      ...buildOptions,
      ...(clock ? { clock } : {}),
    });
    await parley.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = parley.app.server.address() as { port: number };
    return {
      parley,
      url: `http://127.0.0.1:${port}`,
      data,
      close: async () => {
        try {
          await parley.close();
        } finally {
          if (owned) await data!.drop();
        }
      },
    };
  } catch (err) {
    await attached.store?.close().catch(() => undefined);
    await attached.fanout?.close().catch(() => undefined);
    if (owned) await data!.drop().catch(() => undefined);
    throw err;
  }
}

/**
 * Nodes of one deployment in a test: servers on one test data (a SQLite file or a PostgreSQL schema),
 * over Redis between them when the data is SQLite's (PostgreSQL data brings its own fan-out).
 * `start` adds a node, `stop` stops one; `close` (for afterEach) stops the rest and drops the data.
 */
export function nodesOnOneData() {
  const nodes: Running[] = [];
  let shared: Promise<{ data: TestData; redis: Overrides }> | null = null;
  const setUp = async () => {
    const data = await createTestData();
    const redis = testBackend === 'sqlite' ? await probeRedis() : null;
    if (redis && !redis.ok) throw new Error(redis.reason);
    return { data, redis: redis?.ok ? { REDIS_URL: redis.url } : {} };
  };
  return {
    async start(overrides: Overrides = {}, options: Omit<StartOptions, 'data'> = {}): Promise<Running> {
      const { data, redis } = await (shared ??= setUp());
      const node = await startServer({ ...overrides, ...redis }, undefined, { ...options, data });
      nodes.push(node);
      return node;
    },
    async stop(node: Running): Promise<void> {
      nodes.splice(nodes.indexOf(node), 1);
      await node.close();
    },
    async close(): Promise<void> {
      await Promise.all(nodes.splice(0).map((n) => n.close()));
      const was = shared;
      shared = null;
      await (await was)?.data.drop();
    },
  };
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function http<T = any>(url: string, init: RequestInit & { form?: Record<string, unknown>; json?: unknown } = {}): Promise<HttpResult<T>> {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.form) {
    headers.set('content-type', 'application/x-www-form-urlencoded');
    body = encodeFormBody(init.form);
  } else if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const res = await fetch(url, { ...init, headers, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

let op = 0;
export const opId = () => `op-${Date.now()}-${++op}`;

/** A customer using the consumer v3 API the way the Genesys client does (form bodies). */
export class V3Customer {
  token = '';
  sessionId = '';
  participantId = '';
  seen: any[] = [];

  constructor(
    readonly base: string,
    readonly apiKey = API_KEY,
  ) {}

  headers(): Record<string, string> {
    const h: Record<string, string> = { 'x-api-key': this.apiKey };
    if (this.token) h['x-nexus-client-key'] = this.token;
    return h;
  }

  async start(data: Record<string, unknown> = { firstName: 'Jonny', lastName: 'Smith', nickname: 'Jonny', userData: { customerId: '59606' } }) {
    const r = await http(`${this.base}${V3}`, { method: 'POST', headers: this.headers(), form: { data, operationId: opId() } });
    if (r.status !== 200) throw new Error(`start failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.token = r.body.data.clientToken;
    const payload = JSON.parse(Buffer.from(this.token.split('.')[1]!, 'base64url').toString());
    this.sessionId = payload.sessionId;
    this.participantId = payload.participantId;
    return r;
  }

  async poll(query = '') {
    const r = await http(`${this.base}${V3}/${this.sessionId}/messages?operationId=${opId()}${query}`, { headers: this.headers() });
    if (r.status === 200) this.seen.push(...r.body.data.messages);
    return r;
  }

  /** Polls until `pred` holds over everything seen so far. */
  async pollUntil(pred: (seen: any[]) => boolean, tries = 20) {
    for (let i = 0; i < tries; i++) {
      if (pred(this.seen)) return this.seen;
      const r = await this.poll();
      if (r.status !== 200) throw new Error(`poll failed: ${r.status} ${JSON.stringify(r.body)}`);
      if (pred(this.seen)) return this.seen;
    }
    throw new Error(`condition not met; seen: ${JSON.stringify(this.seen.map((m) => [m.type, m.text ?? m.data?.interactionState]))}`);
  }

  send(type: string, text?: string, operationId = opId()) {
    return http(`${this.base}${V3}/${this.sessionId}/messages`, { method: 'POST', headers: this.headers(), form: { operationId, data: { type, ...(text !== undefined ? { text } : {}) } } });
  }

  leave() {
    return http(`${this.base}${V3}/${this.sessionId}/participants/${this.participantId}?operationId=${opId()}`, { method: 'DELETE', headers: this.headers() });
  }
}

/** An agent using the agent API. */
export class Agent {
  token = '';
  constructor(
    readonly base: string,
    readonly creds = AGENT,
  ) {}

  async login() {
    const r = await http(`${this.base}/agent/v1/login`, { method: 'POST', json: this.creds });
    if (r.status !== 200) throw new Error(`login failed ${r.status}`);
    this.token = r.body.token;
    return this;
  }

  call(method: string, path: string, json?: unknown) {
    return http(`${this.base}/agent/v1${path}`, { method, headers: { authorization: `Bearer ${this.token}` }, ...(json !== undefined ? { json } : {}) });
  }

  async queued(sessionId: string) {
    const r = await this.call('GET', '/interactions?state=Queued');
    return (r.body.interactions as any[]).find((i) => i.sessionId === sessionId);
  }

  async acceptFor(sessionId: string) {
    const offered = ((await this.call('GET', '/interactions?mine=true')).body.interactions as any[]).find((x) => x.sessionId === sessionId && x.state === 'Offered');
    const i = offered ?? (await this.queued(sessionId));
    if (!i) throw new Error('no queued interaction for the session');
    const r = await this.call('POST', `/interactions/${i.id}/accept`);
    if (r.status !== 200) throw new Error(`accept failed ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.interaction;
  }
}

/** Real time plus an offset the test moves forward: timers keep running, deadlines can be jumped. */
export class SteppedClock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** A server and its demo admin, signed in. */
export async function startServerWithAdmin(...args: Parameters<typeof startServer>): Promise<{ srv: Running; admin: Agent }> {
  const srv = await startServer(...args);
  return { srv, admin: await new Agent(srv.url, { username: 'admin', password: AGENT.password }).login() };
}

/** Logs in as the demo admin and creates accounts through the admin API. */
export async function createStaff(base: string, accounts: { username: string; role?: string; skills?: Record<string, number>; capacity?: number; languages?: string[]; queues?: string[] }[]) {
  const admin = await new Agent(base, { username: 'admin', password: AGENT.password }).login();
  const out: Agent[] = [];
  for (const a of accounts) {
    const created = await http(`${base}/admin/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
      json: { password: 'staff-password-1', displayName: a.username, ...a },
    });
    if (created.status !== 201) throw new Error(`create ${a.username}: ${created.status} ${JSON.stringify(created.body)}`);
    out.push(await new Agent(base, { username: a.username, password: 'staff-password-1' }).login());
  }
  return { admin, staff: out };
}
