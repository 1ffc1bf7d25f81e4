/**
 * Per-username lockout with exponential backoff: after `freeFailures` wrong passwords in a row, each
 * further failure locks the username for twice as long as the last (from `baseLockMs` up to
 * `maxLockMs`). Keyed by username, not address, so no address change gets more tries. Unknown
 * usernames are counted the same way, so a lockout does not tell which usernames exist.
 * Kept in memory per node with a bounded number of entries (the oldest are forgotten first).
 */
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

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: LoginThrottleOptions = defaultLoginThrottle) {}

  /** Milliseconds the username is still locked for at `now` (0 when it may try). */
  lockedFor(username: string, now: number): number {
    const e = this.live(username, now);
    return e ? Math.max(0, e.lockedUntil - now) : 0;
  }

  recordFailure(username: string, now: number): void {
    const key = keyOf(username);
    const e = this.live(username, now) ?? { failures: 0, lockedUntil: 0, lastFailureAt: now };
    e.failures++;
    e.lastFailureAt = now;
    const over = e.failures - this.opts.freeFailures;
    if (over > 0) e.lockedUntil = now + Math.min(this.opts.maxLockMs, this.opts.baseLockMs * 2 ** Math.min(over - 1, 30));
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  recordSuccess(username: string): void {
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

const keyOf = (username: string) => username.normalize('NFKC').toLowerCase();
