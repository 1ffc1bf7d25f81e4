import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, AGENT, createStaff, http, startServer, V3Customer, type Running } from '../helpers.js';

/** Finding 11: a manual accept takes only what routing could offer the agent (or what a transfer assigns them). */
describe('manual accept follows routing', () => {
  let srv: Running;
  let admin: Agent;
  let holder: Agent, target: Agent, thief: Agent, billingOnly: Agent;
  beforeAll(async () => {
    srv = await startServer();
    const made = await createStaff(srv.url, [{ username: 'holder' }, { username: 'target' }, { username: 'thief' }, { username: 'billing-only', queues: ['Billing'], skills: { billing: 5 } }]);
    admin = made.admin;
    [holder, target, thief, billingOnly] = made.staff as [Agent, Agent, Agent, Agent];
  });
  afterAll(() => srv.close());

  const queuedId = async (agent: Agent, sessionId: string) => ((await agent.call('GET', '/interactions?state=Queued')).body.interactions as any[]).find((i) => i.sessionId === sessionId)?.id as string;

  it('an interaction transferred to one agent cannot be accepted by another', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const handled = await holder.acceptFor(c.sessionId);
    const targetId = (await target.call('GET', '/me')).body.account.id;
    expect((await holder.call('POST', `/interactions/${handled.id}/transfer`, { agentId: targetId })).status).toBe(200);
    const id = await queuedId(thief, c.sessionId);
    expect(id).toBe(handled.id);
    const stolen = await thief.call('POST', `/interactions/${id}/accept`);
    expect(stolen.status).toBe(403);
    expect(stolen.body.status.message).toMatch(/held for another agent/);
    expect((await target.call('POST', `/interactions/${id}/accept`)).status).toBe(200);
  });

  it('an agent limited to Billing cannot accept Support work of another deployment; a supervisor can', async () => {
    const other = await http(`${srv.url}/admin/v1/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
      json: { id: 'other-shop', name: 'Other shop', defaultQueue: 'Support' },
    });
    expect(other.status).toBe(201);
    const c = new V3Customer(srv.url, other.body.apiKey);
    await c.start();
    const id = await queuedId(billingOnly, c.sessionId);
    expect(id).toBeTruthy();
    const r = await billingOnly.call('POST', `/interactions/${id}/accept`);
    expect(r.status).toBe(403);
    expect(r.body.status.message).toMatch(/do not serve the queue Support/);
    const supervisor = await new Agent(srv.url, { username: 'supervisor', password: AGENT.password }).login();
    expect((await supervisor.call('POST', `/interactions/${id}/accept`)).status).toBe(200);
  });

  it('an agent without a queue skill cannot accept work of that queue', async () => {
    const c = new V3Customer(srv.url);
    await c.start();
    const handled = await holder.acceptFor(c.sessionId);
    expect((await holder.call('POST', `/interactions/${handled.id}/transfer`, { queue: 'Billing' })).status).toBe(200);
    const id = await queuedId(thief, c.sessionId);
    expect((await thief.call('POST', `/interactions/${id}/accept`)).body.status.message).toMatch(/queue Billing needs the skill billing/);
    expect((await billingOnly.call('POST', `/interactions/${id}/accept`)).status).toBe(200);
  });
});
