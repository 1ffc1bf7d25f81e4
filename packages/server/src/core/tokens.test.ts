import { afterEach, describe, expect, it, vi } from 'vitest';
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
    expect(await tokens.verifyClientToken(token)).toEqual({ sessionId: 's', transportId: 't', participantId: 'p', deploymentId: 'd', ext: false, expiresAtMs: (Math.floor(START / 1000) + 60) * 1000 });
    now = START + 61_000;
    expect(await tokens.verifyClientToken(token)).toBeNull();
  });
});

describe('TokenService work per verify', () => {
  const SECRET = 'a-secret-of-enough-length-for-hs256-signing';
  afterEach(() => vi.restoreAllMocks());

  it('imports the HMAC key once, not once per verify (issue 16: ~200 µs each)', async () => {
    const signer = new TokenService(SECRET, 3600);
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => signer.signClientToken({ sessionId: `s${i}`, transportId: 't', participantId: 'p', deploymentId: 'd' })));
    const staff = await signer.signStaffToken('ann', 'agent', 0);
    const imports = vi.spyOn(crypto.subtle, 'importKey');
    const verifier = new TokenService(SECRET, 3600);
    for (const t of tokens) expect((await verifier.verifyClientToken(t))?.sessionId).toMatch(/^s\d+$/);
    expect((await verifier.verifyStaffToken(staff.token))?.accountId).toBe('ann');
    await verifier.signClientToken({ sessionId: 's', transportId: 't', participantId: 'p', deploymentId: 'd' });
    expect(imports).toHaveBeenCalledTimes(1);
  });

  it('verifies a token once and answers it from memory until it expires; a bad or foreign token is refused every time', async () => {
    let now = START;
    const tokens = new TokenService(SECRET, 3600, { clientTokenTtlSeconds: 600, now: () => now });
    const token = await tokens.signClientToken({ sessionId: 's', transportId: 't', participantId: 'p', deploymentId: 'd' });
    const verifies = vi.spyOn(crypto.subtle, 'verify');
    for (let i = 0; i < 10; i++) expect(await tokens.verifyClientToken(token)).not.toBeNull();
    expect(verifies).toHaveBeenCalledTimes(1);
    // A customer token is no staff token, remembered or not.
    expect(await tokens.verifyStaffToken(token)).toBeNull();
    const forged = new TokenService('another-secret-of-enough-length-for-hs256', 3600, { now: () => now });
    const foreign = await forged.signClientToken({ sessionId: 's', transportId: 't', participantId: 'p', deploymentId: 'd' });
    expect(await tokens.verifyClientToken(foreign)).toBeNull();
    expect(await tokens.verifyClientToken(foreign)).toBeNull();
    expect(await tokens.verifyClientToken(token.slice(0, -2) + 'xx')).toBeNull();
    now = START + 601_000;
    expect(await tokens.verifyClientToken(token)).toBeNull();
  });
});
