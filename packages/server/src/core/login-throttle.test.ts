import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.js';

const opts: LoginThrottleOptions = { freeFailures: 3, baseLockMs: 1_000, maxLockMs: 8_000, forgetAfterMs: 60_000, maxEntries: 4 };

/** The rule, written plainly: the lock after the nth failure in a row (n > free) is base·2^(n-free-1), capped. */
function expectedLock(failuresInARow: number): number {
  const over = failuresInARow - opts.freeFailures;
  return over > 0 ? Math.min(opts.maxLockMs, opts.baseLockMs * 2 ** (over - 1)) : 0;
}

describe('LoginThrottle', () => {
  it('locks as the rule says after any run of failures and successes, never longer than the cap', () => {
    const step = fc.record({ user: fc.constantFrom('ann', 'ANN', 'bob'), ok: fc.boolean(), waitMs: fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.constant(61_000)) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const t = new LoginThrottle(opts);
        const inARow = new Map<string, { n: number; at: number }>();
        let now = 0;
        for (const s of steps) {
          now += s.waitMs;
          const key = s.user.toLowerCase();
          const left = t.lockedFor(s.user, now);
          let last = inARow.get(key);
          if (last && now - last.at > opts.forgetAfterMs && now >= last.at + expectedLock(last.n)) {
            inARow.delete(key);
            last = undefined;
          }
          const expected = last ? Math.max(0, last.at + expectedLock(last.n) - now) : 0;
          expect(left).toBe(expected);
          expect(left).toBeLessThanOrEqual(opts.maxLockMs);
          if (left > 0) continue; // a locked username is refused before its password is looked at
          if (s.ok) {
            t.recordSuccess(s.user);
            inARow.delete(key);
          } else {
            t.recordFailure(s.user, now);
            inARow.set(key, { n: (last?.n ?? 0) + 1, at: now });
          }
        }
      }),
    );
  });

  it('forgets old failures, and the oldest usernames first when full', () => {
    const t = new LoginThrottle(opts);
    for (let i = 0; i < 4; i++) t.recordFailure('old', 0);
    expect(t.lockedFor('old', 500)).toBe(500);
    expect(t.lockedFor('old', 61_001)).toBe(0);
    for (let i = 0; i < 4; i++) t.recordFailure('first', 100_000);
    for (const u of ['b', 'c', 'd', 'e']) t.recordFailure(u, 100_000);
    expect(t.lockedFor('first', 100_001)).toBe(0);
  });
});
