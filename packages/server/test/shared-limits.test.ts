/**
 * Limits shared by all nodes (REDIS_URL): three nodes on one database and one Redis share one login
 * lockout and one rate-limit count (a route's own limit exactly, the default limit in batches with no
 * Redis command on a request's path), and the Redis lockout follows the same rule as the in-memory
 * one. Skipped when Redis does not answer; failed instead under CI=true.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLoginThrottle } from '../src/adapters/login-throttle-redis.js';
import { BatchedWindowCounts } from '../src/adapters/rate-limits-redis.js';
import { checkFollowsTheRule, throttleTestOptions } from '../src/core/login-throttle.testkit.js';
import { describeWithService, probeRedis } from './external-services.js';
import { TcpProxy } from './tcp-proxy.js';
import { AGENT, API_KEY, createTestData, http, opId, startServer, V3, type Running, type TestData } from './helpers.js';

const SECRET = 'shared-limits-secret-'.padEnd(48, 'x');
const redisProbe = await probeRedis();
const prefix = () => `parley_t_${process.pid}_${randomBytes(4).toString('hex')}:`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The default limit counts in fixed one-minute windows: a test that counts to a limit starts well inside one. */
async function insideOneMinute(): Promise<void> {
  const into = Date.now() % 60_000;
  if (into > 55_000) await sleep(60_000 - into + 50);
}

/** Three nodes on one database and one Redis (a key prefix of their own), started before the describe's tests. */
function threeNodes(redisUrl: string, settings: Record<string, string>): () => Running[] {
  let data: TestData;
  let nodes: Running[] = [];
  beforeAll(async () => {
    data = await createTestData();
    const shared = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix(), PARLEY_SECRET: SECRET, ...settings };
    nodes.push(await startServer(shared, undefined, { data }));
    for (let i = 0; i < 2; i++) nodes.push(await startServer({ ...shared, PARLEY_DEMO: 'false' }, undefined, { data }));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    nodes = [];
    await data?.drop();
  });
  return () => nodes;
}

describeWithService('limits shared by all nodes (Redis)', redisProbe, (redisUrl) => {
  describe('three nodes', () => {
    const started = threeNodes(redisUrl, { LOGIN_LOCKOUT_AFTER: '3', START_LIMIT_PER_MINUTE: '4' });

    const login = (node: Running, password: string) => http(`${node.url}/agent/v1/login`, { method: 'POST', json: { username: AGENT.username, password } });

    it('share one login lockout: failures on three nodes add up, the lock holds on every node, and a success clears it everywhere', async () => {
      const [one, two, three] = started() as [Running, Running, Running];
      // Three free failures, one per node; the fourth (node 1) locks the username for 1 s.
      for (const node of [one, two, three, one]) expect((await login(node, 'wrong-password')).status).toBe(401);
      // Per node, node 2 and 3 have seen one failure each and would let the right password in.
      for (const node of [two, three]) {
        const locked = await login(node, AGENT.password);
        expect(locked.status).toBe(429);
        expect(locked.body.status.message).toMatch(/too many wrong passwords/);
      }
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await login(three, AGENT.password)).status).toBe(200);
      // The success cleared the count on every node: three more free failures before the next lock.
      for (const node of [two, one, three]) expect((await login(node, 'wrong-password')).status).toBe(401);
      expect((await login(two, AGENT.password)).status).toBe(200);
    });

    it('share one rate-limit count: the limit is hit across nodes', async () => {
      const start = (node: Running) => http(`${node.url}${V3}`, { method: 'POST', headers: { 'x-api-key': API_KEY }, form: { data: { nickname: 'N' }, operationId: opId() } });
      const [one, two, three] = started() as [Running, Running, Running];
      // START_LIMIT_PER_MINUTE=4 per client address, counted once for all nodes.
      for (const node of [one, two, three, one]) expect((await start(node)).status).toBe(200);
      for (const node of [two, three]) {
        const refused = await start(node);
        expect(refused.status).toBe(429);
        expect(refused.body.status.code).toBe('RATE_LIMITED');
      }
    });
  });

  describe('the default limit on three nodes', () => {
    const started = threeNodes(redisUrl, { RATE_LIMIT_PER_MINUTE: '12', RATE_LIMIT_SYNC_MS: '1000' });

    it('is counted once for all nodes, in batches: no Redis command per request, and past the limit every node refuses', async () => {
      await insideOneMinute();
      const docs = (node: Running) => http(`${node.url}/openapi.json`);
      const nodes = started();
      const evals = () => nodes.map((n) => n.parley.limitsWork.get('EVAL'));
      const before = evals();
      // 4 requests on each node at once: 12 in all, and each node has seen only its own 4.
      const answers = await Promise.all(nodes.flatMap((n) => [1, 2, 3, 4].map(() => docs(n))));
      expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
      await sleep(1_500);
      // Each node sent its 4 in one batch (two if the timer fell between them), not one command each.
      evals().forEach((n, i) => expect(n - before[i]!).toBeGreaterThanOrEqual(1));
      evals().forEach((n, i) => expect(n - before[i]!).toBeLessThanOrEqual(2));
      // A node reads the others' counts back with its own next batch: after one more request on each
      // (let through by a node that had only its own 4 then), every node refuses.
      for (const node of nodes) await docs(node);
      await sleep(1_500);
      for (const node of nodes) {
        const refused = await docs(node);
        expect(refused.status).toBe(429);
        expect(refused.body.status.code).toBe('RATE_LIMITED');
      }
    });
  });

  it('BatchedWindowCounts: a node counts at least its own requests and never more than all nodes made; once all is sent, a synced node knows the total (property)', async () => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.record({ node: fc.nat(2), key: fc.constantFrom('a', 'b'), sync: fc.boolean() }), { minLength: 1, maxLength: 40 }), async (steps) => {
          await insideOneMinute();
          const now = Date.now();
          const p = prefix();
          const nodes = [0, 1, 2].map(() => new BatchedWindowCounts(redis, p, { syncMs: 60_000, maxKeys: 100, now: () => now }));
          const total = new Map<string, number>();
          const own = nodes.map(() => new Map<string, number>());
          for (const step of steps) {
            const node = nodes[step.node]!;
            const { current } = node.incr(step.key, 60_000);
            total.set(step.key, (total.get(step.key) ?? 0) + 1);
            own[step.node]!.set(step.key, (own[step.node]!.get(step.key) ?? 0) + 1);
            expect(current).toBeGreaterThanOrEqual(own[step.node]!.get(step.key)!);
            expect(current).toBeLessThanOrEqual(total.get(step.key)!);
            if (step.sync) await node.sync();
          }
          for (const node of nodes) await node.sync();
          // Everything is sent: one more request on a node, once synced, reads back the total of all.
          for (const [i, node] of nodes.entries())
            for (const key of total.keys()) {
              node.incr(key, 60_000);
              await node.sync();
              const { current } = node.incr(key, 60_000);
              total.set(key, total.get(key)! + 2);
              expect(current, `node ${i}, key ${key}`).toBe(total.get(key));
              await node.sync();
            }
          nodes.forEach((n) => n.close());
        }),
        { numRuns: 25 },
      );
    } finally {
      redis.disconnect();
    }
  });

  it('BatchedWindowCounts while Redis does not answer: counts stay on the node, and the failure is reported once until a batch succeeds', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => undefined);
    const errors: unknown[] = [];
    await insideOneMinute();
    const counts = new BatchedWindowCounts(down, prefix(), { syncMs: 60_000, maxKeys: 10, now: Date.now, onError: (err) => errors.push(err) });
    for (let i = 1; i <= 3; i++) {
      expect(counts.incr('addr', 60_000).current).toBe(i);
      await counts.sync();
    }
    expect(errors).toHaveLength(1);
    counts.close();
    down.disconnect();
  });

  it('while Redis is away a node keeps answering: rate limits let requests through, the lockout counts on the node', async () => {
    const { proxy, url } = await TcpProxy.for(redisUrl, 6379);
    const node = await startServer({ REDIS_URL: url, REDIS_KEY_PREFIX: prefix(), LOGIN_LOCKOUT_AFTER: '2', START_LIMIT_PER_MINUTE: '50', RATE_LIMIT_PER_MINUTE: '8', RATE_LIMIT_SYNC_MS: '50' });
    try {
      await insideOneMinute();
      await proxy.stop();
      const start = await http(`${node.url}${V3}`, { method: 'POST', headers: { 'x-api-key': API_KEY }, form: { data: { nickname: 'N' }, operationId: opId() } });
      expect(start.status).toBe(200);
      const login = (password: string) => http(`${node.url}/agent/v1/login`, { method: 'POST', json: { username: AGENT.username, password } });
      for (let i = 0; i < 3; i++) expect((await login('wrong-password')).status).toBe(401);
      expect((await login(AGENT.password)).status).toBe(429);
      // The default limit (8 a minute) keeps counting on the node: it refuses past 8.
      const statuses: number[] = [];
      while (statuses.length < 20 && !statuses.includes(429)) statuses.push((await http(`${node.url}/openapi.json`)).status);
      expect(statuses.at(-1)).toBe(429);
      expect(statuses.filter((x) => x === 200).length).toBeLessThanOrEqual(8);
    } finally {
      await proxy.stop();
      await node.close();
    }
  });

  describe('RedisLoginThrottle', () => {
    let redis: Redis;
    beforeAll(() => {
      redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    });
    afterAll(() => redis?.disconnect());

    it('locks as the rule says (the same property as the in-memory throttle)', async () => {
      await checkFollowsTheRule(() => new RedisLoginThrottle(redis, throttleTestOptions, prefix()), throttleTestOptions, 40);
    });

    it('keys expire on their own once the failures are forgotten', async () => {
      const p = prefix();
      const t = new RedisLoginThrottle(redis, { ...throttleTestOptions, forgetAfterMs: 5_000 }, p);
      await t.recordFailure('ann', Date.now());
      const [key] = await redis.keys(`${p}login:*`);
      const ttl = await redis.pttl(key!);
      expect(ttl).toBeGreaterThan(5_000);
      expect(ttl).toBeLessThanOrEqual(6_000);
    });

    it('while Redis does not answer, it counts on this node instead (never unlocked)', async () => {
      const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      down.on('error', () => undefined);
      const errors: unknown[] = [];
      const t = new RedisLoginThrottle(down, throttleTestOptions, prefix(), (err) => errors.push(err));
      for (let i = 0; i < 4; i++) await t.recordFailure('ann', 1_000);
      expect(await t.lockedFor('ann', 1_000)).toBe(1_000);
      expect(errors.length).toBeGreaterThan(0);
      down.disconnect();
    });
  });
});
