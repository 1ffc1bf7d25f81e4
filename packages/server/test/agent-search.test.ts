/**
 * GET /agent/v1/search through the server, on the store of the project (SQLite in `integration`,
 * PostgreSQL in `integration-pg`): words written by the chat's own write path are found, agents find
 * only conversations they took part in and never Vip text, supervisors find everything; filters,
 * paging, the preview and the customer's full name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentResponses } from '@parley/protocol';
import { Agent, createStaff, startServer, V3Customer, type Running } from './helpers.js';

describe('conversation search', () => {
  let srv: Running;
  let ann: Agent;
  let bob: Agent;
  let sup: Agent;
  let ids: { annId: string; bobId: string; code: string };
  const sessions: Record<string, string> = {};

  const search = async (who: Agent, query: Record<string, string>) => {
    const r = await who.call('GET', `/search?${new URLSearchParams(query)}`);
    if (r.status !== 200) throw new Error(`search ${r.status} ${JSON.stringify(r.body)}`);
    return agentResponses.search.parse(r.body);
  };
  const found = async (who: Agent, query: Record<string, string>) => (await search(who, query)).results.map((r) => r.id);

  async function chat(agent: Agent, customer: { firstName: string; lastName: string; email: string }, lines: { from: 'customer' | 'agent' | 'note'; text: string }[], wrapUpCode?: string) {
    const c = new V3Customer(srv.url);
    await c.start({ ...customer, nickname: customer.firstName, userData: { customerId: `id-${customer.firstName}` } });
    const interaction = await agent.acceptFor(c.sessionId);
    for (const line of lines) {
      if (line.from === 'customer') expect((await c.send('Text', line.text)).status).toBe(200);
      else expect((await agent.call('POST', `/sessions/${c.sessionId}/messages`, { type: 'Text', text: line.text, visibility: line.from === 'note' ? 'Int' : 'All' })).status).toBe(200);
    }
    if (wrapUpCode) {
      expect((await agent.call('POST', `/interactions/${interaction.id}/done`)).status).toBe(200);
      expect((await agent.call('POST', `/interactions/${interaction.id}/complete`, { wrapUpCode })).status).toBe(200);
    }
    return c.sessionId;
  }

  beforeAll(async () => {
    srv = await startServer();
    const { staff, admin } = await createStaff(srv.url, [{ username: 'ann-s' }, { username: 'bob-s' }, { username: 'sup-s', role: 'supervisor' }]);
    [ann, bob, sup] = staff as [Agent, Agent, Agent];
    const codes = (await admin.call('GET', '/wrap-up-codes')).body.wrapUpCodes as { code: string }[];
    const code = codes[0]!.code;
    ids = { annId: (await ann.call('GET', '/me')).body.account.id, bobId: (await bob.call('GET', '/me')).body.account.id, code };
    sessions.zoe = await chat(
      ann,
      { firstName: 'Zoë', lastName: 'Ünal', email: 'zoe@example.com' },
      [
        { from: 'customer', text: 'My parcel with order #4242 is late' },
        { from: 'note', text: 'carrier delay known' },
        { from: 'agent', text: 'Sorry, it ships tomorrow.' },
      ],
      code,
    );
    sessions.lee = await chat(bob, { firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com' }, [
      { from: 'customer', text: 'I want a refund for my parcel' },
      { from: 'agent', text: 'The refund is on its way' },
    ]);
    // A supervisor's whisper to Bob is Vip: only supervisors find it.
    expect((await sup.call('POST', `/sessions/${sessions.lee}/monitor`)).status).toBe(200);
    expect((await sup.call('POST', `/sessions/${sessions.lee}/whisper`, { text: 'escalation approved' })).status).toBe(200);
  });
  afterAll(() => srv?.close());

  it('agents find words of their own conversations (notes too), never another agent’s nor Vip text', async () => {
    expect(await found(ann, { q: 'PARCEL' })).toEqual([sessions.zoe]);
    expect(await found(ann, { q: 'delay' })).toEqual([sessions.zoe]);
    expect(await found(bob, { q: 'parcel' })).toEqual([sessions.lee]);
    expect(await found(bob, { q: 'escalation' })).toEqual([]);
    expect(await found(ann, { q: 'refund' })).toEqual([]);
  });

  it('supervisors find every conversation and Vip text', async () => {
    expect(await found(sup, { q: 'parcel' })).toEqual([sessions.lee, sessions.zoe]);
    expect(await found(sup, { q: 'escalation approved' })).toEqual([sessions.lee]);
  });

  it('answers with the customer’s full name, the interactions and a last-message preview', async () => {
    const page = await search(ann, { q: '4242' });
    expect(page).toMatchObject({ total: 1, page: 0, pageSize: 20 });
    const hit = page.results[0]!;
    expect(hit.customer).toEqual({ nickname: 'Zoë', fullName: 'Zoë Ünal' });
    expect(hit.lastMessage).toMatchObject({ type: 'Text', text: 'Sorry, it ships tomorrow.', from: { type: 'Agent' } });
    expect(hit.interactions[0]).toMatchObject({ state: 'Completed', agentAccountId: ids.annId });
    // Bob's preview is his own last line, not the supervisor's whisper (Vip).
    expect((await search(bob, { q: 'refund' })).results[0]!.lastMessage?.text).toBe('The refund is on its way');
  });

  it('filters by agent, wrap-up code, customer, queue and start time, and pages', async () => {
    expect(await found(sup, { agentId: ids.bobId })).toEqual([sessions.lee]);
    expect(await found(sup, { wrapUpCode: ids.code })).toEqual([sessions.zoe]);
    expect(await found(sup, { customer: 'zoe un' })).toEqual([sessions.zoe]);
    expect(await found(sup, { customer: 'ann@example' })).toEqual([sessions.lee]);
    expect(await found(sup, { customer: 'id-Ann' })).toEqual([sessions.lee]);
    expect(await found(sup, { queue: 'nope' })).toEqual([]);
    expect(await found(sup, { to: '2000-01-01T00:00:00Z' })).toEqual([]);
    expect(await found(sup, { from: '2000-01-01T00:00:00Z', q: 'parcel' })).toEqual([sessions.lee, sessions.zoe]);
    const first = await search(sup, { pageSize: '1' });
    expect(first.total).toBeGreaterThanOrEqual(2);
    const second = await search(sup, { pageSize: '1', page: '1' });
    expect(second.results[0]!.id).not.toBe(first.results[0]!.id);
  });

  it('refuses bad queries and anonymous callers', async () => {
    expect((await ann.call('GET', '/search?from=yesterday')).status).toBe(400);
    expect((await ann.call('GET', '/search?pageSize=500')).status).toBe(400);
    expect((await new Agent(srv.url).call('GET', '/search?q=parcel')).status).toBe(401);
  });
});
