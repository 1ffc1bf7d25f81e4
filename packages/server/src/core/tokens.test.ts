import { describe, expect, it } from 'vitest';
import { TokenService } from './tokens.js';

const HOUR = 3_600_000;
/** A clock far from the wall clock, as a test server's stepped clock can be. */
const START = Date.parse('2020-03-01T12:00:00.000Z');

describe('TokenService on its clock', () => {
  it("dates a staff token's expiry from its clock, and verifies it against that clock", async () => {
    let now = START;
    const tokens = new TokenService('a-secret-of-enough-length-for-hs256-signing', 2 * 3600, { now: () => now });
    const { token, expiresAt } = await tokens.signStaffToken('ann', 'agent', 3);
    expect(expiresAt).toBe(new Date(START + 2 * HOUR).toISOString());
    expect(await tokens.verifyStaffToken(token)).toEqual({ accountId: 'ann', role: 'agent', generation: 3, expiresAtMs: START + 2 * HOUR });
    now = START + 2 * HOUR - 1000;
    expect(await tokens.verifyStaffToken(token)).not.toBeNull();
    now = START + 2 * HOUR + 1000;
    expect(await tokens.verifyStaffToken(token)).toBeNull();
  });

  it('refuses a client token once its lifetime has passed on the clock', async () => {
    let now = START;
    const tokens = new TokenService('a-secret-of-enough-length-for-hs256-signing', 3600, { clientTokenTtlSeconds: 60, now: () => now });
    const token = await tokens.signClientToken({ sessionId: 's', transportId: 't', participantId: 'p', deploymentId: 'd' });
    expect(await tokens.verifyClientToken(token)).toEqual({ sessionId: 's', transportId: 't', participantId: 'p', deploymentId: 'd', ext: false });
    now = START + 61_000;
    expect(await tokens.verifyClientToken(token)).toBeNull();
  });
});
