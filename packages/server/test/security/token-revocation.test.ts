/**
 * Issue 13, finding 8: staff tokens can be revoked. Logout, a password change, a role change and
 * disabling an account end every token of the account, on every node, and its open sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, AGENT, createStaff, createTestData, http, startServer, startServerWithAdmin, type Running, type TestData } from '../helpers.js';
import { describeWithService, probePostgres, probeRedis } from '../external-services.js';
import { AgentSocket } from './agent-socket.js';

const put = (base: string, admin: Agent, id: string, json: unknown) => http(`${base}/admin/v1/agents/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${admin.token}` }, json });
const idOf = async (a: Agent) => (await a.call('GET', '/me')).body.account.id as string;

describe('staff token revocation', () => {
  let srv: Running;
  let admin: Agent;
  beforeAll(async () => ({ srv, admin } = await startServerWithAdmin()));
  afterAll(() => srv.close());

  it('logout ends every token of the account and closes its sockets; a new login works', async () => {
    const phone = await new Agent(srv.url).login();
    const laptop = await new Agent(srv.url).login();
    const socket = await AgentSocket.connect(srv.url, laptop.token);
    expect((await phone.call('POST', '/logout')).status).toBe(200);
    expect((await phone.call('GET', '/me')).status).toBe(401);
    expect((await laptop.call('GET', '/me')).status).toBe(401);
    expect((await socket.closedWithin(1_000)).code).toBe(4401);
    await laptop.login();
    expect((await laptop.call('GET', '/me')).status).toBe(200);
  });

  it('a password change, a role change and disabling each revoke the account’s tokens', async () => {
    const { staff } = await createStaff(srv.url, [{ username: 'revoke-me' }]);
    const agent = staff[0]!;
    const id = await idOf(agent);

    expect((await put(srv.url, admin, id, { password: 'a-new-password-1' })).status).toBe(200);
    expect((await agent.call('GET', '/me')).status).toBe(401);
    const relogin = () => new Agent(srv.url, { username: 'revoke-me', password: 'a-new-password-1' }).login();

    const afterPassword = await relogin();
    expect((await put(srv.url, admin, id, { role: 'supervisor' })).status).toBe(200);
    expect((await afterPassword.call('GET', '/me')).status).toBe(401);

    const afterRole = await relogin();
    // A name change is not an access change: the token stays good.
    expect((await put(srv.url, admin, id, { displayName: 'Renamed' })).status).toBe(200);
    expect((await afterRole.call('GET', '/me')).status).toBe(200);
    expect((await put(srv.url, admin, id, { disabled: true })).status).toBe(200);
    expect((await afterRole.call('GET', '/me')).status).toBe(401);
    const refused = await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: { username: 'revoke-me', password: 'a-new-password-1' } });
    expect(refused.status).toBe(401);

    expect((await put(srv.url, admin, id, { disabled: false })).status).toBe(200);
    expect((await (await relogin()).call('GET', '/me')).status).toBe(200);
  });
});

const [pgProbe, redisProbe] = await Promise.all([probePostgres(), probeRedis()]);
const both = pgProbe.ok && redisProbe.ok ? pgProbe : pgProbe.ok ? redisProbe : pgProbe;

describeWithService('staff token revocation across nodes (PostgreSQL + Redis)', both, () => {
  let data: TestData;
  let a: Running;
  let b: Running;
  beforeAll(async () => {
    data = await createTestData('postgres');
    a = await startServer({}, undefined, { data });
    b = await startServer({}, undefined, { data });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await data?.drop();
  });

  it('a password changed on one node ends the token and the socket on the other within a second', async () => {
    const admin = await new Agent(a.url, { username: 'admin', password: AGENT.password }).login();
    const { staff } = await createStaff(a.url, [{ username: 'two-nodes' }]);
    const onA = staff[0]!;
    const onB = new Agent(b.url, onA.creds);
    onB.token = onA.token;
    expect((await onB.call('GET', '/me')).status).toBe(200);
    const socket = await AgentSocket.connect(b.url, onA.token);

    const changed = await put(a.url, admin, await idOf(onA), { password: 'changed-on-node-a' });
    expect(changed.status).toBe(200);
    expect((await socket.closedWithin(1_000)).code).toBe(4401);
    expect((await onB.call('GET', '/me')).status).toBe(401);
    const logout = await new Agent(b.url, { username: 'two-nodes', password: 'changed-on-node-a' }).login();
    const socketA = await AgentSocket.connect(a.url, logout.token);
    expect((await logout.call('POST', '/logout')).status).toBe(200);
    expect((await socketA.closedWithin(1_000)).code).toBe(4401);
  });
});
