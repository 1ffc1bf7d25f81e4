import fc from 'fast-check';
import { expect } from 'vitest';
import type { LoginThrottle, LoginThrottleOptions } from './login-throttle.js';

export const throttleTestOptions: LoginThrottleOptions = { freeFailures: 3, baseLockMs: 1_000, maxLockMs: 8_000, forgetAfterMs: 60_000, maxEntries: 4 };

/** The rule, written plainly: the lock after the nth failure in a row (n > free) is base·2^(n-free-1), capped. */
function expectedLock(failuresInARow: number, opts: LoginThrottleOptions): number {
  const over = failuresInARow - opts.freeFailures;
  return over > 0 ? Math.min(opts.maxLockMs, opts.baseLockMs * 2 ** (over - 1)) : 0;
}

/**
 * Any LoginThrottle (in memory, in Redis) locks as the rule says after any run of failures and
 * successes, never longer than the cap. `make` gives a fresh, empty throttle for each run.
 */
export async function checkFollowsTheRule(make: () => LoginThrottle, opts = throttleTestOptions, numRuns = 100): Promise<void> {
  const step = fc.record({ user: fc.constantFrom('ann', 'ANN', 'bob'), ok: fc.boolean(), waitMs: fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.constant(61_000)) });
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
      const t = make();
      const inARow = new Map<string, { n: number; at: number }>();
      let now = 0;
      for (const s of steps) {
        now += s.waitMs;
        const key = s.user.toLowerCase();
        const left = await t.lockedFor(s.user, now);
        let last = inARow.get(key);
        if (last && now - last.at > opts.forgetAfterMs && now >= last.at + expectedLock(last.n, opts)) {
          inARow.delete(key);
          last = undefined;
        }
        const expected = last ? Math.max(0, last.at + expectedLock(last.n, opts) - now) : 0;
        expect(left).toBe(expected);
        expect(left).toBeLessThanOrEqual(opts.maxLockMs);
        if (left > 0) continue; // a locked username is refused before its password is looked at
        if (s.ok) {
          await t.recordSuccess(s.user);
          inARow.delete(key);
        } else {
          await t.recordFailure(s.user, now);
          inARow.set(key, { n: (last?.n ?? 0) + 1, at: now });
        }
      }
    }),
    { numRuns },
  );
}
