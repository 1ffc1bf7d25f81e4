/**
 * Starting the systems under test, each in its own process(es) on 127.0.0.1: the two baselines
 * and Parley (SQLite, or PostgreSQL + Redis on 1..N nodes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { againOnReset, keepAliveAgent, request } from './lib/http.js';
import { benchRoot, repoRoot, startServer, type Proc } from './lib/proc.js';
import { freePort, mapLimit } from './lib/util.js';
import type { System } from './clients/types.js';
import { parseWork, sumWork, type WorkTotals } from './lib/work-scrape.js';

export const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const API_KEY = 'bench-api-key-0001';
export const STAFF_PASSWORD = 'bench-pass-0001';
export const V3_PREFIX = '/nexus/v3/chat/sessions';
/** This tree's build of the server. */
export const TREE_MAIN = join(repoRoot, 'packages/server/dist/main.js');
/**
 * The server under test; BENCH_SERVER_MAIN points at another build (e.g. a patched copy, to try a fix).
 * In the A/B scenario (`--only=ab`) this tree's build is measured against BENCH_SERVER_MAIN instead.
 */
export const PARLEY_MAIN = process.env.BENCH_SERVER_MAIN ?? TREE_MAIN;

export interface Running {
  system: System;
  label: string;
  urls: string[];
  procs: Proc[];
  /** PostgreSQL: cumulative row reads / inserts / updates on this run's schema (pg_stat_user_tables). */
  dbCounters?(): Promise<{ reads: number; inserts: number; updates: number }>;
  /** Parley: the counted work (store, Redis) and texts persisted so far, summed over the nodes, from /metrics. */
  workCounters?(): Promise<WorkTotals>;
  /** PostgreSQL: the pids of the backends serving this system's connections (PostgreSQL is local). */
  pgBackendPids?(): Promise<number[]>;
  /** Parley: staff tokens for `n` agent accounts (created through the admin API the first time). */
  agentTokens?(n: number): Promise<string[]>;
  stop(): Promise<void>;
}

export interface StartOptions {
  logDir: string;
  /** Extra node flags for the server processes (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** Start with --inspect so the heap can be measured after a full GC. */
  inspect?: boolean;
}

async function startRelay(system: 'ws' | 'sio', o: StartOptions): Promise<Running> {
  const port = await freePort();
  const file = join(benchRoot, 'src/servers', system === 'ws' ? 'ws-relay.ts' : 'sio-relay.ts');
  const proc = await startServer({
    name: `${system}-relay`,
    nodeArgs: ['--import', 'tsx', ...(o.nodeFlags ?? []), file],
    env: { PORT: String(port) },
    logFile: join(o.logDir, `${system}-relay.log`),
    readyUrl: `http://127.0.0.1:${port}/health`,
    inspectPort: o.inspect ? await freePort() : undefined,
    cwd: benchRoot,
  });
  return {
    system,
    label: system === 'ws' ? 'ws relay (no persistence)' : 'Socket.IO relay (no persistence)',
    urls: [`http://127.0.0.1:${port}`],
    procs: [proc],
    stop: async () => void (await proc.stop()),
  };
}

export const startWsRelay = (o: StartOptions) => startRelay('ws', o);
export const startSioRelay = (o: StartOptions) => startRelay('sio', o);

/** The environment Parley runs with in the bench: limits out of the way, quiet logs, no demo bot, fixed demo credentials. */
export function parleyEnv(extra: Record<string, string>): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000000',
    START_LIMIT_PER_MINUTE: '100000000',
    LOGIN_LIMIT_PER_MINUTE: '100000000',
    PARLEY_DEMO: 'true',
    PARLEY_DEMO_BOT: 'false',
    PARLEY_DEMO_API_KEY: API_KEY,
    PARLEY_DEMO_AGENT_USER: 'agent',
    PARLEY_DEMO_AGENT_PASSWORD: STAFF_PASSWORD,
    ...extra,
  };
}

export interface ParleyOptions extends StartOptions {
  store: 'sqlite' | 'postgres';
  /** Customers on the guest chat WebSocket (guest-v2) instead of the v3 long poll. */
  guest?: boolean;
  nodes?: number;
  longPollMs?: number;
  /** The server's main.js (default PARLEY_MAIN); the A/B scenario starts two builds. */
  main?: string;
  /** A label suffix naming the build (A/B). */
  build?: string;
}

/** Parley from packages/server/dist/main.js: SQLite in a fresh temp dir, or PostgreSQL (a fresh schema) + Redis. */
export async function startParley(o: ParleyOptions): Promise<Running> {
  const nodes = o.nodes ?? 1;
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const secret = randomBytes(32).toString('hex');
  let schema: string | null = null;
  let databaseUrl = `sqlite:${join(dataDir, 'parley.db')}`;
  // The bench scrapes /metrics for the counted work (an older build without the counters reports none).
  const metricsToken = randomBytes(16).toString('hex');
  const extra: Record<string, string> = { PARLEY_SECRET: secret, PARLEY_DATA_DIR: dataDir, METRICS_TOKEN: metricsToken };
  if (o.longPollMs) extra.LONG_POLL_MS = String(o.longPollMs);
  if (o.store === 'postgres') {
    schema = `bench_${process.pid}_${Date.now().toString(36)}`;
    const c = new pg.Client({ connectionString: PG_BASE });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
    // application_name tells this system's backends apart from everyone else's (their CPU is counted).
    databaseUrl = `${PG_BASE}?options=${encodeURIComponent(`-c search_path=${schema} -c application_name=${schema}`)}`;
    extra.REDIS_URL = REDIS_URL;
  }
  const procs: Proc[] = [];
  const urls: string[] = [];
  const cleanup = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    if (schema) {
      const c = new pg.Client({ connectionString: PG_BASE });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await c.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    // One at a time: the first node migrates the store and creates the demo data.
    for (let i = 0; i < nodes; i++) {
      const port = await freePort();
      procs.push(
        await startServer({
          name: `parley-${o.store}-${i + 1}`,
          nodeArgs: [...(o.nodeFlags ?? []), o.main ?? PARLEY_MAIN],
          env: parleyEnv({ ...extra, PORT: String(port), DATABASE_URL: databaseUrl }),
          logFile: join(o.logDir, `parley-${o.store}-${nodes}n-${i + 1}.log`),
          readyUrl: `http://127.0.0.1:${port}/health`,
          inspectPort: o.inspect ? await freePort() : undefined,
          cwd: dataDir,
        }),
      );
      urls.push(`http://127.0.0.1:${port}`);
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  const agent = keepAliveAgent(64);
  const tokens: string[] = [];
  let adminToken = '';
  const login = async (username: string) => {
    const r = await againOnReset(() => request(agent, 'POST', `${urls[0]}/agent/v1/login`, { json: { username, password: STAFF_PASSWORD }, timeoutMs: 60_000 }));
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token as string;
  };
  return {
    system: o.guest ? 'guest' : 'parley',
    label: `${o.store === 'sqlite' ? 'Parley, SQLite' : `Parley, PostgreSQL + Redis, ${nodes} node${nodes > 1 ? 's' : ''}`}${o.guest ? ', guest-chat WebSocket' : ''}${o.build ? ` (${o.build})` : ''}`,
    urls,
    procs,
    ...(schema
      ? {
          async pgBackendPids() {
            const c = new pg.Client({ connectionString: PG_BASE });
            await c.connect();
            try {
              const r = await c.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [schema]);
              return (r.rows as { pid: number }[]).map((row) => row.pid);
            } finally {
              await c.end();
            }
          },
          async dbCounters() {
            const c = new pg.Client({ connectionString: PG_BASE });
            await c.connect();
            try {
              const r = await c.query(
                'SELECT COALESCE(SUM(seq_scan + COALESCE(idx_scan, 0)), 0)::float8 AS reads, COALESCE(SUM(n_tup_ins), 0)::float8 AS inserts, COALESCE(SUM(n_tup_upd), 0)::float8 AS updates FROM pg_stat_user_tables WHERE schemaname = $1',
                [schema],
              );
              return r.rows[0] as { reads: number; inserts: number; updates: number };
            } finally {
              await c.end();
            }
          },
        }
      : {}),
    async workCounters() {
      const all = await Promise.all(
        urls.map(async (url) => {
          const r = await request(agent, 'GET', `${url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` }, timeoutMs: 10_000 });
          if (r.status !== 200) throw new Error(`metrics ${url}: ${r.status}`);
          return parseWork(typeof r.body === 'string' ? r.body : String(r.body));
        }),
      );
      return sumWork(all);
    },
    async agentTokens(n: number) {
      if (tokens.length < n) {
        if (!adminToken) adminToken = await login('admin');
        const missing = Array.from({ length: n - tokens.length }, (_, k) => tokens.length + k);
        const made = await mapLimit(missing, 4, async (i) => {
          const username = `bench-agent-${i}`;
          const r = await againOnReset(() =>
            request(agent, 'POST', `${urls[0]}/admin/v1/agents`, {
              headers: { authorization: `Bearer ${adminToken}` },
              json: { username, password: STAFF_PASSWORD, displayName: `Bench Agent ${i}`, role: 'agent', capacity: 50 },
              timeoutMs: 60_000,
            }),
          );
          if (r.status !== 201 && r.status !== 409) throw new Error(`create ${username}: ${r.status} ${JSON.stringify(r.body)}`);
          return login(username);
        });
        tokens.push(...made);
      }
      return tokens.slice(0, n);
    },
    async stop() {
      agent.destroy();
      await cleanup();
    },
  };
}

/** Drops bench schemas left by runs that were killed (their process is gone). */
export async function dropStaleSchemas(log: (s: string) => void): Promise<void> {
  const c = new pg.Client({ connectionString: PG_BASE, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    const r = await c.query("SELECT nspname FROM pg_namespace WHERE nspname ~ '^bench_[0-9]+_[0-9a-z]+$'");
    for (const { nspname } of r.rows as { nspname: string }[]) {
      const pid = Number(nspname.split('_')[1]);
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (!alive) {
        await c.query(`DROP SCHEMA IF EXISTS ${nspname} CASCADE`);
        log(`dropped schema ${nspname} left by an earlier run`);
      }
    }
  } catch (err) {
    log(`PostgreSQL not reachable (${err instanceof Error ? err.message : String(err)}): the PostgreSQL figures will fail`);
  } finally {
    await c.end().catch(() => undefined);
  }
}
