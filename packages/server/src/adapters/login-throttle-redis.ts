import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keyOf, MemoryLoginThrottle, type LoginThrottle, type LoginThrottleOptions } from '../core/login-throttle.js';

/**
 * One failure, atomically: the record is forgotten when its last failure is older than forgetAfter
 * and it is not locked; the count goes up; past the free failures the lock becomes
 * now + min(maxLock, base * 2^(over-1)) (core/login-throttle.ts `lockMsAfter`, the same rule). Times
 * come from the caller (the node's Clock), so every node and the in-memory throttle agree.
 */
const FAIL = `
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local maxLock = tonumber(ARGV[4])
local forget = tonumber(ARGV[5])
local f = redis.call('HMGET', KEYS[1], 'failures', 'lockedUntil', 'lastFailureAt')
local failures = tonumber(f[1]) or 0
local lockedUntil = tonumber(f[2]) or 0
local last = tonumber(f[3]) or now
if failures > 0 and now - last > forget and now >= lockedUntil then
  failures = 0
  lockedUntil = 0
end
failures = failures + 1
local over = failures - free
if over > 0 then
  lockedUntil = now + math.min(maxLock, base * 2 ^ math.min(over - 1, 30))
end
redis.call('HSET', KEYS[1], 'failures', failures, 'lockedUntil', string.format('%.0f', lockedUntil), 'lastFailureAt', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], math.floor(math.max(lockedUntil - now, 0) + forget + 1000))
return failures
`;

/**
 * The login lockout counted in Redis, so a username locked on one node is locked on all of them.
 * Records expire on their own (Redis TTL) once forgotten. While Redis does not answer, the node
 * counts in memory (`fallback`), so a Redis outage weakens the lockout to per node, never removes it.
 */
export class RedisLoginThrottle implements LoginThrottle {
  private readonly fallback: MemoryLoginThrottle;

  constructor(
    private readonly redis: Redis,
    private readonly opts: LoginThrottleOptions,
    private readonly keyPrefix: string,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.fallback = new MemoryLoginThrottle(opts);
  }

  private key(username: string): string {
    return `${this.keyPrefix}login:${createHash('sha256').update(keyOf(username)).digest('base64url')}`;
  }

  async lockedFor(username: string, now: number): Promise<number> {
    try {
      const until = Number((await this.redis.hget(this.key(username), 'lockedUntil')) ?? 0);
      return Math.max(0, until - now, await this.fallback.lockedFor(username, now));
    } catch (err) {
      this.onError(err);
      return this.fallback.lockedFor(username, now);
    }
  }

  async recordFailure(username: string, now: number): Promise<void> {
    const { freeFailures, baseLockMs, maxLockMs, forgetAfterMs } = this.opts;
    try {
      await this.redis.eval(FAIL, 1, this.key(username), now, freeFailures, baseLockMs, maxLockMs, forgetAfterMs);
    } catch (err) {
      this.onError(err);
      await this.fallback.recordFailure(username, now);
    }
  }

  async recordSuccess(username: string): Promise<void> {
    await this.fallback.recordSuccess(username);
    try {
      await this.redis.del(this.key(username));
    } catch (err) {
      this.onError(err);
    }
  }
}
