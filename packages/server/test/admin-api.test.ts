import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, http, startServerWithAdmin, V3, V3Customer, type Running } from './helpers.js';

describe('admin API', () => {
  let srv: Running;
  let admin: Agent;
  beforeAll(async () => ({ srv, admin } = await startServerWithAdmin()));
  afterAll(() => srv.close());
  const call = (method: string, path: string, json?: unknown, token = admin.token) =>
    http(`${srv.url}/admin/v1${path}`, { method, headers: { authorization: `Bearer ${token}` }, ...(json !== undefined ? { json } : {}) });

  it('is for admins only', async () => {
    const agent = await new Agent(srv.url).login();
    expect((await call('GET', '/deployments', undefined, agent.token)).status).toBe(403);
    expect((await http(`${srv.url}/admin/v1/deployments`)).status).toBe(401);
  });

  it('creates a deployment whose key starts chats, adds and revokes keys', async () => {
    const created = await call('POST', '/deployments', {
      id: 'acme',
      name: 'ACME',
      allowedOrigins: ['https://acme.example'],
      asyncPolicy: { mode: 'async', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: 'Thanks' },
    });
    expect(created.status).toBe(201);
    expect(created.body.apiKey).toMatch(/^pk_/);
    const c = new V3Customer(srv.url, created.body.apiKey);
    const started = await c.start();
    expect(started.body.data.async).toBe(true);
    expect((await call('POST', '/deployments', { id: 'acme', name: 'again' })).status).toBe(409);
    expect((await call('POST', '/deployments', { name: 'bad', allowedOrigins: ['https://x.example/path'] })).body.status.message).toMatch(/origins look like/);

    const extra = await call('POST', '/deployments/acme/api-keys', { label: 'mobile' });
    expect(extra.status).toBe(201);
    const keys = await call('GET', '/deployments/acme/api-keys');
    expect(keys.body.apiKeys.map((k: any) => k.label).sort()).toEqual(['default', 'mobile']);
    expect(JSON.stringify(keys.body)).not.toContain(extra.body.apiKey);
    expect((await call('DELETE', `/deployments/acme/api-keys/${extra.body.id}`)).status).toBe(200);
    const refused = await http(`${srv.url}${V3}`, { method: 'POST', headers: { 'x-api-key': extra.body.apiKey }, form: { data: { firstName: 'x' } } });
    expect(refused.status).toBe(401);

    const updated = await call('PUT', '/deployments/acme', { name: 'ACME Inc', allowedOrigins: ['*'], defaultQueue: 'Sales' });
    expect(updated.body.deployment).toMatchObject({ name: 'ACME Inc', defaultQueue: 'Sales' });
  });

  it('manages queues, agents, canned responses and wrap-up codes', async () => {
    const q = await call('POST', '/queues', { deploymentId: 'demo', name: 'VIP', skills: ['vip'], offerTimeoutSeconds: 15 });
    expect(q.status).toBe(200);
    expect((await call('GET', '/queues')).body.queues.map((x: any) => x.name)).toContain('VIP');
    expect((await call('POST', '/queues', { deploymentId: 'nope', name: 'X' })).status).toBe(404);
    expect((await call('DELETE', `/queues/${q.body.queue.id}`)).status).toBe(200);

    const a = await call('POST', '/agents', { username: 'newbie', password: 'long-enough-pw', displayName: 'Newbie', skills: { tech: 2 }, languages: ['French'], capacity: 2 });
    expect(a.status).toBe(201);
    expect(a.body.agent).toMatchObject({ username: 'newbie', role: 'agent', capacity: 2, skills: { tech: 2 }, languages: ['French'] });
    expect(JSON.stringify(a.body)).not.toMatch(/password|long-enough-pw/);
    expect((await call('POST', '/agents', { username: 'newbie', password: 'long-enough-pw', displayName: 'x' })).status).toBe(409);
    expect((await call('POST', '/agents', { username: 'shorty', password: 'short', displayName: 'x' })).body.status.message).toMatch(/at least 8/);
    await call('PUT', `/agents/${a.body.agent.id}`, { password: 'changed-password', role: 'supervisor' });
    const relog = await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: { username: 'newbie', password: 'changed-password' } });
    expect(relog.body.account.role).toBe('supervisor');

    const cr = await call('POST', '/canned-responses', { title: 'Bye', text: 'Have a nice day!' });
    expect(cr.status).toBe(201);
    expect((await call('DELETE', `/canned-responses/${cr.body.cannedResponse.id}`)).status).toBe(200);
    expect((await call('POST', '/wrap-up-codes', { code: 'spam', label: 'Spam' })).status).toBe(200);
    expect((await call('DELETE', '/wrap-up-codes/spam')).status).toBe(200);
    expect((await call('DELETE', '/wrap-up-codes/spam')).status).toBe(404);
  });
});
