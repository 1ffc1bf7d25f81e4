import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEADERSHIP_LEASE_MS } from '../src/core/leadership.js';
import { Agent, AGENT, createStaff, http, nodesOnOneData, startServer, SteppedClock, V3, V3Customer, type Running } from './helpers.js';

const states = (seen: any[]) => seen.filter((m) => m.type === 'System').map((m) => m.data.interactionState);

describe('routing: queues, offers, agents', () => {
  let srv: Running;
  let clock: SteppedClock;
  beforeEach(async () => {
    clock = new SteppedClock();
    srv = await startServer({}, clock);
  });
  afterEach(() => srv.close());

  const ready = (a: Agent) => a.call('PUT', '/me/presence', { presence: 'Ready' });
  const mine = async (a: Agent) => (await a.call('GET', '/interactions?mine=true')).body.interactions as any[];
  /** Routing's own fields (declined by, preferred agent) are not on the agent API's wire: read them where they are kept. */
  const stored = (interactionId: string) => srv.parley.store.tx((tx) => tx.getInteraction(interactionId));

  it('offers a queued interaction to a Ready agent, who accepts it', async () => {
    const agent = await new Agent(srv.url).login();
    const me = await agent.call('GET', '/me');
    expect(me.body.profile).toMatchObject({ presence: 'NotReady', capacity: 3 });
    expect((await ready(agent)).body.profile.presence).toBe('Ready');
    const c = new V3Customer(srv.url);
    await c.start();
    await srv.parley.routing.routeOnce();
    const offered = (await mine(agent)).find((i) => i.sessionId === c.sessionId);
    expect(offered).toMatchObject({ state: 'Offered', customer: { nickname: 'Jonny' } });
    expect(Date.parse(offered.offerExpiresAt)).toBeGreaterThan(clock.now());
    expect((await agent.call('POST', `/interactions/${offered.id}/accept`)).body.interaction.state).toBe('Handling');
    await c.pollUntil((seen) => states(seen).includes('Handling'));
    expect(states(c.seen)).toEqual(['Queued', 'Offered', 'Handling']);
  });

  it('moves an offer to the next agent after the offer timeout, and after a reject', async () => {
    const { staff } = await createStaff(srv.url, [{ username: 'ann' }, { username: 'bob' }, { username: 'cy' }]);
    const [ann, bob, cy] = staff as [Agent, Agent, Agent];
    await ready(ann);
    clock.advance(1000);
    await ready(bob);
    clock.advance(1000);
    await ready(cy);
    const c = new V3Customer(srv.url);
    await c.start();
    await srv.parley.routing.routeOnce();
    const first = (await mine(ann))[0];
    expect(first?.state).toBe('Offered');
    expect(await mine(bob)).toEqual([]);
    // Ann lets it time out (the demo queue offers for 30 s).
    clock.advance(31_000);
    await srv.parley.routing.routeOnce();
    expect(await mine(ann)).toEqual([]);
    const second = (await mine(bob))[0];
    expect(second?.id).toBe(first.id);
    expect((await stored(second.id))?.declinedBy).toEqual([(await ann.call('GET', '/me')).body.account.id]);
    // Bob rejects: it goes to Cy, never back to Ann or Bob.
    expect((await bob.call('POST', `/interactions/${first.id}/reject`)).status).toBe(200);
    await srv.parley.routing.routeOnce();
    expect((await mine(cy))[0]?.id).toBe(first.id);
    expect((await ann.call('POST', `/interactions/${first.id}/accept`)).status).toBe(409);
    expect((await cy.call('POST', `/interactions/${first.id}/accept`)).status).toBe(200);
  });

  it('assigns exactly once when many agents accept at the same moment', async () => {
    const { staff } = await createStaff(
      srv.url,
      Array.from({ length: 12 }, (_, i) => ({ username: `racer${i}` })),
    );
    const c = new V3Customer(srv.url);
    await c.start();
    const queued = await staff[0]!.queued(c.sessionId);
    const results = await Promise.all(staff.map((a) => a.call('POST', `/interactions/${queued.id}/accept`)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(11);
    await c.pollUntil((seen) => states(seen).includes('Handling'));
    expect(c.seen.filter((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent')).toHaveLength(1);
  });

  it('respects capacity and skills', async () => {
    const { staff } = await createStaff(srv.url, [
      { username: 'solo', capacity: 1 },
      { username: 'biller', capacity: 5, skills: { billing: 3 } },
    ]);
    const [solo, biller] = staff as [Agent, Agent];
    await ready(solo);
    const c1 = new V3Customer(srv.url);
    await c1.start();
    const c2 = new V3Customer(srv.url);
    await c2.start();
    await srv.parley.routing.routeOnce();
    expect((await mine(solo)).map((i) => i.sessionId)).toEqual([c1.sessionId]);
    // Transfer to the Billing queue: only an agent with the billing skill gets it.
    await solo.call('POST', `/interactions/${(await mine(solo))[0].id}/accept`);
    const handling = (await mine(solo))[0];
    const t = await solo.call('POST', `/interactions/${handling.id}/transfer`, { queue: 'Billing' });
    expect(t.status).toBe(200);
    expect(t.body.interaction).toMatchObject({ state: 'Queued', queue: 'Billing' });
    await ready(biller);
    await srv.parley.routing.routeOnce();
    const billed = await mine(biller);
    expect(billed.map((i) => i.sessionId)).toContain(c1.sessionId);
    expect((await mine(solo)).map((i) => i.sessionId)).toEqual([c2.sessionId]);
    expect((await solo.call('POST', `/interactions/${handling.id}/transfer`, { queue: 'Nope' })).status).toBe(409);
  });

  it('transfers to a named agent, conferences a second agent, and an Int consult stays internal', async () => {
    const { staff } = await createStaff(srv.url, [{ username: 'first' }, { username: 'second' }, { username: 'third' }]);
    const [first, second, third] = staff as [Agent, Agent, Agent];
    const c = new V3Customer(srv.url);
    await c.start();
    const i = await first.acceptFor(c.sessionId);
    const thirdId = (await third.call('GET', '/me')).body.account.id;
    expect((await first.call('POST', `/sessions/${c.sessionId}/conference`, { agentId: thirdId })).status).toBe(200);
    expect((await third.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: 'consult: refund ok?', visibility: 'Int' })).status).toBe(200);
    expect((await first.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'PushUrl', url: 'https://example.com/help' })).status).toBe(200);
    expect((await first.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'PushUrl', url: 'javascript:alert(1)' })).status).toBe(400);
    const secondId = (await second.call('GET', '/me')).body.account.id;
    await ready(second);
    const moved = await first.call('POST', `/interactions/${i.id}/transfer`, { agentId: secondId });
    expect(moved.body.interaction).not.toHaveProperty('preferredAgentId');
    expect((await stored(i.id))?.preferredAgentId).toBe(secondId);
    await srv.parley.routing.routeOnce();
    expect((await mine(second))[0]).toMatchObject({ id: i.id, state: 'Offered' });
    await second.call('POST', `/interactions/${i.id}/accept`);
    await c.pollUntil((seen) => seen.filter((m) => m.type === 'ParticipantJoined').length >= 4);
    await c.poll('&wait=0');
    expect(c.seen.some((m) => m.text === 'consult: refund ok?')).toBe(false);
    expect(c.seen.some((m) => m.type === 'PushUrl' && m.url === 'https://example.com/help')).toBe(true);
    const agentView = await second.call('GET', `/sessions/${c.sessionId}/messages`);
    expect(agentView.body.messages.some((m: any) => m.text === 'consult: refund ok?' && m.visibility === 'Int')).toBe(true);
  });

  it('supervisors monitor (Int and Vip), whisper to the agent only, barge in, and set presence', async () => {
    const agent = await new Agent(srv.url).login();
    const sup = await new Agent(srv.url, { username: 'supervisor', password: AGENT.password }).login();
    const c = new V3Customer(srv.url);
    await c.start();
    await agent.acceptFor(c.sessionId);
    await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: 'note', visibility: 'Int' });
    const overview = await sup.call('GET', '/supervisor/overview');
    expect(overview.body.sessions.find((s: any) => s.id === c.sessionId)).toMatchObject({ interactionState: 'Handling', agentName: 'Demo Agent', customerName: 'Jonny' });
    expect(overview.body.agents.find((a: any) => a.displayName === 'Demo Agent')).toMatchObject({ active: 1 });
    expect((await agent.call('GET', '/supervisor/overview')).status).toBe(403);
    expect((await sup.call('POST', `/sessions/${c.sessionId}/monitor`)).status).toBe(200);
    expect((await sup.call('POST', `/sessions/${c.sessionId}/whisper`, { text: 'offer the discount' })).status).toBe(200);
    expect((await agent.call('POST', `/sessions/${c.sessionId}/whisper`, { text: 'x' })).status).toBe(403);
    const supView = (await sup.call('GET', `/sessions/${c.sessionId}/messages`)).body.messages;
    expect(supView.map((m: any) => m.visibility)).toEqual(expect.arrayContaining(['Int', 'Vip']));
    const agentView = (await agent.call('GET', `/sessions/${c.sessionId}/messages`)).body.messages;
    expect(agentView.some((m: any) => m.text === 'offer the discount' && m.visibility === 'Vip')).toBe(true);
    // Another agent never sees a whisper addressed to someone else.
    const { staff } = await createStaff(srv.url, [{ username: 'nosy' }]);
    expect((await staff[0]!.call('GET', `/sessions/${c.sessionId}/messages`)).status).toBe(403);
    await c.poll('&wait=0');
    expect(c.seen.some((m) => m.visibility !== 'All' || m.text === 'offer the discount' || m.text === 'note')).toBe(false);
    expect(c.seen.some((m) => m.from.type === 'Supervisor')).toBe(false);
    // Monitoring ends as silently as it began.
    expect((await sup.call('POST', `/sessions/${c.sessionId}/leave`)).status).toBe(200);
    expect((await sup.call('POST', `/sessions/${c.sessionId}/leave`)).status).toBe(409);
    expect((await sup.call('POST', `/sessions/${c.sessionId}/barge`)).status).toBe(200);
    expect((await sup.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: 'Hi, I am the supervisor.' })).status).toBe(200);
    await c.pollUntil((seen) => seen.some((m) => m.type === 'ParticipantJoined' && m.from.type === 'Supervisor') && seen.some((m) => m.text === 'Hi, I am the supervisor.'));
    const agentId = (await agent.call('GET', '/me')).body.account.id;
    const p = await sup.call('PUT', `/agents/${agentId}/presence`, { presence: 'NotReady', reason: 'Coaching' });
    expect(p.body.profile).toMatchObject({ presence: 'NotReady', reason: 'Coaching' });
    expect((await agent.call('PUT', `/agents/${agentId}/presence`, { presence: 'Ready' })).status).toBe(403);
  });

  it('offers a returning async customer to their last agent first', async () => {
    const { staff } = await createStaff(srv.url, [{ username: 'usual' }, { username: 'idle' }]);
    const [usual, idle] = staff as [Agent, Agent];
    await srv.parley.store.tx(async (tx) => {
      const d = (await tx.getDeployment('demo'))!;
      await tx.updateDeployment({ ...d, asyncPolicy: { ...d.asyncPolicy, afterCompletion: 'route' } });
    });
    // Written past the admin API: announced by hand, as the admin API does.
    await srv.parley.directory.changed();
    const c = new V3Customer(srv.url);
    await c.start({ firstName: 'Back', async: 'true' });
    const i = await usual.acceptFor(c.sessionId);
    await usual.call('POST', `/interactions/${i.id}/done`);
    await usual.call('POST', `/interactions/${i.id}/complete`, { wrapUpCode: 'resolved' });
    await ready(idle);
    clock.advance(5000);
    await ready(usual);
    await c.send('Text', 'me again');
    await srv.parley.routing.routeOnce();
    expect((await mine(usual)).filter((x) => x.state === 'Offered').map((x) => x.sessionId)).toEqual([c.sessionId]);
    expect(await mine(idle)).toEqual([]);
  });

  it('tells the waiting customer their place in the queue and an estimated wait', async () => {
    const customers = [new V3Customer(srv.url), new V3Customer(srv.url), new V3Customer(srv.url)];
    for (const c of customers) await c.start();
    const pos = await http(`${srv.url}${V3}/${customers[2]!.sessionId}/queue-position`, { headers: customers[2]!.headers() });
    expect(pos.status).toBe(200);
    expect(pos.body.data).toMatchObject({ state: 'Queued', queue: 'Support' });
    expect(pos.body.data.position).toBeGreaterThanOrEqual(3);
    // No Ready agent serves the queue: no invented estimate (it used to answer 60 s a place).
    expect(pos.body.data.estimatedWaitSeconds).toBeNull();
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(customers[2]!.sessionId);
    const after = await http(`${srv.url}${V3}/${customers[2]!.sessionId}/queue-position`, { headers: customers[2]!.headers() });
    expect(after.body.data).toMatchObject({ state: 'Handling', position: null });
    // A Ready agent serves the queue: now there is something to estimate from (waiting or offered).
    await ready(agent);
    const served = await http(`${srv.url}${V3}/${customers[0]!.sessionId}/queue-position`, { headers: customers[0]!.headers() });
    expect(served.body.data.position).toBeGreaterThanOrEqual(1);
    expect(served.body.data.estimatedWaitSeconds).toBeGreaterThan(0);
  });

  it('rejects unknown wrap-up codes and lists canned responses and wrap-up codes', async () => {
    const agent = await new Agent(srv.url).login();
    expect((await agent.call('GET', '/canned-responses')).body.cannedResponses.length).toBeGreaterThan(0);
    expect((await agent.call('GET', '/wrap-up-codes')).body.wrapUpCodes.map((c: any) => c.code)).toContain('resolved');
    const c = new V3Customer(srv.url);
    await c.start();
    const i = await agent.acceptFor(c.sessionId);
    await agent.call('POST', `/interactions/${i.id}/done`);
    const bad = await agent.call('POST', `/interactions/${i.id}/complete`, { wrapUpCode: 'bogus' });
    expect(bad.status).toBe(400);
    expect(bad.body.status.message).toMatch(/unknown wrap-up code "bogus"/);
    expect((await agent.call('POST', `/interactions/${i.id}/complete`, { wrapUpCode: 'resolved' })).body.interaction.wrapUpCode).toBe('resolved');
    const history = await agent.call('GET', '/sessions');
    expect(history.body.sessions.find((s: any) => s.id === c.sessionId).interactions).toHaveLength(1);
  });
});

describe('routing: a pass with nothing to do', () => {
  it('reads, opens no transaction and locks nothing: nothing queued, queued with nobody Ready, or every Ready agent full', async () => {
    const clock = new SteppedClock();
    const srv = await startServer({}, clock, { routeEveryMs: 3_600_000 });
    try {
      const transactions = () => srv.parley.store.work!.get('transactions');
      /** A pass by hand, after the one a change kicked: it offers nothing and opens no transaction. */
      const expectIdlePass = async () => {
        await srv.parley.routing.kick();
        const before = transactions();
        expect(await srv.parley.routing.routeOnce()).toEqual([]);
        expect(transactions() - before).toBe(0);
      };
      const agent = await new Agent(srv.url).login();
      expect((await agent.call('PUT', '/me/presence', { presence: 'Ready' })).status).toBe(200);
      await expectIdlePass();

      expect((await agent.call('PUT', '/me/presence', { presence: 'NotReady' })).status).toBe(200);
      const c = new V3Customer(srv.url);
      await c.start();
      await expectIdlePass();

      // With someone Ready the same queue is work: the pass offers the chat.
      expect((await agent.call('PUT', '/me/presence', { presence: 'Ready' })).status).toBe(200);
      await srv.parley.routing.kick();
      await srv.parley.routing.routeOnce();
      const mine = (await agent.call('GET', '/interactions?mine=true')).body.interactions as any[];
      expect(mine.map((i) => [i.sessionId, i.state])).toEqual([[c.sessionId, 'Offered']]);

      // A queue while the only Ready agent is at capacity: nothing to offer, no transaction.
      const { staff } = await createStaff(srv.url, [{ username: 'solo', capacity: 1 }]);
      const solo = staff[0]!;
      expect((await agent.call('PUT', '/me/presence', { presence: 'NotReady' })).status).toBe(200);
      expect((await agent.call('POST', `/interactions/${mine[0].id}/reject`)).status).toBe(200);
      expect((await solo.call('PUT', '/me/presence', { presence: 'Ready' })).status).toBe(200);
      await srv.parley.routing.kick();
      await srv.parley.routing.routeOnce();
      const offered = (await solo.call('GET', '/interactions?mine=true')).body.interactions as any[];
      expect(offered.map((i) => i.state)).toEqual(['Offered']);
      expect((await solo.call('POST', `/interactions/${offered[0].id}/accept`)).status).toBe(200);
      const next = new V3Customer(srv.url);
      await next.start();
      await expectIdlePass();
    } finally {
      await srv.close();
    }
  });
});

describe('routing on several nodes (core/leadership.ts)', () => {
  const nodes = nodesOnOneData();
  afterEach(() => nodes.close());

  it('one node runs the routing passes for all; when it stops, another takes them on within the lease', async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    expect(await a.parley.leadership.leads()).toBe(true);
    expect(await b.parley.leadership.leads()).toBe(false);
    const agent = await new Agent(b.url).login();
    await agent.call('PUT', '/me/presence', { presence: 'Ready' });
    const offeredFor = async (sessionId: string) => {
      for (let i = 0; i < 100; i++) {
        const mine = (await agent.call('GET', '/interactions?mine=true')).body.interactions as any[];
        if (mine.some((x) => x.sessionId === sessionId && x.state === 'Offered')) return Date.now();
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no offer for ${sessionId}`);
    };
    // Started on b, routed by a's pass (b does none).
    const first = new V3Customer(b.url);
    await first.start();
    await offeredFor(first.sessionId);
    // a stops; its lease runs out and b routes.
    const stopped = Date.now();
    await nodes.stop(a);
    const second = new V3Customer(b.url);
    await second.start();
    const offeredAt = await offeredFor(second.sessionId);
    expect(offeredAt - stopped).toBeLessThan(LEADERSHIP_LEASE_MS + 2_000);
    expect(await b.parley.leadership.leads()).toBe(true);
  });
});
