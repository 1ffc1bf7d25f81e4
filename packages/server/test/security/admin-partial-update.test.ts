/**
 * Issue 13, finding 6: `PUT /admin/v1/agents/{id}` changes only the fields it names (no zod default
 * resets role, capacity, skills, languages or queues), and the last admin is never demoted or disabled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, AGENT, createStaff, http, startServer, type Running } from '../helpers.js';

describe('admin partial account update', () => {
  let srv: Running;
  let admin: Agent;
  const put = (id: string, json: unknown, as = admin) => http(`${srv.url}/admin/v1/agents/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${as.token}` }, json });
  const agents = async () => (await http(`${srv.url}/admin/v1/agents`, { headers: { authorization: `Bearer ${admin.token}` } })).body.agents as any[];
  beforeAll(async () => {
    srv = await startServer();
    admin = await new Agent(srv.url, { username: 'admin', password: AGENT.password }).login();
  });
  afterAll(() => srv.close());

  it('a body with one field changes that field only', async () => {
    await createStaff(srv.url, [{ username: 'partial', role: 'supervisor', capacity: 7, skills: { billing: 9 }, languages: ['French'], queues: ['Billing'] }]);
    const before = (await agents()).find((a) => a.username === 'partial');
    for (const body of [{ password: 'another-password-1' }, { displayName: 'Partial Person' }, { capacity: 3 }, {}]) {
      const r = await put(before.id, body);
      expect(r.status, JSON.stringify(body)).toBe(200);
    }
    const after = (await agents()).find((a) => a.username === 'partial');
    expect(after).toEqual({ ...before, displayName: 'Partial Person', capacity: 3 });
    await new Agent(srv.url, { username: 'partial', password: 'another-password-1' }).login();
  });

  it('the only admin changing its own password stays admin', async () => {
    const me = (await admin.call('GET', '/me')).body.account;
    expect((await put(me.id, { password: AGENT.password })).status).toBe(200);
    admin = await new Agent(srv.url, { username: 'admin', password: AGENT.password }).login();
    expect((await admin.call('GET', '/me')).body.account.role).toBe('admin');
  });

  it('the last admin can be neither demoted nor disabled; with a second admin it can', async () => {
    const me = (await admin.call('GET', '/me')).body.account;
    for (const body of [{ role: 'agent' }, { role: 'supervisor' }, { disabled: true }]) {
      const r = await put(me.id, body);
      expect(r.status, JSON.stringify(body)).toBe(409);
      expect(r.body.status.message).toMatch(/last admin/);
    }
    expect((await admin.call('GET', '/me')).body.account.role).toBe('admin');

    const { staff } = await createStaff(srv.url, [{ username: 'admin-two', role: 'admin' }]);
    const second = staff[0]!;
    expect((await put(me.id, { role: 'agent' }, second)).status).toBe(200);
    const secondId = (await second.call('GET', '/me')).body.account.id;
    expect((await put(secondId, { disabled: true }, second)).status).toBe(409);
  });
});
