/**
 * The audit trail: every staff and admin action that changes something leaves an entry with who,
 * what, when and from where (the address as TRUST_PROXY allows), queryable and exportable through
 * the admin API and never editable through it. Runs on SQLite and on PostgreSQL + Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, AGENT, createStaff, http, startServer, V3Customer, type Running } from './helpers.js';
import { AUDITED_ROUTES } from '../src/http/audit.js';

const PROXY_CLIENT = '203.0.113.9';

describe('audit trail', () => {
  let srv: Running;
  let admin: Agent;
  beforeAll(async () => {
    srv = await startServer({ TRUST_PROXY: '127.0.0.1/32' });
    admin = await new Agent(srv.url, { username: 'admin', password: AGENT.password }).login();
  });
  afterAll(() => srv.close());
  const adminCall = (method: string, path: string, json?: unknown, headers: Record<string, string> = {}) =>
    http(`${srv.url}/admin/v1${path}`, { method, headers: { authorization: `Bearer ${admin.token}`, ...headers }, ...(json !== undefined ? { json } : {}) });
  const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
    const r = await p;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  async function offeredTo(a: Agent, sessionId: string) {
    for (let i = 0; i < 100; i++) {
      const found = ((await a.call('GET', '/interactions?mine=true')).body.interactions as any[]).find((x) => x.sessionId === sessionId && x.state === 'Offered');
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('never offered');
  }
  async function all(query = ''): Promise<any[]> {
    return (await ok(adminCall('GET', `/audit?limit=1000${query}`))).entries;
  }

  it('records every listed action with who, what, when and from where', async () => {
    const started = new Date().toISOString();
    // Staff: accounts made by the admin, logins, presence.
    const { staff } = await createStaff(srv.url, [{ username: 'audit-ann' }, { username: 'audit-sup', role: 'supervisor' }]);
    const [ann, sup] = staff as [Agent, Agent];
    const agent = await new Agent(srv.url).login();
    const annId = (await ann.call('GET', '/me')).body.account.id;
    expect((await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: { username: 'audit-ann', password: 'wrong-password' } })).status).toBe(401);

    // Routing work: reject, accept, transfer, monitor / whisper / barge, done, complete, follow-up, leave.
    await ok(ann.call('PUT', '/me/presence', { presence: 'Ready' }));
    const c1 = new V3Customer(srv.url);
    await c1.start({ firstName: 'Audit', userData: { customerId: 'audit-1' } });
    const offer = await offeredTo(ann, c1.sessionId);
    await ok(ann.call('POST', `/interactions/${offer.id}/reject`));
    await ok(ann.call('PUT', '/me/presence', { presence: 'NotReady', reason: 'Lunch' }));
    const accepted = await agent.acceptFor(c1.sessionId);
    await ok(agent.call('POST', `/interactions/${accepted.id}/transfer`, { queue: 'Support' }));
    const c2 = new V3Customer(srv.url);
    await c2.start({ firstName: 'Audit', async: 'true' });
    const i2 = await agent.acceptFor(c2.sessionId);
    await ok(sup.call('POST', `/sessions/${c2.sessionId}/monitor`));
    await ok(sup.call('POST', `/sessions/${c2.sessionId}/whisper`, { text: 'whisper-marker-do-not-log' }));
    await ok(sup.call('POST', `/sessions/${c2.sessionId}/barge`));
    await ok(agent.call('POST', `/interactions/${i2.id}/done`));
    await ok(agent.call('POST', `/interactions/${i2.id}/complete`, { wrapUpCode: 'resolved' }));
    await ok(agent.call('POST', `/sessions/${c2.sessionId}/follow-up`));
    await ok(agent.call('POST', `/sessions/${c2.sessionId}/leave`));
    await ok(sup.call('PUT', `/agents/${annId}/presence`, { presence: 'Ready' }));
    await ok(ann.call('POST', '/logout'));

    // Configuration, keys, webhooks, through a proxy.
    const via = { 'x-forwarded-for': PROXY_CLIENT };
    await ok(adminCall('POST', '/deployments', { id: 'audit-shop', name: 'Audit shop' }, via), 201);
    await ok(adminCall('PUT', '/deployments/audit-shop', { name: 'Audit shop 2' }));
    const key = await ok(adminCall('POST', '/deployments/audit-shop/api-keys', { label: 'mobile', kind: 'server' }), 201);
    await ok(adminCall('DELETE', `/deployments/audit-shop/api-keys/${key.id}`));
    const queue = await ok(adminCall('POST', '/queues', { deploymentId: 'audit-shop', name: 'Billing' }));
    await ok(adminCall('DELETE', `/queues/${queue.queue.id}`));
    await ok(adminCall('PUT', `/agents/${annId}`, { displayName: 'Ann A.', password: 'another-password-9' }));
    const canned = await ok(adminCall('POST', '/canned-responses', { title: 'Hi', text: 'Hello there' }), 201);
    await ok(adminCall('DELETE', `/canned-responses/${canned.cannedResponse.id}`));
    await ok(adminCall('POST', '/wrap-up-codes', { code: 'audit-code', label: 'Audit' }));
    await ok(adminCall('DELETE', '/wrap-up-codes/audit-code'));
    const hook = await ok(adminCall('POST', '/webhooks', { deploymentId: 'audit-shop', url: 'http://127.0.0.1:9/x', events: ['session.started'] }), 201);
    await ok(adminCall('PUT', `/webhooks/${hook.webhook.id}`, { enabled: false, rotateSecret: true }));
    await ok(adminCall('DELETE', `/webhooks/${hook.webhook.id}`));

    const entries = await all(`&from=${encodeURIComponent(started)}`);
    const find = (action: string, pred: (e: any) => boolean = () => true) => {
      const e = entries.find((x) => x.action === action && pred(x));
      if (!e) throw new Error(`no ${action} entry; have ${[...new Set(entries.map((x) => x.action))].join(', ')}`);
      return e;
    };
    const adminId = (await admin.call('GET', '/me')).body.account.id;
    const agentId = (await agent.call('GET', '/me')).body.account.id;
    const supId = (await sup.call('GET', '/me')).body.account.id;
    expect(find('staff.login', (e) => e.actorName === 'audit-ann')).toMatchObject({ actorId: annId, actorRole: 'agent', targetId: annId, ip: '127.0.0.1', status: 200 });
    expect(find('staff.login_failed')).toMatchObject({ actorId: null, actorName: 'audit-ann', status: 401 });
    expect(find('presence.set', (e) => e.actorId === annId && e.details.presence === 'NotReady').details).toEqual({ presence: 'NotReady', reason: 'Lunch' });
    expect(find('presence.set', (e) => e.actorId === supId)).toMatchObject({ targetType: 'account', targetId: annId, actorRole: 'supervisor' });
    expect(find('interaction.reject')).toMatchObject({ actorId: annId, targetType: 'interaction', targetId: offer.id });
    expect(find('interaction.accept', (e) => e.targetId === accepted.id)).toMatchObject({ actorId: agentId });
    expect(find('interaction.transfer')).toMatchObject({ actorId: agentId, targetId: accepted.id, details: { queue: 'Support' } });
    for (const action of ['session.monitor', 'session.whisper', 'session.barge']) expect(find(action)).toMatchObject({ actorId: supId, targetType: 'session', targetId: c2.sessionId });
    expect(find('interaction.done')).toMatchObject({ targetId: i2.id });
    expect(find('interaction.complete')).toMatchObject({ targetId: i2.id, details: { wrapUpCode: 'resolved' } });
    expect(find('session.follow_up')).toMatchObject({ targetId: c2.sessionId });
    expect(find('session.leave')).toMatchObject({ targetId: c2.sessionId });
    expect(find('staff.logout')).toMatchObject({ actorId: annId });
    expect(find('admin.account.create', (e) => e.targetId === annId)).toMatchObject({ actorId: adminId, actorRole: 'admin' });
    expect(find('admin.deployment.create')).toMatchObject({ targetId: 'audit-shop', ip: PROXY_CLIENT, status: 201 });
    expect(find('admin.deployment.update')).toMatchObject({ targetId: 'audit-shop', ip: '127.0.0.1' });
    expect(find('admin.api_key.create')).toMatchObject({ targetType: 'api_key', targetId: `audit-shop/${key.id}`, details: { label: 'mobile', kind: 'server' } });
    expect(find('admin.api_key.revoke')).toMatchObject({ targetId: `audit-shop/${key.id}` });
    expect(find('admin.account.update')).toMatchObject({ targetId: annId, details: { displayName: 'Ann A.', password: '[redacted]' } });
    for (const action of [
      'admin.queue.put',
      'admin.queue.delete',
      'admin.canned_response.create',
      'admin.canned_response.delete',
      'admin.wrap_up_code.put',
      'admin.wrap_up_code.delete',
      'admin.webhook.create',
      'admin.webhook.update',
      'admin.webhook.delete',
    ])
      find(action);
    for (const e of entries) expect(Date.parse(e.at)).toBeGreaterThanOrEqual(Date.parse(started));
    // Never a secret, a password or a whisper's text.
    const all_ = JSON.stringify(entries);
    for (const secret of ['whisper-marker-do-not-log', 'another-password-9', 'staff-password-1', 'wrong-password', key.apiKey, hook.secret, admin.token]) expect(all_).not.toContain(secret);
    // Reads change nothing and are not recorded (the export is, below).
    expect(entries.some((e) => e.action.includes('GET'))).toBe(false);
  });

  it('names every staff and admin route that changes something (a route added later must be named here or in the trail)', () => {
    // What a staff message or file says is in the session's log, with its sender and time.
    const NOT_AUDITED = new Set(['POST /agent/v1/sessions/:id/messages', 'POST /agent/v1/sessions/:id/files']);
    const changing = srv.parley.routes.filter((r) => !r.websocket && ['POST', 'PUT', 'DELETE', 'PATCH'].includes(r.method) && /^\/(agent|admin)\/v1\//.test(r.url));
    expect(changing.length).toBeGreaterThan(30);
    for (const r of changing) {
      const key = `${r.method} ${r.url}`;
      expect(key in AUDITED_ROUTES || NOT_AUDITED.has(key), key).toBe(true);
    }
  });

  it('filters, pages and exports (JSON, CSV); nothing edits an entry', async () => {
    await ok(adminCall('POST', '/wrap-up-codes', { code: 'page-1', label: '=HYPERLINK("x")' }));
    await ok(adminCall('POST', '/wrap-up-codes', { code: 'page-2', label: 'b' }));
    await ok(adminCall('POST', '/wrap-up-codes', { code: 'page-3', label: 'c' }));
    const first = await ok(adminCall('GET', '/audit?action=admin.wrap_up_code.put&limit=2'));
    expect(first.entries.map((e: any) => e.targetId)).toEqual(['page-3', 'page-2']);
    const second = await ok(adminCall('GET', `/audit?action=admin.wrap_up_code.put&limit=2&before=${first.next}`));
    expect(second.entries[0].targetId).toBe('page-1');
    expect((await ok(adminCall('GET', '/audit?action=admin.&limit=1000'))).entries.every((e: any) => e.action.startsWith('admin.'))).toBe(true);
    expect((await ok(adminCall('GET', '/audit?targetId=page-2'))).entries).toHaveLength(1);
    expect((await ok(adminCall('GET', `/audit?to=${encodeURIComponent('2000-01-01T00:00:00Z')}`))).entries).toEqual([]);
    const adminId = (await admin.call('GET', '/me')).body.account.id;
    expect((await ok(adminCall('GET', `/audit?actorId=${adminId}&limit=1000`))).entries.every((e: any) => e.actorId === adminId)).toBe(true);

    const json = await adminCall('GET', '/audit/export?action=admin.wrap_up_code.put');
    expect(json.headers.get('content-type')).toMatch(/application\/json/);
    expect(json.body.map((e: any) => e.targetId).slice(0, 3)).toEqual(['page-3', 'page-2', 'page-1']);
    const csv = await adminCall('GET', '/audit/export?format=csv&targetId=page-1');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('seq,id,at,actorId,actorName,actorRole,action,targetType,targetId,ip,status,details');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"admin.wrap_up_code.put"');
    // A spreadsheet formula in a value is defused.
    expect(lines[1]).not.toMatch(/,"=HYPERLINK/);
    expect((await all()).some((e) => e.action === 'admin.audit.export')).toBe(true);

    const [entry] = first.entries;
    for (const [method, path] of [
      ['PUT', `/audit/${entry.id}`],
      ['DELETE', `/audit/${entry.id}`],
      ['DELETE', '/audit'],
      ['POST', '/audit'],
      ['PATCH', `/audit/${entry.id}`],
    ] as const)
      expect((await adminCall(method, path, method === 'DELETE' ? undefined : { action: 'forged' })).status).toBe(404);
    expect((await ok(adminCall('GET', `/audit?targetId=page-3`))).entries[0]).toEqual(entry);
    // Staff other than admins cannot read it.
    const agent = await new Agent(srv.url).login();
    expect((await http(`${srv.url}/admin/v1/audit`, { headers: { authorization: `Bearer ${agent.token}` } })).status).toBe(403);
  });
});
