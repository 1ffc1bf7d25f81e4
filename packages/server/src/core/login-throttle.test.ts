import { describe, expect, it } from 'vitest';
import { MemoryLoginThrottle } from './login-throttle.js';
import { checkFollowsTheRule, throttleTestOptions as opts } from './login-throttle.testkit.js';

describe('MemoryLoginThrottle', () => {
  it('locks as the rule says after any run of failures and successes, never longer than the cap', async () => {
    await checkFollowsTheRule(() => new MemoryLoginThrottle(opts));
  });

  it('forgets old failures, and the oldest usernames first when full', async () => {
    const t = new MemoryLoginThrottle(opts);
    for (let i = 0; i < 4; i++) await t.recordFailure('old', 0);
    expect(await t.lockedFor('old', 500)).toBe(500);
    expect(await t.lockedFor('old', 61_001)).toBe(0);
    for (let i = 0; i < 4; i++) await t.recordFailure('first', 100_000);
    for (const u of ['b', 'c', 'd', 'e']) await t.recordFailure(u, 100_000);
    expect(await t.lockedFor('first', 100_001)).toBe(0);
  });
});
