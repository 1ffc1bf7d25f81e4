/**
 * Limits shared by all nodes (REDIS_URL): three nodes on one database and one Redis share one login
 * lockout and one rate-limit count, and the Redis lockout follows the same rule as the in-memory
 * one. Skipped when Redis does not answer; failed instead under CI=true.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLoginThrottle } from '../src/adapters/login-throttle-redis.js';
import { checkFollowsTheRule, throttleTestOptions } from '../src/core/login-throttle.testkit.js';
import { describeWithService, probeRedis } from './external-services.js';
import { TcpProxy } from './tcp-proxy.js';
import { AGENT, API_KEY, createTestData, http, opId, startServer, V3, type Running, type TestData } from './helpers.js';

const SECRET = 'shared-limits-secret-'.padEnd(48, 'x');
const redisProbe = await probeRedis();
const prefix = () => `parley_t_${process.pid}_${randomBytes(4).toString('hex')}:`;

describeWithService('limits shared by all nodes (Redis)', redisProbe, (redisUrl) => {
  describe('three nodes', () => {
    let data: TestData;
    let nodes: Running[] = [];
    beforeAll(async () => {
      data = await createTestData();
      const shared = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix(), PARLEY_SECRET: SECRET, LOGIN_LOCKOUT_AFTER: '3', START_LIMIT_PER_MINUTE: '4' };
      nodes.push(await startServer(shared, undefined, { data }));
      for (let i = 0; i < 2; i++) nodes.push(await startServer({ ...shared, PARLEY_DEMO: 'false' }, undefined, { data }));
    });
    afterAll(async () => {
      await Promise.all(nodes.map((n) => n.close()));
      nodes = [];
      await data?.drop();
    });

    const login = (node: Running, password: string) => http(`${node.url}/agent/v1/login`, { method: 'POST', json: { username: AGENT.username, password } });

    it('share one login lockout: failures on three nodes add up, the lock holds on every node, and a success clears it everywhere', async () => {
      const [one, two, three] = nodes as [Running, Running, Running];
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
      const [one, two, three] = nodes as [Running, Running, Running];
      // START_LIMIT_PER_MINUTE=4 per client address, counted once for all nodes.
      for (const node of [one, two, three, one]) expect((await start(node)).status).toBe(200);
      for (const node of [two, three]) {
        const refused = await start(node);
        expect(refused.status).toBe(429);
        expect(refused.body.status.code).toBe('RATE_LIMITED');
      }
    });
  });

  it('while Redis is away a node keeps answering: rate limits let requests through, the lockout counts on the node', async () => {
    const { proxy, url } = await TcpProxy.for(redisUrl, 6379);
    const node = await startServer({ REDIS_URL: url, REDIS_KEY_PREFIX: prefix(), LOGIN_LOCKOUT_AFTER: '2', START_LIMIT_PER_MINUTE: '50' });
    try {
      await proxy.stop();
      const start = await http(`${node.url}${V3}`, { method: 'POST', headers: { 'x-api-key': API_KEY }, form: { data: { nickname: 'N' }, operationId: opId() } });
      expect(start.status).toBe(200);
      const login = (password: string) => http(`${node.url}/agent/v1/login`, { method: 'POST', json: { username: AGENT.username, password } });
      for (let i = 0; i < 3; i++) expect((await login('wrong-password')).status).toBe(401);
      expect((await login(AGENT.password)).status).toBe(429);
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
