/**
 * Issue 13, finding 5: the agent WebSocket re-checks access whenever it changes, not only at `auth`:
 * a session another agent took, a demotion, an expired token each stop the stream within a second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, AGENT, createStaff, http, startServer, startServerWithAdmin, V3Customer, type Running } from '../helpers.js';
import { AgentSocket } from './agent-socket.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const texts = (frames: any[], sessionId: string) => frames.filter((f) => f.type === 'message' && f.sessionId === sessionId).map((f) => f.message.text);

describe('agent socket re-authorization', () => {
  let srv: Running;
  let admin: Agent;
  beforeAll(async () => ({ srv, admin } = await startServerWithAdmin()));
  afterAll(() => srv.close());

  it('an agent watching a queued session stops getting it (no Int note) once another agent accepts it', async () => {
    const watcher = await new Agent(srv.url).login();
    const taker = await new Agent(srv.url, { username: `${AGENT.username}2`, password: AGENT.password }).login();
    const customer = new V3Customer(srv.url);
    await customer.start();
    expect((await watcher.call('GET', `/sessions/${customer.sessionId}`)).status).toBe(200);
    const socket = await AgentSocket.connect(srv.url, watcher.token);
    socket.send({ type: 'subscribe', sessionId: customer.sessionId });
    await socket.until((f) => f.find((x) => x.type === 'subscribed'), 'subscribed');

    await taker.acceptFor(customer.sessionId);
    const note = await taker.call('POST', `/sessions/${customer.sessionId}/messages`, { text: 'internal: customer owes 300', visibility: 'Int' });
    expect(note.status).toBe(200);
    const dropped = await socket.until((f) => f.find((x) => x.type === 'unsubscribed' && x.sessionId === customer.sessionId), 'unsubscribed', 1_000);
    expect(dropped.reason).toMatch(/not assigned/);
    await sleep(300);
    expect(texts(socket.frames, customer.sessionId)).not.toContain('internal: customer owes 300');
    // REST agrees.
    expect((await watcher.call('GET', `/sessions/${customer.sessionId}/messages`)).status).toBe(403);
    socket.close();
  });

  it('a supervisor demoted to agent loses the socket at once: no overview, no Vip whisper after', async () => {
    const { staff } = await createStaff(srv.url, [
      { username: 'sup-demoted', role: 'supervisor' },
      { username: 'sup-other', role: 'supervisor' },
    ]);
    const [demoted, other] = staff as [Agent, Agent];
    const agent = await new Agent(srv.url).login();
    const customer = new V3Customer(srv.url);
    await customer.start();
    await agent.acceptFor(customer.sessionId);
    const socket = await AgentSocket.connect(srv.url, demoted.token);
    await socket.until((f) => f.find((x) => x.type === 'overview'), 'overview');
    socket.send({ type: 'subscribe', sessionId: customer.sessionId });
    await socket.until((f) => f.find((x) => x.type === 'subscribed'), 'subscribed');

    const me = (await demoted.call('GET', '/me')).body.account;
    const changed = await http(`${srv.url}/admin/v1/agents/${me.id}`, { method: 'PUT', headers: { authorization: `Bearer ${admin.token}` }, json: { role: 'agent' } });
    expect(changed.status).toBe(200);
    const closed = await socket.closedWithin(1_000);
    expect(closed.code).toBe(4401);
    const framesAtClose = socket.frames.length;

    expect((await other.call('POST', `/sessions/${customer.sessionId}/whisper`, { text: 'vip: watch the refund' })).status).toBe(200);
    await sleep(300);
    expect(socket.frames.length).toBe(framesAtClose);
    // The old token is refused; a new login is an agent's, which sees no overview.
    expect((await demoted.call('GET', '/me')).status).toBe(401);
    await demoted.login();
    const again = await AgentSocket.connect(srv.url, demoted.token);
    await sleep(400);
    expect(again.frames.some((f) => f.type === 'overview')).toBe(false);
    again.close();
  });
});

describe('agent socket and token expiry', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ STAFF_TOKEN_TTL_SECONDS: '2' });
  });
  afterAll(() => srv.close());

  it('closes with 4401 within a second of the token expiring', async () => {
    const login = await http(`${srv.url}/agent/v1/login`, { method: 'POST', json: AGENT });
    const expiresAt = Date.parse(login.body.expiresAt);
    const socket = await AgentSocket.connect(srv.url, login.body.token);
    const closed = await socket.closedWithin(4_000);
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/expired/);
    expect(closed.at).toBeGreaterThanOrEqual(expiresAt - 50);
    expect(closed.at - expiresAt).toBeLessThan(1_000);
  });
});
