import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, startServer, type Running } from './helpers.js';
import { GUEST, guestCreateBody, StreamClient } from './compat-helpers.js';
import { rawRequest } from './raw-request.js';
import { agentJoinsAndSays, JSON_TYPE } from './replay-helpers.js';

/**
 * Genesys Cloud guest chat v2 (`purecloud-v2-sockets`) as the Genesys Widgets client sends it
 * (reference §3, seed 003's configuration): JSON bodies declared `application/json; charset=utf-8`
 * (also on the typing POST and the ending DELETE, which carry no body, and on GETs), then
 * `Authorization: Bearer <jwt>`; the event stream at eventStreamUri. Header names in mixed case.
 * (Custom notices, user data updates and files are refused by that client itself on this transport.)
 */
describe('replay: guest chat v2 client requests', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ GUEST_HEARTBEAT_MS: '300' });
  });
  afterAll(() => srv.close());

  async function create() {
    const r = await rawRequest(`${srv.url}${GUEST}`, {
      method: 'POST',
      headers: [
        ['Content-Type', JSON_TYPE],
        ['Accept', 'application/json'],
      ],
      body: JSON.stringify(guestCreateBody('demo')),
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: expect.any(String), jwt: expect.any(String), eventStreamUri: expect.stringMatching(/^ws:\/\//), member: { id: expect.any(String) } });
    return { id: r.body.id as string, jwt: r.body.jwt as string, memberId: r.body.member.id as string, eventStreamUri: r.body.eventStreamUri as string };
  }

  it('create, stream, member lookups, send, typing, history pages, restore, end', async () => {
    const c = await create();
    const conv = `${srv.url}${GUEST}/${c.id}`;
    const auth = (name = 'Authorization'): [string, string] => [name, `Bearer ${c.jwt}`];
    const get = (path: string) => rawRequest(`${conv}${path}`, { method: 'GET', headers: [['Content-Type', JSON_TYPE], auth('authorization')] });

    const stream = new StreamClient(c.eventStreamUri);
    await stream.opened();
    const joined = await stream.until((f) => f.find((x) => x.metadata?.type === 'member-change'));
    const me = await get(`/members/${joined.eventBody.member.id}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: c.memberId, role: 'CUSTOMER', state: 'CONNECTED', displayName: 'Jonny Smith' });

    const sent = await rawRequest(`${conv}/members/${c.memberId}/messages`, {
      method: 'POST',
      headers: [['Content-Type', JSON_TYPE], auth('AUTHORIZATION')],
      body: JSON.stringify({ body: 'hi there', bodyType: 'standard' }),
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ conversation: { id: c.id }, sender: { id: c.memberId }, body: 'hi there', bodyType: 'standard' });
    await stream.until((f) => f.some((x) => x.eventBody?.body === 'hi there'));

    const typing = await rawRequest(`${conv}/members/${c.memberId}/typing`, { method: 'POST', headers: [['Content-Type', JSON_TYPE], ['Content-Length', '0'], auth()] });
    expect(typing.status).toBe(200);
    expect(typing.body).toMatchObject({ conversation: { id: c.id }, sender: { id: c.memberId } });

    // seed 003's routing asks for the skill Computers: an agent who has it takes the chat
    const { staff } = await createStaff(srv.url, [{ username: 'computers', skills: { Computers: 5 }, languages: ['English - Written'] }]);
    await agentJoinsAndSays(srv.url, c.id, 'Hello, how can I help?', staff[0]);
    const agentChange = await stream.until((f) => f.find((x) => x.metadata?.type === 'member-change' && x.eventBody.member.id !== c.memberId && x.eventBody.member.state === 'CONNECTED'));
    const agent = await get(`/members/${agentChange.eventBody.member.id}`);
    expect(agent.body).toMatchObject({ role: 'AGENT', state: 'CONNECTED' });
    await stream.until((f) => f.some((x) => x.eventBody?.body === 'Hello, how can I help?'));
    for (let i = 0; i < 3; i++) {
      const r = await rawRequest(`${conv}/members/${c.memberId}/messages`, {
        method: 'POST',
        headers: [['content-type', JSON_TYPE], auth()],
        body: JSON.stringify({ body: `more ${i}`, bodyType: 'standard' }),
      });
      expect(r.status).toBe(200);
    }

    // restore after a reload: the newest page, then `next` to the older ones, with no message twice
    const newest = await get('/messages?maxResults=2&sortOrder=descending');
    expect(newest.status).toBe(200);
    expect(newest.body).toMatchObject({ entities: expect.any(Array), pageSize: 2, next: expect.any(String) });
    const pages = [newest.body.entities];
    let next: string | undefined = newest.body.next;
    while (next) {
      const page = await rawRequest(`${srv.url}${next}`, { method: 'GET', headers: [auth()] });
      expect(page.status).toBe(200);
      pages.push(page.body.entities);
      next = page.body.next;
    }
    const ids = pages.flat().map((m: any) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const bodies = pages
      .flat()
      .filter((m: any) => m.bodyType === 'standard')
      .map((m: any) => m.body);
    expect(bodies.sort()).toEqual(['Hello, how can I help?', 'hi there', 'more 0', 'more 1', 'more 2']);

    const end = await rawRequest(`${conv}/members/${c.memberId}`, { method: 'DELETE', headers: [['Content-Type', JSON_TYPE], auth()] });
    expect(end.status).toBe(204);
    await stream.until((f) => f.some((x) => x.metadata?.type === 'member-change' && x.eventBody.member.id === c.memberId && x.eventBody.member.state === 'DISCONNECTED'));
    await stream.close();
  });

  it("answers the browser's preflights for the typing POST and the ending DELETE (JSON content type, Bearer header)", async () => {
    const c = await create();
    for (const [method, path] of [
      ['POST', `/members/${c.memberId}/typing`],
      ['DELETE', `/members/${c.memberId}`],
    ] as const) {
      const pre = await rawRequest(`${srv.url}${GUEST}/${c.id}${path}`, {
        method: 'OPTIONS',
        headers: [
          ['Origin', 'http://localhost:0'],
          ['Access-Control-Request-Method', method],
          ['Access-Control-Request-Headers', 'authorization,content-type'],
        ],
      });
      expect([method, pre.status]).toEqual([method, 204]);
      expect(pre.headers['access-control-allow-origin']).toBe('http://localhost:0');
      expect(String(pre.headers['access-control-allow-methods'])).toContain(method);
      expect(String(pre.headers['access-control-allow-headers'])).toContain('authorization');
      expect(String(pre.headers['access-control-allow-headers'])).toContain('content-type');
      const real = await rawRequest(`${srv.url}${GUEST}/${c.id}${path}`, {
        method,
        headers: [
          ['Origin', 'http://localhost:0'],
          ['Content-Type', JSON_TYPE],
          ['Authorization', `Bearer ${c.jwt}`],
        ],
      });
      expect([method, real.status]).toEqual([method, method === 'POST' ? 200 : 204]);
      expect(real.headers['access-control-allow-origin']).toBe('http://localhost:0');
    }
  });

  it('a gone conversation answers 404 not.found (the client publishes restoreFailed)', async () => {
    const c = await create();
    const conv = `${srv.url}${GUEST}/${c.id}`;
    await rawRequest(`${conv}/members/${c.memberId}`, {
      method: 'DELETE',
      headers: [
        ['Content-Type', JSON_TYPE],
        ['Authorization', `Bearer ${c.jwt}`],
      ],
    });
    const late = await rawRequest(`${conv}/members/${c.memberId}/typing`, {
      method: 'POST',
      headers: [
        ['Content-Type', JSON_TYPE],
        ['Authorization', `Bearer ${c.jwt}`],
      ],
    });
    expect(late.status).toBe(404);
    expect(late.body).toMatchObject({ status: 404, code: 'not.found', contextId: expect.any(String) });
  });
});
