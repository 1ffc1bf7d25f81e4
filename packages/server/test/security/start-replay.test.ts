import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, http, startServer, V3, type Running } from '../helpers.js';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());

/** Finding 4: repeating someone else's start operationId must not hand over their session. */
describe('a repeated start never gives a session to another client', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());

  const v3Start = (form: Record<string, unknown>, userAgent: string) => http(`${srv.url}${V3}`, { method: 'POST', headers: { 'x-api-key': API_KEY, 'user-agent': userAgent }, form });

  it('consumer v3: another client repeating the operationId gets a session of its own', async () => {
    const victim = await v3Start({ data: { firstName: 'Victim', userData: { account: '42' } }, operationId: 'shared-op-1' }, 'VictimBrowser/1.0');
    expect(victim.status).toBe(200);
    // The same operationId from another browser, with the victim's exact body…
    const sameBody = await v3Start({ data: { firstName: 'Victim', userData: { account: '42' } }, operationId: 'shared-op-1' }, 'Attacker/1.0');
    // …or from the same kind of browser with a body of its own.
    const ownBody = await v3Start({ data: { firstName: 'Mallory' }, operationId: 'shared-op-1' }, 'VictimBrowser/1.0');
    for (const r of [sameBody, ownBody]) {
      expect(r.status).toBe(200);
      expect(r.body.data.sessionId).not.toBe(victim.body.data.sessionId);
      expect(r.body.data.clientToken).not.toBe(victim.body.data.clientToken);
      expect(claimsOf(r.body.data.clientToken).sessionId).not.toBe(victim.body.data.sessionId);
      // The victim's transcript stays closed to the other client's token.
      const read = await http(`${srv.url}${V3}/${victim.body.data.sessionId}/messages?count=10`, { headers: { 'x-api-key': API_KEY, 'x-nexus-client-key': r.body.data.clientToken } });
      expect(read.status).toBe(403);
    }
  });

  it('consumer v3: the first client retrying its own start still gets its one session', async () => {
    const form = { data: { firstName: 'Retry' }, operationId: 'retry-op-1' };
    const first = await v3Start(form, 'RetryBrowser/2.0');
    const again = await v3Start(form, 'RetryBrowser/2.0');
    expect(again.body.data.sessionId).toBe(first.body.data.sessionId);
  });

  it('GMS and guest chat: every start is a session of its own', async () => {
    const gms = () => http(`${srv.url}/genesys/2/chat/Support`, { method: 'POST', headers: { apikey: API_KEY }, form: { nickname: 'Same', operationId: 'gms-op' } });
    const [g1, g2] = [await gms(), await gms()];
    expect(g1.status).toBe(200);
    expect(g2.body.chatId).not.toBe(g1.body.chatId);
    expect(g2.body.secureKey).not.toBe(g1.body.secureKey);
    const guest = () => http(`${srv.url}/api/v2/webchat/guest/conversations`, { method: 'POST', json: { deploymentId: 'demo', operationId: 'guest-op', memberInfo: { displayName: 'Same' } } });
    const [c1, c2] = [await guest(), await guest()];
    expect(c1.status).toBe(200);
    expect(c2.body.id).not.toBe(c1.body.id);
  });
});
