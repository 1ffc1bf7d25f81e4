/**
 * Issues 15 and 16: a request is authenticated from memory (the DirectoryCache of deployments and
 * accounts, verified tokens), and still a revoked key, a replaced deployment, a demoted or disabled
 * account is refused on every node within a second: changes are announced on the fan-out, and a
 * lost announcement is bounded by AUTH_CACHE_MS.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeWithService, probePostgres, probeRedis } from '../external-services.js';
import { sleep } from '../faults/harness.js';
import { Agent, API_KEY, createStaff, createTestData, http, opId, startServer, V3, V3Customer, type HttpResult, type Running, type TestData } from '../helpers.js';

const SERVER_KEY = 'sk-auth-cache-server-key-0123456789';

/** Calls `request` until `refused` holds; the time that took (ms), failing past `limitMs`. */
async function refusedWithin(limitMs: number, request: () => Promise<HttpResult>, refused = (r: HttpResult) => r.status === 401 || r.status === 403): Promise<number> {
  const start = Date.now();
  for (;;) {
    const r = await request();
    if (refused(r)) return Date.now() - start;
    if (r.status >= 300) throw new Error(`unexpected answer ${r.status} ${JSON.stringify(r.body)}`);
    if (Date.now() - start > limitMs) throw new Error(`still allowed after ${Date.now() - start} ms`);
    await sleep(20);
  }
}

const startChat = (base: string, apiKey: string, headers: Record<string, string> = {}) =>
  http(`${base}${V3}`, { method: 'POST', headers: { 'x-api-key': apiKey, ...headers }, form: { data: { firstName: 'Cache' }, operationId: opId() } });
const adminCall = (base: string, admin: Agent, method: string, path: string, json?: unknown) =>
  http(`${base}/admin/v1${path}`, { method, headers: { authorization: `Bearer ${admin.token}` }, ...(json !== undefined ? { json } : {}) });
const idOf = async (a: Agent) => (await a.call('GET', '/me')).body.account.id as string;

describe('authentication from memory', () => {
  let srv: Running;
  afterAll(() => srv?.close());

  it('a staff request and a workflow request read their caller from memory: one transaction fewer each', async () => {
    // No routing passes and no sweeps: the transactions counted are the requests' own.
    srv = await startServer({ PARLEY_DEMO_SERVER_KEY: SERVER_KEY, AUTH_CACHE_MS: '60000' }, undefined, { routeEveryMs: 3_600_000, sweepEveryMs: 0 });
    const agent = await new Agent(srv.url).login();
    const customer = new V3Customer(srv.url);
    await customer.start();
    expect((await agent.call('GET', '/me')).status).toBe(200);
    const workflowRead = () => http(`${srv.url}/workflow/v1/sessions/${customer.sessionId}`, { headers: { 'x-api-key': SERVER_KEY } });
    expect((await workflowRead()).status).toBe(200);

    const tx = vi.spyOn(srv.parley.store, 'tx');
    try {
      for (let i = 0; i < 5; i++) expect((await agent.call('GET', '/me')).status).toBe(200);
      // The profile only: the account behind the token is not read again.
      expect(tx).toHaveBeenCalledTimes(5);
      tx.mockClear();
      for (let i = 0; i < 5; i++) expect((await workflowRead()).status).toBe(200);
      // The session only: the deployment behind the server key is not read again.
      expect(tx).toHaveBeenCalledTimes(5);
    } finally {
      tx.mockRestore();
    }
  });
});

describe('a change that was never announced', () => {
  let srv: Running;
  beforeAll(async () => (srv = await startServer({ AUTH_CACHE_MS: '1000' })));
  afterAll(() => srv.close());

  it('(an account changed straight in the store) is refused within AUTH_CACHE_MS', async () => {
    const { staff } = await createStaff(srv.url, [{ username: 'unannounced' }]);
    const agent = staff[0]!;
    const id = await idOf(agent);
    expect((await agent.call('GET', '/me')).status).toBe(200);
    await srv.parley.store.tx((tx) => tx.updateAccount(id, { disabled: true }));
    expect(await refusedWithin(1_500, () => agent.call('GET', '/me'))).toBeLessThanOrEqual(1_500);
  });
});

const [pgProbe, redisProbe] = await Promise.all([probePostgres(), probeRedis()]);
const both = pgProbe.ok && redisProbe.ok ? pgProbe : pgProbe.ok ? redisProbe : pgProbe;

describeWithService('revocation across nodes (PostgreSQL + Redis), with caches that would otherwise keep for a minute', both, () => {
  let data: TestData;
  let a: Running;
  let b: Running;
  let admin: Agent;
  beforeAll(async () => {
    data = await createTestData('postgres');
    // A lifetime of a minute: only the fan-out can make node B agree within a second.
    const overrides = { AUTH_CACHE_MS: '60000', PARLEY_DEMO_SERVER_KEY: SERVER_KEY };
    a = await startServer(overrides, undefined, { data });
    b = await startServer(overrides, undefined, { data });
    ({ admin } = await createStaff(a.url, []));
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await data?.drop();
  });

  it('a public key revoked on node A is refused on node B within a second', async () => {
    const made = await adminCall(a.url, admin, 'POST', '/deployments/demo/api-keys', { label: 'to revoke', kind: 'public' });
    expect(made.status).toBe(201);
    expect((await startChat(b.url, made.body.apiKey)).status).toBe(200);
    expect((await startChat(b.url, made.body.apiKey)).status).toBe(200);
    expect((await adminCall(a.url, admin, 'DELETE', `/deployments/demo/api-keys/${made.body.id}`)).status).toBe(200);
    expect(await refusedWithin(1_000, () => startChat(b.url, made.body.apiKey))).toBeLessThan(1_000);
    // The deployment's other key is untouched.
    expect((await startChat(b.url, API_KEY)).status).toBe(200);
  });

  it('a server key revoked on node A is refused by the workflow API on node B within a second', async () => {
    const made = await adminCall(a.url, admin, 'POST', '/deployments/demo/api-keys', { label: 'bot', kind: 'server' });
    const customer = new V3Customer(b.url);
    await customer.start();
    const read = () => http(`${b.url}/workflow/v1/sessions/${customer.sessionId}`, { headers: { 'x-api-key': made.body.apiKey } });
    expect((await read()).status).toBe(200);
    expect((await adminCall(a.url, admin, 'DELETE', `/deployments/demo/api-keys/${made.body.id}`)).status).toBe(200);
    expect(await refusedWithin(1_000, read)).toBeLessThan(1_000);
  });

  it('a deployment replaced on node A applies on node B within a second (an origin no longer allowed)', async () => {
    const page = { origin: 'https://shop.example' };
    const demo = (await adminCall(a.url, admin, 'GET', '/deployments')).body.deployments.find((d: { id: string }) => d.id === 'demo');
    const { id: _id, createdAt: _createdAt, ...fields } = demo;
    expect((await adminCall(a.url, admin, 'PUT', '/deployments/demo', { ...fields, allowedOrigins: ['https://shop.example'] })).status).toBe(200);
    expect((await startChat(b.url, API_KEY, page)).status).toBe(200);
    expect((await adminCall(a.url, admin, 'PUT', '/deployments/demo', { ...fields, allowedOrigins: ['https://other.example'] })).status).toBe(200);
    expect(await refusedWithin(1_000, () => startChat(b.url, API_KEY, page))).toBeLessThan(1_000);
  });

  it('a supervisor demoted on node A is refused on node B within a second', async () => {
    const { staff } = await createStaff(a.url, [{ username: 'sup-demoted', role: 'supervisor' }]);
    const onB = new Agent(b.url, staff[0]!.creds);
    onB.token = staff[0]!.token;
    expect((await onB.call('GET', '/supervisor/overview')).status).toBe(200);
    expect((await adminCall(a.url, admin, 'PUT', `/agents/${await idOf(onB)}`, { role: 'agent' })).status).toBe(200);
    expect(await refusedWithin(1_000, () => onB.call('GET', '/supervisor/overview'))).toBeLessThan(1_000);
    // Logged in again as the agent they now are: still no overview.
    await onB.login();
    expect((await onB.call('GET', '/supervisor/overview')).status).toBe(403);
  });

  it('an account disabled on node A is refused on node B within a second', async () => {
    const { staff } = await createStaff(a.url, [{ username: 'disabled-on-a' }]);
    const onB = new Agent(b.url, staff[0]!.creds);
    onB.token = staff[0]!.token;
    expect((await onB.call('GET', '/me')).status).toBe(200);
    expect((await adminCall(a.url, admin, 'PUT', `/agents/${await idOf(onB)}`, { disabled: true })).status).toBe(200);
    expect(await refusedWithin(1_000, () => onB.call('GET', '/me'))).toBeLessThan(1_000);
  });
});
