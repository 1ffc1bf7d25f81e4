import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, API_KEY, http, startServer, type Running } from './helpers.js';
import { GUEST, GmsCustomer, gmsStartForm, GuestCustomer, guestCreateBody, StreamClient } from './compat-helpers.js';

/** Parley's SDK asks for interaction state changes on GMS and guest chat (seed 000's page code needs them). */
describe('opt-in wire extension: interaction state changes on GMS and guest chat', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(() => srv.close());

  it('GMS: a client that asks gets System InteractionStateChange messages; one that does not never does', async () => {
    const plain = new GmsCustomer(srv.url);
    await plain.start();
    const ext = new GmsCustomer(srv.url);
    ext.headers = () => ({ apikey: API_KEY, 'x-parley-extensions': 'interaction-state' });
    await ext.start(gmsStartForm());
    const agent = await new Agent(srv.url).login();
    for (const c of [plain, ext]) {
      const i = await agent.acceptFor(c.chatId);
      await agent.call('POST', `/interactions/${i.id}/done`);
    }
    const seenExt = await ext.refreshUntil((seen) => seen.some((m) => m.type === 'System' && m.data?.interactionState === 'Finalizing'));
    expect(seenExt.find((m) => m.type === 'System')).toMatchObject({ type: 'System', event: 'InteractionStateChange', data: { interactionState: expect.any(String) } });
    const seenPlain = await plain.refreshUntil((seen) => seen.some((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent'));
    await plain.call('refresh', { transcriptPosition: 1 });
    expect(JSON.stringify(seenPlain)).not.toContain('InteractionStateChange');
  });

  it('guest chat: the stream of a client that asked carries state changes as notices with event and data', async () => {
    const ext = new GuestCustomer(srv.url);
    const r = await http(`${srv.url}${GUEST}`, { method: 'POST', headers: { 'x-parley-extensions': 'interaction-state' }, json: guestCreateBody('demo') });
    expect(r.status).toBe(200);
    Object.assign(ext, { id: r.body.id, jwt: r.body.jwt, memberId: r.body.member.id, eventStreamUri: r.body.eventStreamUri });
    const s: StreamClient = ext.stream();
    const agent = await new Agent(srv.url).login();
    const i = await agent.acceptFor(ext.id);
    await agent.call('POST', `/interactions/${i.id}/done`);
    const body = await s.until((frames: any[]) => frames.map((f) => f.eventBody).find((b) => b?.event === 'InteractionStateChange' && b.data.interactionState === 'Finalizing'));
    expect(body).toMatchObject({ bodyType: 'notice', body: '', event: 'InteractionStateChange' });
    await s.close();
  });
});
