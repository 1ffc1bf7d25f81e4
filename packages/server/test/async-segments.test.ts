/**
 * Issue 12, items 2 and 3. Async is decided by the deployment (per chat endpoint, with a default),
 * as Genesys decides it on the server: the real clients' start requests carry no async field.
 * Seed 000's segments: in an async session a customer message after the agent closed the segment
 * (Finalizing or Completed) starts the next interaction, offered first to that agent, unless the
 * after-completion policy answers it with the notice; the agent's wrap-up is not disturbed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GmsCustomer, gmsStartForm, GuestCustomer, guestCreateBody } from './compat-helpers.js';
import { Agent, createStaff, http, SteppedClock, startServerWithAdmin, V3Customer, type Running } from './helpers.js';

/** The v3 start the Genesys Widgets client sends (reference §1): no async field. */
function genesysV3Start(endpoint: string) {
  return {
    firstName: 'Jonny',
    lastName: 'Smith',
    nickname: 'Jonny',
    endpoint,
    stream: 'live',
    email: 'j@x.io',
    subject: 'product questions',
    userData: {
      _genesys_source: 'web',
      _genesys_referrer: '',
      _genesys_url: 'http://shop.example/',
      _genesys_pageTitle: 'Shop',
      _genesys_browser: 'Chrome',
      _genesys_OS: 'Linux',
      customerId: '59606',
    },
  };
}

const states = (seen: any[]) => seen.filter((m) => m.type === 'System' && m.event === 'InteractionStateChange').map((m) => m.data.interactionState);

describe('async decided by the deployment', () => {
  let srv: Running;
  let admin: Agent;
  let agent: Agent;
  beforeAll(async () => {
    ({ srv, admin } = await startServerWithAdmin());
    agent = await new Agent(srv.url).login();
  });
  afterAll(() => srv.close());

  const asyncOf = async (sessionId: string) => (await agent.call('GET', `/sessions/${sessionId}`)).body.session.async as boolean;
  const setPolicy = async (asyncPolicy: Record<string, unknown>) => {
    const list = await http(`${srv.url}/admin/v1/deployments`, { headers: { authorization: `Bearer ${admin.token}` } });
    const demo = (list.body.deployments as any[]).find((x) => x.id === 'demo');
    const r = await http(`${srv.url}/admin/v1/deployments/demo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin.token}` },
      json: { name: demo.name, allowedOrigins: demo.allowedOrigins, defaultQueue: demo.defaultQueue, settings: demo.settings, asyncPolicy: { ...demo.asyncPolicy, ...asyncPolicy } },
    });
    expect(r.status).toBe(200);
    return r;
  };

  it("the demo: a Genesys v3 start is async on the demo's `async` endpoint, synchronous on `default`; Parley's SDK may still ask", async () => {
    const onAsync = new V3Customer(srv.url);
    const r = await onAsync.start(genesysV3Start('async'));
    expect(r.body.data.async).toBe(true);
    expect(await asyncOf(onAsync.sessionId)).toBe(true);

    const onDefault = new V3Customer(srv.url);
    await onDefault.start(genesysV3Start('default'));
    expect(await asyncOf(onDefault.sessionId)).toBe(false);

    const asking = new V3Customer(srv.url);
    await asking.start({ ...genesysV3Start('default'), async: 'true' });
    expect(await asyncOf(asking.sessionId)).toBe(true);
  });

  it('per endpoint on each API (v3 data[endpoint], GMS service name, guest target queue), names in any case, with the default', async () => {
    await setPolicy({ mode: 'sync', endpoints: { 'Async-Chat': 'async', billing: 'async' } });
    const v3 = new V3Customer(srv.url);
    await v3.start(genesysV3Start('async-chat'));
    expect(await asyncOf(v3.sessionId)).toBe(true);
    // A sync default: Parley's SDK asking is not enough.
    const asking = new V3Customer(srv.url);
    await asking.start({ ...genesysV3Start('default'), async: 'true' });
    expect(await asyncOf(asking.sessionId)).toBe(false);

    const gmsAsync = new GmsCustomer(srv.url, 'Billing');
    await gmsAsync.start(gmsStartForm());
    expect(await asyncOf(gmsAsync.chatId)).toBe(true);
    const gmsSync = new GmsCustomer(srv.url, 'customer-support');
    await gmsSync.start(gmsStartForm());
    expect(await asyncOf(gmsSync.chatId)).toBe(false);

    const guestAsync = new GuestCustomer(srv.url);
    await guestAsync.create(guestCreateBody('demo', { routingTarget: { targetAddress: 'BILLING', targetType: 'QUEUE' } }));
    expect(await asyncOf(guestAsync.id)).toBe(true);
    const guestSync = new GuestCustomer(srv.url);
    await guestSync.create(guestCreateBody('demo'));
    expect(await asyncOf(guestSync.id)).toBe(false);

    // An async default, an endpoint kept synchronous.
    await setPolicy({ mode: 'async', endpoints: { billing: 'sync' } });
    const gms2 = new GmsCustomer(srv.url, 'customer-support');
    await gms2.start(gmsStartForm());
    expect(await asyncOf(gms2.chatId)).toBe(true);
    const guest2 = new GuestCustomer(srv.url);
    await guest2.create(guestCreateBody('demo', { routingTarget: { targetAddress: 'Billing', targetType: 'QUEUE' } }));
    expect(await asyncOf(guest2.id)).toBe(false);
    const v3b = new V3Customer(srv.url);
    await v3b.start(genesysV3Start('default'));
    expect(await asyncOf(v3b.sessionId)).toBe(true);
  });

  it('the admin API validates endpoints', async () => {
    const list = await http(`${srv.url}/admin/v1/deployments`, { headers: { authorization: `Bearer ${admin.token}` } });
    const demo = (list.body.deployments as any[]).find((x) => x.id === 'demo');
    const bad = await http(`${srv.url}/admin/v1/deployments/demo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin.token}` },
      json: { name: demo.name, asyncPolicy: { ...demo.asyncPolicy, endpoints: { x: 'sometimes' } } },
    });
    expect(bad.status).toBe(400);
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`e${i}`, 'async']));
    const tooMany = await http(`${srv.url}/admin/v1/deployments/demo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin.token}` },
      json: { name: demo.name, asyncPolicy: { ...demo.asyncPolicy, endpoints: many } },
    });
    expect(tooMany.status).toBe(400);
  });
});

describe("seed 000's segments", () => {
  let srv: Running;
  let clock: SteppedClock;
  let admin: Agent;
  beforeAll(async () => {
    clock = new SteppedClock();
    ({ srv, admin } = await startServerWithAdmin({}, clock));
  });
  afterAll(() => srv.close());

  const ready = (a: Agent) => a.call('PUT', '/me/presence', { presence: 'Ready' });
  const interactions = async (a: Agent, sessionId: string) => (await a.call('GET', `/sessions/${sessionId}`)).body.interactions as any[];
  /** Routing's own fields (the preferred agent) are not on the agent API's wire: read them where they are kept. */
  const stored = (interactionId: string) => srv.parley.store.tx((tx) => tx.getInteraction(interactionId));
  const setAfterCompletion = async (afterCompletion: 'route' | 'notice') => {
    const list = await http(`${srv.url}/admin/v1/deployments`, { headers: { authorization: `Bearer ${admin.token}` } });
    const demo = (list.body.deployments as any[]).find((x) => x.id === 'demo');
    const r = await http(`${srv.url}/admin/v1/deployments/demo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin.token}` },
      json: { name: demo.name, allowedOrigins: demo.allowedOrigins, defaultQueue: demo.defaultQueue, settings: demo.settings, asyncPolicy: { ...demo.asyncPolicy, afterCompletion } },
    });
    expect(r.status).toBe(200);
  };

  it('a message while Finalizing starts the next interaction, offered to the same agent; the wrap-up goes on; the agent stays for the new one', async () => {
    await setAfterCompletion('route');
    const { staff } = await createStaff(srv.url, [{ username: 'first-agent' }, { username: 'other-agent' }]);
    const [first, other] = staff as [Agent, Agent];
    try {
      await segmentWithTwoInteractions(first, other);
    } finally {
      for (const a of [first, other]) await a.call('PUT', '/me/presence', { presence: 'NotReady' });
    }
  });

  async function segmentWithTwoInteractions(first: Agent, other: Agent) {
    await ready(first);
    const customer = new V3Customer(srv.url);
    await customer.start(genesysV3Start('async'));
    await srv.parley.routing.routeOnce();
    const i1 = await first.acceptFor(customer.sessionId);
    await first.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: 'Your order shipped.' });
    expect((await first.call('POST', `/interactions/${i1.id}/done`)).status).toBe(200);
    await customer.pollUntil((seen) => states(seen).includes('Finalizing'));

    // The other agent is Ready and idle longer: the sticky rule still offers the new interaction to the first.
    await ready(other);
    clock.advance(1000);
    expect((await customer.send('Text', 'thank you!')).status).toBe(200);
    const firstId = (await first.call('GET', '/me')).body.account.id;
    let all = await interactions(first, customer.sessionId);
    // The server's router may already have offered it.
    expect(all.map((i) => i.state)).toEqual(['Finalizing', expect.stringMatching(/^(Queued|Offered)$/)]);
    const i2 = all[1];
    expect((await stored(i2.id))?.preferredAgentId).toBe(firstId);
    await srv.parley.routing.routeOnce();
    all = await interactions(first, customer.sessionId);
    expect(all.map((i) => i.state)).toEqual(['Finalizing', 'Offered']);
    expect(all[1].agentAccountId).toBe(firstId);
    expect(((await other.call('GET', '/interactions?mine=true')).body.interactions as any[]).some((i) => i.sessionId === customer.sessionId)).toBe(false);

    // The customer writing more while the new one waits opens nothing more.
    await customer.send('Text', 'and one more thing');
    expect((await interactions(first, customer.sessionId)).length).toBe(2);

    // Accept the new one, then finish the wrap-up of the old one: the agent stays in the conversation.
    expect((await first.call('POST', `/interactions/${i2.id}/accept`)).status).toBe(200);
    const wrap = await first.call('POST', `/interactions/${i1.id}/complete`, { wrapUpCode: 'resolved' });
    expect(wrap.status).toBe(200);
    all = await interactions(first, customer.sessionId);
    expect(all.map((i) => [i.id, i.state])).toEqual([
      [i1.id, 'Completed'],
      [i2.id, 'Handling'],
    ]);
    expect(all[0].wrapUpCode).toBe('resolved');
    expect((await first.call('POST', `/sessions/${customer.sessionId}/messages`, { type: 'Text', text: 'Glad to help again.' })).status).toBe(200);
    await customer.pollUntil((seen) => seen.some((m) => m.text === 'Glad to help again.'));
    expect(customer.seen.filter((m) => m.type === 'ParticipantLeft')).toEqual([]);
    // The old interaction's completion is for staff only: the customer follows the new one.
    expect(states(customer.seen)).toEqual(['Queued', 'Offered', 'Handling', 'Finalizing', 'Queued', 'Offered', 'Handling']);
    const staffView = (await first.call('GET', `/sessions/${customer.sessionId}/messages`)).body.messages as any[];
    expect(staffView.filter((m) => m.type === 'System' && m.data?.interactionState === 'Completed').map((m) => m.visibility)).toEqual(['Int']);
  }

  it('a message after Completed is routed too; completing the wrap-up first, the agent leaves and joins again on accept', async () => {
    await setAfterCompletion('route');
    const agent = await new Agent(srv.url).login();
    const customer = new V3Customer(srv.url);
    await customer.start(genesysV3Start('async'));
    const i1 = await agent.acceptFor(customer.sessionId);
    await agent.call('POST', `/interactions/${i1.id}/done`);
    await agent.call('POST', `/interactions/${i1.id}/complete`, {});
    await customer.send('Text', 'back again');
    const all = await interactions(agent, customer.sessionId);
    expect(all.map((i) => i.state)).toEqual(['Completed', 'Queued']);
    expect((await stored(all[1].id))?.preferredAgentId).toBe(i1.agentAccountId);
    await agent.acceptFor(customer.sessionId);
    await customer.pollUntil((seen) => seen.filter((m) => m.type === 'ParticipantJoined' && m.from.type === 'Agent').length === 2);
    expect(customer.seen.filter((m) => m.type === 'ParticipantLeft' && m.from.type === 'Agent')).toHaveLength(1);
  });

  it('the notice policy: a message within the window of Finalizing gets the notice and no interaction; after it, one is routed', async () => {
    await setAfterCompletion('notice');
    const agent = await new Agent(srv.url).login();
    const customer = new V3Customer(srv.url);
    await customer.start(genesysV3Start('async'));
    const i1 = await agent.acceptFor(customer.sessionId);
    await agent.call('POST', `/interactions/${i1.id}/done`);
    await customer.send('Text', 'thanks!');
    await customer.pollUntil((seen) => seen.some((m) => m.type === 'Notice' && m.from.type === 'System' && /automated message/.test(m.text)));
    expect((await interactions(agent, customer.sessionId)).map((i) => i.state)).toEqual(['Finalizing']);

    clock.advance(61_000);
    await customer.send('Text', 'actually, one more question');
    expect((await interactions(agent, customer.sessionId)).map((i) => i.state)).toEqual(['Finalizing', 'Queued']);
    await agent.call('POST', `/interactions/${i1.id}/complete`, {});
    expect((await interactions(agent, customer.sessionId)).map((i) => i.state)).toEqual(['Completed', 'Queued']);
    expect(customer.seen.filter((m) => m.type === 'Notice')).toHaveLength(1);
  });

  it('synchronous: a message while Finalizing opens nothing; completing the wrap-up ends the chat', async () => {
    await setAfterCompletion('route');
    const agent = await new Agent(srv.url).login();
    const customer = new V3Customer(srv.url);
    await customer.start(genesysV3Start('default'));
    const i1 = await agent.acceptFor(customer.sessionId);
    await agent.call('POST', `/interactions/${i1.id}/done`);
    expect((await customer.send('Text', 'thank you')).status).toBe(200);
    expect((await interactions(agent, customer.sessionId)).map((i) => i.state)).toEqual(['Finalizing']);
    await agent.call('POST', `/interactions/${i1.id}/complete`, {});
    await customer.pollUntil((seen) => states(seen).includes('Completed'));
    let last: any;
    for (let i = 0; i < 5 && !last?.body.data.chatEnded; i++) last = await customer.poll();
    expect(last.body.data.chatEnded).toBe(true);
    expect((await interactions(agent, customer.sessionId)).map((i) => i.state)).toEqual(['Completed']);
  });
});
