import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Agent, createStaff, http, startServer, V3Customer, type Running } from './helpers.js';
import { GUEST, GuestCustomer, guestCreateBody, StreamClient } from './compat-helpers.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

const messages = (frames: any[]) => frames.filter((f) => f.metadata?.type === 'message').map((f) => f.eventBody);
const changes = (frames: any[]) => frames.filter((f) => f.metadata?.type === 'member-change').map((f) => f.eventBody.member);
const texts = (frames: any[]) =>
  messages(frames)
    .filter((b) => b.bodyType === 'standard')
    .map((b) => b.body);

/** Opening the socket must fail with this HTTP status. */
function refused(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

describe('guest chat API v2', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ GUEST_HEARTBEAT_MS: '300' });
  });
  afterAll(() => srv.close());

  it('replays the reference sequence: create with the seed 003 body, stream, member lookup, send, typing, leave', async () => {
    const g = new GuestCustomer(srv.url);
    const created = await g.create(guestCreateBody('demo'));
    expect(Object.keys(created.body).sort()).toEqual(['eventStreamUri', 'id', 'jwt', 'member']);
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.jwt.split('.')).toHaveLength(3);
    expect(created.body.member).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const port = new URL(srv.url).port;
    expect(created.body.eventStreamUri).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${port}${GUEST}/${g.id}/stream\\?jwt=`));

    const s = g.stream();
    await s.opened();
    await s.until((f) => messages(f).some((b) => b.bodyType === 'member-join'));
    expect(changes(s.frames)).toEqual([{ id: g.memberId, state: 'CONNECTED' }]);
    const join = s.frames.find((f) => f.eventBody.bodyType === 'member-join');
    expect(join).toEqual({
      topicName: `v2.conversations.chats.${g.id}.messages`,
      eventBody: { id: expect.any(String), conversation: { id: g.id }, sender: { id: g.memberId }, body: '', bodyType: 'member-join', timestamp: expect.stringMatching(ISO) },
      metadata: { type: 'message' },
    });
    expect(s.frames.find((f) => f.metadata?.type === 'member-change')).toEqual({
      topicName: `v2.conversations.chats.${g.id}.members`,
      eventBody: { member: { id: g.memberId, state: 'CONNECTED' }, conversation: { id: g.id } },
      metadata: { type: 'member-change' },
    });

    // On member-join the client GETs the member to learn role and name.
    const me = await g.member(g.memberId);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: g.memberId, displayName: 'Jonny Smith', role: 'CUSTOMER', state: 'CONNECTED', joinDate: expect.stringMatching(ISO) });
    expect(me.body.leaveDate).toBeUndefined();

    const sent = await g.send('hi there');
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ id: expect.any(String), conversation: { id: g.id }, sender: { id: g.memberId }, body: 'hi there', bodyType: 'standard', timestamp: expect.stringMatching(ISO) });
    // The customer's own message comes back on the stream.
    const back = await s.until((f) => messages(f).find((b) => b.body === 'hi there'));
    expect(back).toEqual(sent.body);

    const typing = await g.typing();
    expect(typing.status).toBe(200);
    expect(typing.body).toEqual({ id: expect.any(String), conversation: { id: g.id }, sender: { id: g.memberId }, timestamp: expect.stringMatching(ISO) });

    // The agent sees the routing target and the custom fields.
    const agent = await new Agent(srv.url).login();
    const queued = await agent.queued(g.id);
    expect(queued).toMatchObject({ queue: 'Support', priority: 2, skills: ['Computers'], language: 'English - Written' });
    await agent.acceptFor(g.id);
    const session = await agent.call('GET', `/sessions/${g.id}`);
    expect(session.body.session.userData).toMatchObject({
      customerId: '59606',
      phoneNumber: '1-916',
      _genesys_source: 'web',
      FirstName: 'Jonny',
      LastName: 'Smith',
      EmailAddress: 'j@x.io',
      Subject: 'product questions',
    });
    const view = await agent.call('GET', `/sessions/${g.id}/messages`);
    expect(view.body.messages.filter((m: any) => m.from.type === 'Customer').map((m: any) => [m.type, m.text ?? null])).toEqual([
      ['ParticipantJoined', null],
      ['Text', 'hi there'],
      ['TypingStarted', null],
    ]);

    const left = await g.leave();
    expect(left.status).toBe(204);
    await s.until((f) => changes(f).some((m) => m.id === g.memberId && m.state === 'DISCONNECTED'));
    expect((await g.member(g.memberId)).body).toMatchObject({ state: 'DISCONNECTED', leaveDate: expect.stringMatching(ISO) });
    // Leaving again is fine; writing is not.
    expect((await g.leave()).status).toBe(204);
    const late = await g.send('still there?');
    expect(late.status).toBe(404);
    expect(late.body).toMatchObject({ status: 404, code: 'not.found', message: expect.stringMatching(/ended/), contextId: expect.any(String) });
    await s.close();
  });

  it('a whole chat with an agent: join, messages and typing both ways, Int never on the stream, sync end disconnects the customer', async () => {
    const g = new GuestCustomer(srv.url);
    await g.create(guestCreateBody('demo'));
    const s = g.stream();
    await s.opened();
    const agent = await new Agent(srv.url).login();
    const interaction = await agent.acceptFor(g.id);

    const agentChange = await s.until((f) => changes(f).find((m) => m.id !== g.memberId && m.state === 'CONNECTED'));
    const agentMember = await g.member(agentChange.id);
    expect(agentMember.body).toMatchObject({ id: agentChange.id, displayName: 'Demo Agent', role: 'AGENT', state: 'CONNECTED', joinDate: expect.stringMatching(ISO) });
    expect(messages(s.frames).some((b) => b.bodyType === 'member-join' && b.sender.id === agentChange.id)).toBe(true);

    await agent.call('POST', `/sessions/${g.id}/messages`, { type: 'TypingStarted' });
    await agent.call('POST', `/sessions/${g.id}/messages`, { type: 'Text', text: 'internal note', visibility: 'Int' });
    await agent.call('POST', `/sessions/${g.id}/messages`, { type: 'Text', text: 'Hello, how can I help?' });
    await agent.call('POST', `/sessions/${g.id}/messages`, { type: 'Notice', text: 'Agent notice' });
    await s.until((f) => messages(f).some((b) => b.body === 'Agent notice'));
    const typingFrame = s.frames.find((f) => f.metadata?.type === 'typing-indicator');
    expect(typingFrame).toEqual({
      topicName: `v2.conversations.chats.${g.id}.messages`,
      eventBody: { id: expect.any(String), conversation: { id: g.id }, sender: { id: agentChange.id }, timestamp: expect.stringMatching(ISO) },
      metadata: { type: 'typing-indicator' },
    });
    expect(messages(s.frames).find((b) => b.body === 'Hello, how can I help?')).toMatchObject({ sender: { id: agentChange.id }, bodyType: 'standard' });
    expect(messages(s.frames).find((b) => b.body === 'Agent notice')).toMatchObject({ bodyType: 'notice' });

    await g.typing();
    await g.send('I need a refund');
    await s.until((f) => texts(f).includes('I need a refund'));
    const view = await agent.call('GET', `/sessions/${g.id}/messages`);
    expect(view.body.messages.filter((m: any) => m.from.type === 'Customer').map((m: any) => m.type)).toEqual(['ParticipantJoined', 'TypingStarted', 'Text']);
    // The customer's own typing does not come back as a typing-indicator.
    expect(s.frames.filter((f) => f.metadata?.type === 'typing-indicator').map((f) => f.eventBody.sender.id)).toEqual([agentChange.id]);

    const list = await g.call('GET', '/members');
    expect(list.status).toBe(200);
    expect(list.body.entities.map((m: any) => [m.role, m.state])).toEqual([
      ['CUSTOMER', 'CONNECTED'],
      ['AGENT', 'CONNECTED'],
    ]);
    expect(list.body).toMatchObject({ pageSize: 25, pageNumber: 1, total: 2, pageCount: 1 });

    await agent.call('POST', `/interactions/${interaction.id}/done`);
    await agent.call('POST', `/interactions/${interaction.id}/complete`, {});
    await s.until((f) => changes(f).some((m) => m.id === g.memberId && m.state === 'DISCONNECTED'));
    expect(changes(s.frames)).toEqual([
      { id: g.memberId, state: 'CONNECTED' },
      { id: agentChange.id, state: 'CONNECTED' },
      { id: agentChange.id, state: 'DISCONNECTED' },
      { id: g.memberId, state: 'DISCONNECTED' },
    ]);
    expect(messages(s.frames).map((b) => b.bodyType)).toEqual(['member-join', 'member-join', 'standard', 'notice', 'standard', 'member-leave', 'member-leave']);
    const all = JSON.stringify(s.frames);
    expect(all).not.toContain('internal note');
    expect(all).not.toContain('InteractionStateChange');
    expect((await g.member(g.memberId)).body.state).toBe('DISCONNECTED');
    expect((await g.call('GET', '/members?excludeDisconnectedMembers=true')).body.entities).toEqual([]);
    await s.close();
  });

  it('checks the jwt on every call: none, tampered, or another conversation’s is refused', async () => {
    const a = new GuestCustomer(srv.url);
    const b = new GuestCustomer(srv.url);
    await a.create(guestCreateBody('demo'));
    await b.create(guestCreateBody('demo'));
    const calls: [string, string, unknown?][] = [
      ['GET', '/members'],
      ['GET', `/members/${a.memberId}`],
      ['GET', '/messages'],
      ['POST', `/members/${a.memberId}/messages`, { body: 'x', bodyType: 'standard' }],
      ['POST', `/members/${a.memberId}/typing`],
      ['DELETE', `/members/${a.memberId}`],
    ];
    const tampered = a.jwt.slice(0, -4) + (a.jwt.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const [method, path, body] of calls) {
      const none = await http(`${srv.url}${GUEST}/${a.id}${path}`, { method, ...(body ? { json: body } : {}) });
      expect(none.status, `${method} ${path} without jwt`).toBe(401);
      expect(none.body).toMatchObject({ status: 401, code: 'not.authorized' });
      expect((await a.call(method, path, body, tampered)).status, `${method} ${path} tampered`).toBe(401);
      const other = await a.call(method, path, body, b.jwt);
      expect(other.status, `${method} ${path} with b's jwt`).toBe(403);
      // The one refusal of core/authorize.ts, in the guest API's own name for the token.
      expect(other.body.message).toBe('the jwt does not open this session');
    }
    // With its own jwt, b still cannot act as a's member inside b's conversation path.
    const asOther = await http(`${srv.url}${GUEST}/${b.id}/members/${a.memberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.jwt}` },
      json: { body: 'x', bodyType: 'standard' },
    });
    expect(asOther.status).toBe(403);
    // The event stream: no jwt, a bad one, or b's jwt on a's stream.
    const streamUrl = a.eventStreamUri.split('?')[0]!;
    expect(await refused(streamUrl)).toBe(401);
    expect(await refused(`${streamUrl}?jwt=${encodeURIComponent(tampered)}`)).toBe(401);
    expect(await refused(`${streamUrl}?jwt=${encodeURIComponent(b.jwt)}`)).toBe(403);
    // Nothing got through: a's conversation holds only its own join.
    const hist = await a.call('GET', '/messages');
    expect(hist.body.entities.map((m: any) => m.bodyType)).toEqual(['member-join']);
    expect((await a.member(a.memberId)).body.state).toBe('CONNECTED');
  });

  it('the event stream resumes after a reconnect from the delivery cursor: no gap, no duplicate', async () => {
    const g = new GuestCustomer(srv.url);
    await g.create(guestCreateBody('demo'));
    const agent = await new Agent(srv.url).login();
    await agent.acceptFor(g.id);
    const first = g.stream();
    await first.opened();
    await agent.call('POST', `/sessions/${g.id}/messages`, { type: 'Text', text: 'one' });
    await first.until((f) => texts(f).includes('one'));
    await first.close();

    // While the customer is away: three messages, one of them internal.
    await agent.call('POST', `/sessions/${g.id}/messages`, { type: 'Text', text: 'two' });
    await agent.call('POST', `/sessions/${g.id}/messages`, { type: 'Text', text: 'secret', visibility: 'Int' });
    await agent.call('POST', `/sessions/${g.id}/messages`, { type: 'Text', text: 'three' });

    const second = g.stream();
    await second.opened();
    await second.until((f) => texts(f).includes('three'));
    await agent.call('POST', `/sessions/${g.id}/messages`, { type: 'Text', text: 'four' });
    await second.until((f) => texts(f).includes('four'));
    await new Promise((r) => setTimeout(r, 300));
    expect(texts(first.frames)).toEqual(['one']);
    expect(texts(second.frames)).toEqual(['two', 'three', 'four']);
    const ids = [...messages(first.frames), ...messages(second.frames)].map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    await second.close();
  });

  it('sends heartbeats on channel.metadata and answers ping with pong', async () => {
    const g = new GuestCustomer(srv.url);
    await g.create(guestCreateBody('demo'));
    const s = g.stream();
    await s.opened();
    await s.until((f) => f.filter((x) => x.topicName === 'channel.metadata' && x.eventBody.message === 'WebSocket Heartbeat').length >= 2, 3000);
    expect(s.frames.find((f) => f.topicName === 'channel.metadata')).toEqual({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });
    s.ws.send(JSON.stringify({ message: 'ping' }));
    await s.until((f) => f.some((x) => x.eventBody?.message === 'pong'));
    await s.close();
  });

  it('pages the message history: newest page first, next links to older pages, descending order on request', async () => {
    const g = new GuestCustomer(srv.url);
    await g.create(guestCreateBody('demo'));
    for (const t of ['m1', 'm2', 'm3', 'm4', 'm5']) expect((await g.send(t)).status).toBe(200);
    await g.typing();

    const all = await g.call('GET', '/messages');
    expect(all.status).toBe(200);
    expect(all.body.entities.map((m: any) => m.body)).toEqual(['', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(all.body.next).toBeUndefined();
    for (const m of all.body.entities) expect(Object.keys(m).sort()).toEqual(['body', 'bodyType', 'conversation', 'id', 'sender', 'timestamp']);

    const p1 = await g.call('GET', '/messages?maxResults=2&sortOrder=descending');
    expect(p1.body.entities.map((m: any) => m.body)).toEqual(['m5', 'm4']);
    expect(p1.body.pageSize).toBe(2);
    expect(p1.body.next).toBe(`${GUEST}/${g.id}/messages?before=${p1.body.entities[1].id}&maxResults=2`);
    const p2 = await http(`${srv.url}${p1.body.next}&sortOrder=descending`, { headers: { authorization: `Bearer ${g.jwt}` } });
    expect(p2.body.entities.map((m: any) => m.body)).toEqual(['m3', 'm2']);
    const p3 = await http(`${srv.url}${p2.body.next}`, { headers: { authorization: `Bearer ${g.jwt}` } });
    expect(p3.body.entities.map((m: any) => m.bodyType)).toEqual(['member-join', 'standard']);
    expect(p3.body.next).toBeUndefined();
    const after = await g.call('GET', `/messages?after=${p2.body.entities[1].id}&maxResults=2`);
    expect(after.body.entities.map((m: any) => m.body)).toEqual(['m3', 'm4']);
    expect(after.body.next).toBe(`${GUEST}/${g.id}/messages?after=${after.body.entities[1].id}&maxResults=2`);

    expect((await g.call('GET', '/messages?maxResults=500')).status).toBe(400);
    expect((await g.call('GET', '/messages?before=nope')).status).toBe(400);

    // A restore reads the newest page, then opens the stream: nothing twice.
    const s = g.stream();
    await s.opened();
    await new Promise((r) => setTimeout(r, 400));
    expect(messages(s.frames)).toEqual([]);
    await s.close();
  });

  it('refuses bad input with clear 4xx errors', async () => {
    const create = (body: unknown) => http(`${srv.url}${GUEST}`, { method: 'POST', json: body });
    const cases: [string, unknown, number, RegExp][] = [
      ['no deploymentId', { ...guestCreateBody('demo'), deploymentId: undefined }, 400, /deploymentId is required/],
      ['unknown deployment', guestCreateBody('no-such-site'), 404, /not a deployment/],
      ['targetType', guestCreateBody('demo', { routingTarget: { targetType: 'AGENT', targetAddress: 'Support' } }), 400, /targetType must be QUEUE/],
      ['priority', guestCreateBody('demo', { routingTarget: { targetType: 'QUEUE', targetAddress: 'Support', priority: 11 } }), 400, /priority must be 0-10/],
      ['unknown queue', guestCreateBody('demo', { routingTarget: { targetType: 'QUEUE', targetAddress: 'Nowhere' } }), 400, /"Nowhere" is not a queue of this deployment; known: Support/],
      ['role', guestCreateBody('demo', { memberInfo: { displayName: 'x', role: 'AGENT' } }), 400, /role must be CUSTOMER/],
      ['not JSON', 'nope', 400, /./],
    ];
    for (const [what, body, status, message] of cases) {
      const r = await create(body);
      expect(r.status, what).toBe(status);
      expect(r.body.message, what).toMatch(message);
      expect(r.body.status, what).toBe(status);
      expect(typeof r.body.code, what).toBe('string');
    }
    const g = new GuestCustomer(srv.url);
    // Queue names match in any case; no routingTarget goes to the default queue.
    await g.create(guestCreateBody('demo', { routingTarget: { targetType: 'queue', targetAddress: 'support' } }));
    const agent = await new Agent(srv.url).login();
    expect((await agent.queued(g.id)).queue).toBe('Support');
    const bare = new GuestCustomer(srv.url);
    await bare.create({ deploymentId: 'demo', organizationId: 'x', memberInfo: { displayName: 'Bare' } });
    expect((await agent.queued(bare.id)).queue).toBe('Support');
    expect((await g.call('POST', `/members/${g.memberId}/messages`, { body: 'x', bodyType: 'member-join' })).status).toBe(400);
    expect((await g.call('POST', `/members/${g.memberId}/messages`, {})).body.message).toMatch(/body is required/);
    expect((await g.member('00000000-0000-0000-0000-00000000dead')).status).toBe(404);
  });

  it('one conversation across APIs: the agent answers a guest and a v3 customer the same way', async () => {
    const g = new GuestCustomer(srv.url);
    await g.create(guestCreateBody('demo'));
    const v3 = new V3Customer(srv.url);
    await v3.start();
    const agent = await new Agent(srv.url).login();
    for (const id of [g.id, v3.sessionId]) {
      await agent.acceptFor(id);
      await agent.call('POST', `/sessions/${id}/messages`, { type: 'Text', text: 'same answer' });
    }
    const s = g.stream();
    await s.opened();
    await s.until((f) => texts(f).includes('same answer'));
    await v3.pollUntil((seen) => seen.some((m) => m.text === 'same answer'));
    const mine = (await agent.call('GET', '/interactions?mine=true')).body.interactions.filter((i: any) => i.sessionId === g.id || i.sessionId === v3.sessionId);
    expect(mine.map((i: any) => i.state)).toEqual(['Handling', 'Handling']);
    await s.close();
  });

  it('answers CORS preflight for the guest path with authorization allowed; refuses a foreign origin', async () => {
    const pre = await fetch(`${srv.url}${GUEST}`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:0', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:0');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    const foreign = await http(`${srv.url}${GUEST}`, { method: 'POST', headers: { origin: 'https://evil.example' }, json: guestCreateBody('demo') });
    expect(foreign.status).toBe(403);
    const ok = await http(`${srv.url}${GUEST}`, { method: 'POST', headers: { origin: 'http://localhost:0' }, json: guestCreateBody('demo') });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:0');
  });

  it('documents every guest route in /openapi.json', async () => {
    const doc = (await http(`${srv.url}/openapi.json`)).body;
    for (const p of [
      '',
      '/{conversationId}/members',
      '/{conversationId}/members/{memberId}',
      '/{conversationId}/messages',
      '/{conversationId}/members/{memberId}/messages',
      '/{conversationId}/members/{memberId}/typing',
      '/{conversationId}/stream',
    ]) {
      expect(doc.paths[`${GUEST}${p}`], p).toBeDefined();
    }
    expect(doc.paths[`${GUEST}/{conversationId}/members/{memberId}`].delete).toBeDefined();
  });
});

describe('guest chat API v2 with the demo bot', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ PARLEY_DEMO_BOT: 'true' });
  });
  afterAll(() => srv.close());

  it('shows the bot as a WORKFLOW member and its messages on the stream', async () => {
    const g = new GuestCustomer(srv.url);
    await g.create(guestCreateBody('demo'));
    const s = g.stream();
    await s.opened();
    const greeting = await s.until((f) => messages(f).find((b) => b.bodyType === 'standard' && /Parley bot/.test(b.body)));
    const bot = await g.member(greeting.sender.id);
    expect(bot.body).toMatchObject({ role: 'WORKFLOW', displayName: 'Parley Bot', state: 'CONNECTED' });
    await g.send('hours');
    await s.until((f) => texts(f).some((t: string) => /Monday to Friday/.test(t)));
    await s.close();
  });
});

describe('guest chat API v2: rate limits', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ START_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(() => srv.close());

  it('limits conversation creation per client address like the other start routes', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await http(`${srv.url}${GUEST}`, { method: 'POST', json: guestCreateBody('demo') })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('guest chat API v2: asynchronous deployment', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer();
    const { admin } = await createStaff(srv.url, []);
    await http(`${srv.url}/admin/v1/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
      json: { id: 'async-site', name: 'Async', asyncPolicy: { mode: 'async', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: 'Thanks.' } },
    });
  });
  afterAll(() => srv.close());

  it('a completed interaction disconnects the agent, not the customer; writing again opens a new interaction', async () => {
    const g = new GuestCustomer(srv.url);
    await g.create(guestCreateBody('async-site'));
    const s = g.stream();
    await s.opened();
    const agent = await new Agent(srv.url).login();
    const first = await agent.acceptFor(g.id);
    await agent.call('POST', `/interactions/${first.id}/done`);
    await agent.call('POST', `/interactions/${first.id}/complete`, {});
    const gone = await s.until((f) => changes(f).find((m) => m.id !== g.memberId && m.state === 'DISCONNECTED'));
    expect((await g.member(gone.id)).body).toMatchObject({ role: 'AGENT', state: 'DISCONNECTED' });
    expect((await g.member(g.memberId)).body.state).toBe('CONNECTED');
    expect((await g.send('one more question')).status).toBe(200);
    const next = await agent.queued(g.id);
    expect(next).toBeDefined();
    expect(next.id).not.toBe(first.id);
    await new Promise((r) => setTimeout(r, 200));
    expect(
      changes(s.frames)
        .filter((m) => m.id === g.memberId)
        .map((m) => m.state),
    ).toEqual(['CONNECTED']);
    await s.close();
  });
});
