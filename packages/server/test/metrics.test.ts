import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { Agent, http, opId, startServer, SteppedClock, testBackend, V3, V3Customer, type Running } from './helpers.js';

const TOKEN = 'scrape-token-0123456789';

/** One sample line of the Prometheus text format: name, labels, value (NaN and Inf in any case, as Prometheus's parser takes them). */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|[Nn][Aa][Nn]|[+-]?[Ii][Nn][Ff]))$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"/g;

/** Parses an exposition strictly (every line a HELP, a TYPE or a sample); keys are `name{a="x",b="y"}` with labels sorted. */
function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        typed.add(meta[2]!);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus text line: ${line}`);
    const family = m[1]!.replace(/_(bucket|sum|count|total|created)$/, '');
    if (!typed.has(m[1]!) && !typed.has(family)) throw new Error(`sample before its TYPE: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(LABEL)].map(([, k, v]) => `${k}="${v}"`).sort();
    out.set(labels.length ? `${m[1]}{${labels.join(',')}}` : m[1]!, /nan/i.test(m[3]!) ? NaN : /inf/i.test(m[3]!) ? (m[3]!.startsWith('-') ? -Infinity : Infinity) : Number(m[3]));
  }
  return out;
}

function series(name: string, labels: Record<string, string> = {}): string {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  return l.length ? `${name}{${l.join(',')}}` : name;
}

async function scrape(srv: Running, token = TOKEN) {
  const r = await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await r.text();
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text, values: parseExposition(text) };
}

/** The queue the session's interaction waits in (the demo deployment's default queue). */
async function queueOf(srv: Running, sessionId: string): Promise<string> {
  const [interaction] = await srv.parley.store.tx((tx) => tx.listInteractions({ sessionId }));
  return interaction!.queue;
}

async function until(pred: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('metrics (/metrics, Prometheus text format)', () => {
  let srv: Running;
  afterEach(() => srv?.close());

  it('is not served without METRICS_TOKEN, and wants the token when it is set', async () => {
    srv = await startServer();
    expect((await http(`${srv.url}/metrics`)).status).toBe(404);
    expect((await http(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    await srv.close();
    srv = await startServer({ METRICS_TOKEN: TOKEN });
    const none = await http(`${srv.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await http(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await http(`${srv.url}/metrics`, { headers: { authorization: TOKEN } })).status).toBe(401);
    expect((await scrape(srv)).values.size).toBeGreaterThan(0);
  });

  it('counts a chat: requests by route, session, messages, queue, accept, long polls, sockets, store, process', async () => {
    srv = await startServer({ METRICS_TOKEN: TOKEN }, undefined, { routeEveryMs: 3_600_000 });
    const before = (await scrape(srv)).values;
    const v = (m: Map<string, number>, name: string, labels?: Record<string, string>) => m.get(series(name, labels)) ?? 0;
    expect(v(before, 'parley_agents', { presence: 'NotReady' })).toBeGreaterThan(0);
    expect(v(before, 'parley_open_sockets', { transport: 'agent' })).toBe(0);

    const c = new V3Customer(srv.url);
    await c.start();
    const queue = await queueOf(srv, c.sessionId);
    expect((await c.send('Text', 'hello')).status).toBe(200);
    expect((await c.send('Text', 'anyone there?')).status).toBe(200);

    const queued = (await scrape(srv)).values;
    expect(v(queued, 'parley_queue_depth', { queue })).toBe(1);
    expect(v(queued, 'parley_queue_longest_wait_seconds', { queue })).toBeGreaterThanOrEqual(0);

    // A long poll waiting for news (everything so far read) shows while it waits.
    await c.pollUntil((seen) => seen.some((m) => m.text === 'anyone there?'));
    const poll = c.poll();
    await until(async () => v((await scrape(srv)).values, 'parley_open_long_polls') === 1);

    const agent = await new Agent(srv.url).login();
    const socket = new WebSocket(srv.url.replace('http', 'ws') + '/agent/v1/events');
    await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
    await until(async () => v((await scrape(srv)).values, 'parley_open_sockets', { transport: 'agent' }) === 1);
    await agent.acceptFor(c.sessionId);
    expect((await poll).status).toBe(200);

    const { text, values: after } = await scrape(srv);
    const grew = (name: string, labels?: Record<string, string>) => v(after, name, labels) - v(before, name, labels);
    expect(grew('parley_sessions_started_total', { kind: 'sync' })).toBe(1);
    expect(grew('parley_messages_persisted_total', { type: 'Text' })).toBe(2);
    expect(grew('parley_messages_persisted_total', { type: 'System' })).toBeGreaterThanOrEqual(2);
    expect(grew('parley_routing_accepts_total')).toBe(1);
    expect(v(after, 'parley_queue_depth', { queue })).toBe(0);
    expect(v(after, 'parley_open_long_polls')).toBe(0);
    // By route pattern and status, never by the raw URL.
    expect(grew('parley_http_requests_total', { method: 'POST', route: '/nexus/v3/chat/sessions/:sessionId/messages', status: '200' })).toBe(2);
    expect(grew('parley_http_request_duration_seconds_count', { method: 'POST', route: '/nexus/v3/chat/sessions', status: '200' })).toBe(1);
    expect(grew('parley_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBeGreaterThan(0);
    expect(text).not.toContain(c.sessionId);
    expect(grew('parley_store_transaction_duration_seconds_count', { outcome: 'committed' })).toBeGreaterThan(5);
    expect(v(after, 'parley_store_errors_total', { kind: 'unavailable' })).toBe(0);
    // prom-client's process metrics: event-loop lag and memory.
    expect(v(after, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
    expect(v(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(v(after, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    // Change notifications: published by the writes, handed to the waiting poll and the socket.
    expect(grew('parley_fanout_published_total')).toBeGreaterThan(3);
    expect(grew('parley_fanout_delivered_total')).toBeGreaterThan(0);
    expect(v(after, 'parley_fanout_up')).toBe(1);
    // The waiting poll was handed the accept's messages: their write-to-read time is observed.
    expect(grew('parley_delivery_lag_seconds_count')).toBeGreaterThan(0);
    expect(v(after, 'parley_delivery_lag_seconds_bucket', { le: '+Inf' })).toBe(v(after, 'parley_delivery_lag_seconds_count'));

    socket.close();
    await until(async () => v((await scrape(srv)).values, 'parley_open_sockets', { transport: 'agent' }) === 0);
  });

  it('counts the store work and the Redis commands a write costs (deterministic: the same write counts the same twice)', async () => {
    // Deployments read once (AUTH_CACHE_MS): a cache reload is the node's periodic work, not the write's.
    srv = await startServer({ METRICS_TOKEN: TOKEN, AUTH_CACHE_MS: '60000' }, undefined, { routeEveryMs: 3_600_000, sweepEveryMs: 0 });
    const s = srv;
    const v = (m: Map<string, number>, name: string, labels?: Record<string, string>) => m.get(series(name, labels)) ?? 0;
    const c = new V3Customer(s.url);
    await c.start();
    expect((await c.send('Text', 'warm-up')).status).toBe(200);
    // What a text sets off after its answer (the flow engine's turn) has run before a scrape.
    const settledScrape = async () => {
      await s.parley.flows.settled();
      return (await scrape(s)).values;
    };
    const costOfOneSend = async (text: string) => {
      const before = await settledScrape();
      expect((await c.send('Text', text)).status).toBe(200);
      const after = await settledScrape();
      const grew = (name: string, labels?: Record<string, string>) => v(after, name, labels) - v(before, name, labels);
      return {
        transactions: grew('parley_store_work_total', { kind: 'transactions' }),
        statements: grew('parley_store_work_total', { kind: 'statements' }),
        roundTrips: grew('parley_store_work_total', { kind: 'round_trips' }),
        publish: grew('parley_fanout_commands_total', { command: 'PUBLISH' }),
        committed: grew('parley_store_transaction_duration_seconds_count', { outcome: 'committed' }),
      };
    };
    const first = await costOfOneSend('one');
    expect(first.transactions).toBeGreaterThan(0);
    // Every transaction the store ran is one the metered store timed: nothing counted twice or missed.
    expect(first.transactions).toBe(first.committed);
    expect(first.statements).toBeGreaterThan(first.transactions);
    if (testBackend === 'postgres') {
      // Statements share round trips: BEGIN goes out with a transaction's first statement, a session's
      // participants with its lock, the append and the idempotency record (the operationId) with
      // COMMIT. Redis carries the notifications.
      expect(first.roundTrips).toBeLessThan(first.statements);
      expect(first.publish).toBeGreaterThan(0);
    } else {
      expect(first.roundTrips).toBe(0);
      expect(first.publish).toBe(0);
    }
    expect(await costOfOneSend('two')).toEqual(first);
  });

  it('counts guest chat v2 event streams as guest sockets, until they close', async () => {
    srv = await startServer({ METRICS_TOKEN: TOKEN });
    const created = await http(`${srv.url}/api/v2/webchat/guest/conversations`, { method: 'POST', json: { deploymentId: 'demo', memberInfo: { displayName: 'Metrics' } } });
    expect(created.status).toBe(200);
    const gauge = async (transport: string) => (await scrape(srv)).values.get(series('parley_open_sockets', { transport }));
    expect(await gauge('guest')).toBe(0);
    const stream = new WebSocket(created.body.eventStreamUri);
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
    await until(async () => (await gauge('guest')) === 1);
    expect(await gauge('agent')).toBe(0);
    stream.close();
    await until(async () => (await gauge('guest')) === 0);
  });

  it('stops holding a long poll as soon as its client goes away', async () => {
    srv = await startServer({ METRICS_TOKEN: TOKEN, LONG_POLL_MS: '8500' }, undefined, { routeEveryMs: 3_600_000 });
    const c = new V3Customer(srv.url);
    await c.start();
    await c.poll();
    const gone = new AbortController();
    const poll = fetch(`${srv.url}${V3}/${c.sessionId}/messages?operationId=${opId()}`, { headers: c.headers(), signal: gone.signal }).catch(() => 'aborted');
    const open = async () => (await scrape(srv)).values.get(series('parley_open_long_polls')) ?? 0;
    await until(async () => (await open()) === 1);
    gone.abort();
    expect(await poll).toBe('aborted');
    await until(async () => (await open()) === 0, 2_000);
  });

  it('tells store failures from use cases saying no', async () => {
    srv = await startServer({ METRICS_TOKEN: TOKEN });
    const agent = await new Agent(srv.url).login();
    const before = (await scrape(srv)).values;
    // Accepting what does not exist: the use case refuses, the store worked.
    expect((await agent.call('POST', `/interactions/${randomUUID()}/accept`)).status).toBe(404);
    // A transaction that fails with an unexpected error (not a use case's ChatError) is rolled back and counted as failed.
    await expect(
      srv.parley.store.tx(async (tx) => {
        await tx.getSetting('token.secret');
        throw new TypeError('unexpected');
      }),
    ).rejects.toThrow('unexpected');
    const after = (await scrape(srv)).values;
    const grew = (name: string, labels: Record<string, string>) => (after.get(series(name, labels)) ?? 0) - (before.get(series(name, labels)) ?? 0);
    expect(grew('parley_store_transaction_duration_seconds_count', { outcome: 'rolled_back' })).toBe(1);
    expect(grew('parley_store_errors_total', { kind: 'failed' })).toBe(1);
    expect(grew('parley_store_transaction_duration_seconds_count', { outcome: 'failed' })).toBe(1);
  });

  it('still answers a scrape when the store is gone, without the gauges read from it', async () => {
    srv = await startServer({ METRICS_TOKEN: TOKEN });
    const c = new V3Customer(srv.url);
    await c.start();
    const up = (await scrape(srv)).values;
    expect([...up.keys()].some((k) => k.startsWith('parley_queue_depth{'))).toBe(true);
    await srv.parley.store.close();
    const { values: down } = await scrape(srv);
    expect([...down.keys()].filter((k) => /^parley_(queue_depth|queue_longest_wait_seconds|agents)\{/.test(k))).toEqual([]);
    const storeErrors = (m: Map<string, number>) => (m.get(series('parley_store_errors_total', { kind: 'failed' })) ?? 0) + (m.get(series('parley_store_errors_total', { kind: 'unavailable' })) ?? 0);
    // The failed read is counted by the time of the next scrape (counters are read as the scrape begins).
    expect(storeErrors((await scrape(srv)).values)).toBeGreaterThan(storeErrors(up));
    expect(down.get(series('parley_open_long_polls'))).toBe(0);
  });

  it('counts offers, offer timeouts and agents by presence', async () => {
    const clock = new SteppedClock();
    srv = await startServer({ METRICS_TOKEN: TOKEN }, clock, { routeEveryMs: 3_600_000 });
    const agent = await new Agent(srv.url).login();
    expect((await agent.call('PUT', '/me/presence', { presence: 'Ready' })).status).toBe(200);
    const c = new V3Customer(srv.url);
    await c.start();
    const queue = await queueOf(srv, c.sessionId);
    await srv.parley.routing.routeOnce();
    let m = (await scrape(srv)).values;
    expect(m.get(series('parley_routing_offers_total'))).toBe(1);
    expect(m.get(series('parley_routing_offer_timeouts_total'))).toBe(0);
    expect(m.get(series('parley_agents', { presence: 'Ready' }))).toBe(1);
    expect(m.get(series('parley_queue_depth', { queue }))).toBe(1);
    clock.advance(31_000);
    await srv.parley.routing.routeOnce();
    m = (await scrape(srv)).values;
    expect(m.get(series('parley_routing_offer_timeouts_total'))).toBe(1);
    expect(m.get(series('parley_queue_longest_wait_seconds', { queue }))).toBeGreaterThanOrEqual(31);
  });
});
