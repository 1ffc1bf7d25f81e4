/**
 * The fault-injection harness: nodes of one cluster (in-process servers on one PostgreSQL schema
 * and one Redis channel prefix), TCP proxies the test owns between the nodes and PostgreSQL or
 * Redis, clients that behave as real ones do (retries with the same operationId, both polling
 * styles), and the checks every scenario makes: nothing lost, duplicated or out of order, no
 * process-level error, 503s only while the fault lasts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import WebSocket from 'ws';
import { PostgresStore } from '../../src/adapters/store-postgres/index.js';
import { RedisFanout } from '../../src/adapters/fanout-redis.js';
import { Agent, http, startServer, V3, API_KEY, type Running } from '../helpers.js';
import { TcpProxy } from '../tcp-proxy.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function until<T>(check: () => T | false | undefined | Promise<T | false | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * Errors that would have ended a node's process: an 'error' event nobody listens to, a rejection
 * nobody handles. The nodes run in this process, so the test records them (and fails) instead.
 */
export function processGuard(): { errors: unknown[]; dispose(): void } {
  const errors: unknown[] = [];
  const onError = (err: unknown) => errors.push(err);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    errors,
    dispose() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

/** Runs one statement on its own connection (a test's schemas, or a look at a row): its rows. */
export async function sql(url: string, text: string, params: unknown[] = []): Promise<any[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ClusterOptions {
  postgres: string;
  redis: string;
  nodes: number;
  /** Which service the nodes reach through the test's proxy. */
  through: 'postgres' | 'redis';
}

/** Nodes sharing one schema and one channel prefix, one service behind a proxy. */
export class Cluster {
  nodes: Running[] = [];
  proxy!: TcpProxy;
  private readonly schema = `parley_fault_${process.pid}_${randomBytes(4).toString('hex')}`;
  private constructor(private readonly opts: ClusterOptions) {}

  static async start(opts: ClusterOptions): Promise<Cluster> {
    const c = new Cluster(opts);
    await sql(opts.postgres, `CREATE SCHEMA "${c.schema}"`);
    const made = await TcpProxy.for(opts.through === 'postgres' ? opts.postgres : opts.redis, opts.through === 'postgres' ? 5432 : 6379);
    c.proxy = made.proxy;
    const pgUrl = opts.through === 'postgres' ? made.url : opts.postgres;
    const redisUrl = opts.through === 'redis' ? made.url : opts.redis;
    // One after the other: the first migrates and creates the demo accounts, the others find them.
    for (let i = 0; i < opts.nodes; i++) {
      const store = await PostgresStore.connect(pgUrl, { schema: c.schema, max: 5 });
      const fanout = await RedisFanout.connect(redisUrl, { channelPrefix: `${c.schema}:` });
      c.nodes.push(await startServer({ PARLEY_SECRET: 'fault-injection-secret-'.padEnd(48, 'x'), LONG_POLL_MS: '8000' }, undefined, { store, fanout }));
    }
    return c;
  }

  url(i: number): string {
    return this.nodes[i % this.nodes.length]!.url;
  }

  async close(): Promise<void> {
    await this.proxy.start().catch(() => undefined);
    await Promise.all(this.nodes.map((n) => n.close().catch(() => undefined)));
    await this.proxy.stop();
    await sql(this.opts.postgres, `DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`).catch(() => undefined);
  }
}

/** Every HTTP answer the clients got, to check when the errors happened. */
export interface Answer {
  what: string;
  status: number;
  retryAfter: string | null;
  start: number;
  end: number;
}

/** A fault: when it started and ended (ms). */
export interface Window {
  start: number;
  end: number;
}

export class Recorder {
  answers: Answer[] = [];
  async call(what: string, run: () => Promise<{ status: number; headers: Headers; body: any }>): Promise<{ status: number; body: any } | null> {
    const start = Date.now();
    try {
      const r = await run();
      this.answers.push({ what, status: r.status, retryAfter: r.headers.get('retry-after'), start, end: Date.now() });
      return r;
    } catch {
      // The connection failed or timed out: the client retries. Not an answer.
      return null;
    }
  }

  /** Answers that were neither a success nor a 503 with Retry-After during the fault (with `graceMs` after it). */
  outsideFault(fault: Window, graceMs: number): Answer[] {
    return this.answers.filter((a) => {
      if (a.status < 400) return false;
      const during = a.start <= fault.end + graceMs && a.end >= fault.start;
      return !(a.status === 503 && a.retryAfter !== null && during);
    });
  }

  count(status: number): number {
    return this.answers.filter((a) => a.status === status).length;
  }
}

/** A received message and when it arrived. */
export interface Received {
  id: string;
  index: string;
  type: string;
  text?: string;
  at: number;
}

/**
 * A consumer v3 customer. `cursor` polls as the Genesys client does (no index: the server's
 * delivery cursor decides); `index` names the last index it holds, as Parley's SDK does.
 */
export class FaultCustomer {
  token = '';
  sessionId = '';
  participantId = '';
  received: Received[] = [];
  private polling = false;
  private loop: Promise<void> | null = null;
  private inFlight: AbortController | null = null;

  constructor(
    readonly style: 'cursor' | 'index',
    private readonly rec: Recorder,
    public pollBase: string,
  ) {}

  private headers(): Record<string, string> {
    return { 'x-api-key': API_KEY, ...(this.token ? { 'x-nexus-client-key': this.token } : {}) };
  }

  async start(base: string): Promise<this> {
    const operationId = `start-${randomBytes(6).toString('hex')}`;
    const r = await until(
      () =>
        this.rec
          .call('start', () => http(`${base}${V3}`, { method: 'POST', headers: this.headers(), form: { data: { nickname: `fault-${this.style}` }, operationId }, signal: AbortSignal.timeout(10_000) }))
          .then((x) => x?.status === 200 && x),
      15_000,
      'the chat to start',
    );
    this.token = r.body.data.clientToken;
    const claims = JSON.parse(Buffer.from(this.token.split('.')[1]!, 'base64url').toString());
    this.sessionId = claims.sessionId;
    this.participantId = claims.participantId;
    return this;
  }

  /** Sends until the server answers 200, with the same operationId on every try. Returns when it was stored. */
  async send(base: () => string, text: string): Promise<number> {
    const operationId = `c-${randomBytes(6).toString('hex')}`;
    for (;;) {
      const r = await this.rec.call('customer send', () =>
        http(`${base()}${V3}/${this.sessionId}/messages`, { method: 'POST', headers: this.headers(), form: { operationId, data: { type: 'Text', text } }, signal: AbortSignal.timeout(10_000) }),
      );
      if (r?.status === 200) return Date.now();
      if (r && r.status !== 503) throw new Error(`send ${text}: ${r.status} ${JSON.stringify(r.body)}`);
      await sleep(100);
    }
  }

  startPolling(): void {
    this.polling = true;
    this.loop = (async () => {
      while (this.polling) {
        const last = this.received.at(-1)?.index;
        const query = this.style === 'index' && last ? `&index=${last}` : '';
        this.inFlight = new AbortController();
        const signal = AbortSignal.any([this.inFlight.signal, AbortSignal.timeout(12_000)]);
        const r = await this.rec.call(`poll (${this.style})`, () => http(`${this.pollBase}${V3}/${this.sessionId}/messages?operationId=p${query}`, { headers: this.headers(), signal }));
        if (r?.status === 200) {
          const at = Date.now();
          for (const m of r.body.data.messages) this.received.push({ id: m.id, index: m.index, type: m.type, text: m.text, at });
        } else await sleep(100);
      }
    })();
  }

  /** Stops polling; a poll still waiting is abandoned (what it would have carried is served again to the next one). */
  async stopPolling(): Promise<void> {
    this.polling = false;
    this.inFlight?.abort();
    await this.loop;
  }

  texts(): string[] {
    return this.received.filter((m) => m.type === 'Text').map((m) => m.text!);
  }
}

/** The agent: REST writes retried with the same operationId, and the realtime socket. */
export class FaultAgent {
  readonly rest: Agent;
  constructor(
    base: string,
    private readonly rec: Recorder,
  ) {
    this.rest = new Agent(base);
  }

  async send(base: () => string, sessionId: string, text: string): Promise<number> {
    const operationId = `a-${randomBytes(6).toString('hex')}`;
    for (;;) {
      const r = await this.rec.call('agent send', () =>
        http(`${base()}/agent/v1/sessions/${sessionId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.rest.token}` },
          json: { type: 'Text', text, operationId },
          signal: AbortSignal.timeout(10_000),
        }),
      );
      if (r?.status === 200) return Date.now();
      if (r && r.status !== 503) throw new Error(`agent send ${text}: ${r.status} ${JSON.stringify(r.body)}`);
      await sleep(100);
    }
  }
}

/** The agent realtime socket, subscribed to sessions; records message frames and how it closed. */
export class FaultSocket {
  received = new Map<string, Received[]>();
  closed: { code: number; reason: string } | null = null;
  ready = false;
  private readonly ws: WebSocket;

  constructor(base: string, token: string) {
    this.ws = new WebSocket(base.replace(/^http/, 'ws') + '/agent/v1/events');
    this.ws.on('open', () => this.ws.send(JSON.stringify({ type: 'auth', token })));
    this.ws.on('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.type === 'ready') this.ready = true;
      if (f.type === 'message') {
        const list = this.received.get(f.sessionId) ?? [];
        list.push({ id: f.message.id, index: f.message.index, type: f.message.type, text: f.message.text, at: Date.now() });
        this.received.set(f.sessionId, list);
      }
    });
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.ws.on('error', () => undefined);
  }

  async subscribe(sessionId: string): Promise<void> {
    await until(() => this.ready || this.closed, 10_000, 'the socket to be ready');
    this.ws.send(JSON.stringify({ type: 'subscribe', sessionId }));
  }

  texts(sessionId: string): string[] {
    return (this.received.get(sessionId) ?? []).filter((m) => m.type === 'Text').map((m) => m.text!);
  }

  close(): void {
    this.ws.terminate();
  }
}

/**
 * What a reader received, against what was sent: each message once (by id), indexes strictly
 * increasing, and the texts of each sender complete and in their order.
 */
export function deliveryReport(received: Received[], sent: Record<string, string[]>): { lost: string[]; duplicated: string[]; outOfOrder: string[] } {
  const seen = new Set<string>();
  const duplicated: string[] = [];
  const outOfOrder: string[] = [];
  const num = (index: string) => {
    const [ms, seq] = index.split('-');
    return Number(ms) * 10 + Number(seq);
  };
  let last = -1;
  for (const m of received) {
    if (seen.has(m.id)) duplicated.push(m.text ?? m.id);
    seen.add(m.id);
    if (num(m.index) <= last) outOfOrder.push(m.text ?? m.id);
    last = Math.max(last, num(m.index));
  }
  const texts = received.filter((m) => m.type === 'Text').map((m) => m.text!);
  const lost: string[] = [];
  for (const [prefix, list] of Object.entries(sent)) {
    const mine = texts.filter((t) => t.startsWith(prefix));
    for (const t of list) if (!mine.includes(t)) lost.push(t);
    const order = mine.filter((t) => list.includes(t));
    const expectedOrder = list.filter((t) => order.includes(t));
    if (JSON.stringify([...new Set(order)]) !== JSON.stringify(expectedOrder)) outOfOrder.push(`${prefix}: ${order.join(',')}`);
  }
  return { lost, duplicated, outOfOrder };
}

/** The value at quantile q (0..1) of the numbers. */
export function quantile(values: number[], q: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
