/**
 * Per-username lockout with exponential backoff: after `freeFailures` wrong passwords in a row, each
 * further failure locks the username for twice as long as the last (from `baseLockMs` up to
 * `maxLockMs`). Keyed by username, not address, so no address change gets more tries. Unknown
 * usernames are counted the same way, so a lockout does not tell which usernames exist.
 * `MemoryLoginThrottle` counts on one node; `adapters/login-throttle-redis.ts` applies the same rule
 * to counters in Redis, shared by every node (REDIS_URL).
 */
export interface LoginThrottle {
  /** Milliseconds the username is still locked for at `now` (0 when it may try). */
  lockedFor(username: string, now: number): Promise<number>;
  recordFailure(username: string, now: number): Promise<void>;
  recordSuccess(username: string): Promise<void>;
}

export interface LoginThrottleOptions {
  freeFailures: number;
  baseLockMs: number;
  maxLockMs: number;
  /** Failures older than this are forgotten (the count starts again). */
  forgetAfterMs: number;
  maxEntries: number;
}

export const defaultLoginThrottle: LoginThrottleOptions = { freeFailures: 5, baseLockMs: 1_000, maxLockMs: 15 * 60_000, forgetAfterMs: 60 * 60_000, maxEntries: 50_000 };

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailureAt: number;
}

/** The lock the `failures`-th failure in a row sets (0 while failures are still free). */
export function lockMsAfter(failures: number, opts: LoginThrottleOptions): number {
  const over = failures - opts.freeFailures;
  return over > 0 ? Math.min(opts.maxLockMs, opts.baseLockMs * 2 ** Math.min(over - 1, 30)) : 0;
}

/** The rule on one node, in memory, with a bounded number of entries (the oldest are forgotten first). */
export class MemoryLoginThrottle implements LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: LoginThrottleOptions = defaultLoginThrottle) {}

  async lockedFor(username: string, now: number): Promise<number> {
    const e = this.live(username, now);
    return e ? Math.max(0, e.lockedUntil - now) : 0;
  }

  async recordFailure(username: string, now: number): Promise<void> {
    const key = keyOf(username);
    const e = this.live(username, now) ?? { failures: 0, lockedUntil: 0, lastFailureAt: now };
    e.failures++;
    e.lastFailureAt = now;
    if (e.failures > this.opts.freeFailures) e.lockedUntil = now + lockMsAfter(e.failures, this.opts);
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  async recordSuccess(username: string): Promise<void> {
    this.entries.delete(keyOf(username));
  }

  private live(username: string, now: number): Entry | undefined {
    const key = keyOf(username);
    const e = this.entries.get(key);
    if (e && now - e.lastFailureAt > this.opts.forgetAfterMs && now >= e.lockedUntil) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }
}

/** Usernames that look alike share one counter. */
export const keyOf = (username: string) => username.normalize('NFKC').toLowerCase();
