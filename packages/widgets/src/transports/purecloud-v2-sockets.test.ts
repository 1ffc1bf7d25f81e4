/**
 * purecloud-v2-sockets (reference §3) through WebChatService, against a fake guest chat server with
 * a real WebSocket: seed 003's configuration, the create body, member lookups and the joins they
 * decide, the stream mapping, typing, the rejections of seed 003, ending, the socket dropping and
 * coming back, and restore after a reload (paged history).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cookie } from '../cookies.js';
import { clearCookies, openPage, setPageUrl, type Page } from '../service/server.testkit.js';
import { TEXT } from '../service/webchat-service.js';
import { fakeGuest, type FakeGuest } from './fake-servers.testkit.js';
import { GUEST_CAN } from './index.js';
import { createBody, createGuestTransport } from './purecloud-v2-sockets.js';
import { createTransport } from './transport.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FORM = { firstname: 'Jonny', lastname: 'Smith', email: 'j@x.io', subject: 'product questions' };

/** Seed 003's example, pointed at the fake server. */
const seed003 = (dataURL: string, transport: Record<string, any> = {}) => ({
  transport: {
    type: 'purecloud-v2-sockets',
    dataURL,
    deploymentKey: 'demo',
    orgGuid: 'org-1',
    interactionData: { routing: { targetType: 'QUEUE', targetAddress: 'Support', priority: 2 } },
    ...transport,
  },
  userData: {
    addressStreet: '64472 Brown Street',
    addressCity: 'Lindgrenmouth',
    addressPostalCode: '50163-2735',
    addressState: 'FL',
    phoneNumber: '1-916-892-2045 x293',
    phoneType: 'Cell',
    customerId: '59606',
  },
});

let g: FakeGuest;
const pages: Page[] = [];
const page = (transport: Record<string, any> = {}) => {
  const p = openPage(seed003(g.url, transport));
  pages.push(p);
  return p;
};
const texts = (p: Page) => p.named('messageReceived').flatMap((e) => e.data.messages.filter((m: any) => m.type === 'Message').map((m: any) => m.text));

beforeEach(async () => {
  g = await fakeGuest();
  setPageUrl(g.url + '/page.html');
  clearCookies();
});
afterEach(async () => {
  for (const p of pages.splice(0)) if (p.svc.data('sessionActive')) await p.cmd('WebChatService.endChat').catch(() => undefined);
  await g.close();
});

describe('purecloud-v2-sockets: configuration', () => {
  it('is chosen by transport.type; its capabilities match the lazy stand-in', () => {
    expect(createTransport({ type: 'purecloud-v2-sockets', dataURL: 'x' }, { dataURL: 'https://gms' }).can).toEqual(GUEST_CAN);
    expect(createGuestTransport({}).can).toEqual(GUEST_CAN);
  });

  it('builds the create body of reference §3', () => {
    const body = createBody(
      { deploymentKey: 'dk', orgGuid: 'og', interactionData: { routing: { targetType: 'QUEUE', targetAddress: 'Support', priority: 2, skills: ['Computers'], language: 'English - Written' } } },
      { ...FORM, userData: { customerId: '59606', phoneNumber: '1-916', _genesys_source: 'web' } },
    );
    expect(body).toEqual({
      deploymentId: 'dk',
      organizationId: 'og',
      routingTarget: { targetAddress: 'Support', targetType: 'QUEUE', skills: ['Computers'], priority: 2, language: 'English - Written' },
      memberInfo: {
        displayName: 'Jonny Smith',
        role: 'CUSTOMER',
        customFields: { firstName: 'Jonny', lastName: 'Smith', customerId: '59606', phoneNumber: '1-916', _genesys_source: 'web', email: 'j@x.io', subject: 'product questions' },
      },
    });
  });
});

describe('purecloud-v2-sockets through WebChatService', () => {
  it('creates without a token, then opens the stream; started is the create response', async () => {
    const p = page();
    const r = await p.cmd('WebChatService.startChat', FORM);
    expect(r).toMatchObject({ id: g.conversationId, member: { id: g.customerId }, jwt: expect.any(String), eventStreamUri: expect.stringMatching(/^ws:/) });
    const create = g.requests[0]!;
    expect(create.path).toBe('/api/v2/webchat/guest/conversations');
    expect(create.headers.authorization).toBeUndefined();
    expect(create.headers['content-type']).toBe('application/json');
    expect(create.json).toMatchObject({
      deploymentId: 'demo',
      organizationId: 'org-1',
      routingTarget: { targetType: 'QUEUE', targetAddress: 'Support', priority: 2 },
      memberInfo: {
        displayName: 'Jonny Smith',
        role: 'CUSTOMER',
        customFields: { firstName: 'Jonny', lastName: 'Smith', email: 'j@x.io', subject: 'product questions', customerId: '59606', phoneNumber: '1-916-892-2045 x293', _genesys_source: 'web' },
      },
    });
    expect((await p.next('started')).data).toEqual(r);
    const session = { conversationId: g.conversationId, memberId: g.customerId, jwt: r.jwt, eventStreamUri: r.eventStreamUri };
    expect(await p.cmd('WebChatService.getSessionData')).toEqual(session);
    expect(JSON.parse(Cookie.get('_genesys.widgets.webchat.state.keys')!)).toEqual({ ...session, async: false });
    // the customer's member-join comes on the stream: looked up by id with the jwt
    const joined = await p.next('clientConnected');
    expect(joined.data.message).toMatchObject({ type: 'ParticipantJoined', from: { type: 'Client', name: 'Jonny Smith', participantId: g.customerId } });
    const lookup = g.requests.find((q) => q.method === 'GET' && q.path.endsWith('/members/' + g.customerId))!;
    expect(lookup.headers.authorization).toBe('Bearer ' + r.jwt);
    expect(g.sockets.size).toBe(1);
    expect(p.named('pollingStarted')).toHaveLength(0);
  });

  it('maps the stream: agent joins once, messages, notices, typing, leaves', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    await p.next('clientConnected');
    g.agentJoin(); // member-change CONNECTED + member-join message
    const c = await p.next('agentConnected');
    expect(c.data).toMatchObject({ message: { type: 'ParticipantJoined', from: { type: 'Agent', name: 'Kate' } }, numAgentsConnected: 1 });
    g.agentTyping();
    const typing = await p.next('agentTypingStarted');
    expect(typing.data).toMatchObject({ type: 'TypingStarted', from: { type: 'Agent', name: 'Kate' } });
    g.heartbeat();
    const said = g.agentSay('How can I help?');
    const got = await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'How can I help?'));
    expect(got.data.messages[0]).toMatchObject({ type: 'Message', text: 'How can I help?', id: said.id, timestamp: said.timestamp, from: { type: 'Agent', name: 'Kate' } });
    expect(typeof got.data.messages[0].index).toBe('number');
    expect(got.data.originalMessages[0]).toMatchObject({ id: said.id, body: 'How can I help?', bodyType: 'standard', sender: { id: said.sender.id } });
    await p.next('agentTypingStopped');
    g.agentSay('Please hold on.', 'notice');
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'Please hold on.' && m.type === 'Message'));
    g.agentLeave();
    const left = await p.next('agentDisconnected');
    expect(left.data.numAgentsConnected).toBe(0);
    await sleep(200);
    expect(p.named('agentConnected')).toHaveLength(1);
    expect(p.named('agentDisconnected')).toHaveLength(1);
    // GET of the member on member-join and on every member-change
    expect(g.requests.filter((q) => q.method === 'GET' && /\/members\/a6e47/.test(q.path)).length).toBeGreaterThanOrEqual(3);
    const { messages } = await p.cmd('WebChatService.getTranscript');
    const order = messages.map((m: any) => m.index);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('a message carrying an event reaches page code as a System message (what seed 000 filters on)', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    await p.next('clientConnected');
    const body = {
      id: 'sys-1',
      conversation: { id: g.conversationId },
      sender: { id: '00000000-0000-0000-0000-000000000000' },
      body: '',
      bodyType: 'system',
      timestamp: new Date().toISOString(),
      event: 'InteractionStateChange',
      data: { interactionState: 'Finalizing' },
    };
    for (const s of g.sockets) s.send(JSON.stringify({ topicName: `v2.conversations.chats.${g.conversationId}.messages`, eventBody: body, metadata: { type: 'message' } }));
    const e = await p.next('messageReceived', (x) => x.data.originalMessages.some((m: any) => m.type === 'System'));
    const last = e.data.originalMessages.filter((m: any) => m.type === 'System' && m.event === 'InteractionStateChange').pop();
    expect(last.data.interactionState).toBe('Finalizing');
    expect(e.data.messages[0]).toMatchObject({ type: 'System', event: 'InteractionStateChange', from: { type: 'System' } });
  });

  it('an ALERTING agent connects when its member-change says CONNECTED', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    await p.next('clientConnected');
    g.agentJoin({ alerting: true });
    await sleep(300);
    expect(p.named('agentConnected')).toHaveLength(0);
    g.agentConnect();
    await p.next('agentConnected');
    await sleep(100);
    expect(p.named('agentConnected')).toHaveLength(1);
  });

  it('sends JSON messages shown from the stream once; typing is a POST with an empty body', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    const r = await p.cmd('WebChatService.sendMessage', { message: 'hi there' });
    expect(r).toMatchObject({ body: 'hi there', bodyType: 'standard' });
    const post = g.requests.find((q) => q.method === 'POST' && q.path.endsWith(`/members/${g.customerId}/messages`))!;
    expect(post.json).toEqual({ body: 'hi there', bodyType: 'standard' });
    expect(post.headers.authorization).toMatch(/^Bearer /);
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'hi there'));
    await p.cmd('WebChatService.sendTyping', { message: 'typ' });
    const typing = g.requests.find((q) => q.path.endsWith('/typing'))!;
    expect(typing.method).toBe('POST');
    expect(typing.body).toBe('');
    await sleep(300);
    expect(texts(p)).toEqual(['hi there']);
    const mine = p
      .named('messageReceived')
      .flatMap((e) => e.data.messages)
      .find((m: any) => m.text === 'hi there');
    expect(mine.from).toMatchObject({ type: 'Client', name: 'Jonny Smith' });
    // the customer's own typing is not echoed as a message
    expect(
      p
        .named('messageReceived')
        .flatMap((e) => e.data.messages)
        .filter((m: any) => m.type === 'TypingStarted'),
    ).toEqual([]);
  });

  it("rejects what this transport can't do with seed 003's texts", async () => {
    const p = page();
    // before a session, userData is merged locally
    expect(await p.cmd('WebChatService.updateUserData', { foo: 'bar' })).toMatchObject({ foo: 'bar' });
    await p.cmd('WebChatService.startChat', FORM);
    expect(g.requests[0]!.json.memberInfo.customFields.foo).toBe('bar');
    await expect(p.cmd('WebChatService.updateUserData', { foo: 'baz' })).rejects.toBe("This transport doesn't support updating userData during an active chat session.");
    await expect(p.cmd('WebChatService.sendCustomNotice', { message: 'x' })).rejects.toBe("This transport doesn't support sendCustomNotice command.");
    await expect(p.cmd('WebChatService.startPoll')).rejects.toBe("This transport doesn't support polling.");
    await expect(p.cmd('WebChatService.stopPoll')).rejects.toBe("This transport doesn't support polling.");
    await expect(p.svc.command('WebChatService.poll')).rejects.toBe("This transport doesn't support polling.");
    await expect(p.cmd('WebChatService.resetPollExceptions')).rejects.toBe("This transport doesn't support resetPollExceptions command.");
    await expect(p.cmd('WebChatService.sendFile', { files: [new Blob(['x'])] })).rejects.toBe("This transport doesn't support file uploads.");
    await expect(p.cmd('WebChatService.fetchHistory')).rejects.toBe(TEXT.historyAsync);
    expect(p.svc.data('sessionActive')).toBe(true);
  });

  it('endChat DELETEs the customer member, closes the stream and publishes ended', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    await p.next('clientConnected');
    await p.cmd('WebChatService.endChat');
    const del = g.requests.find((q) => q.method === 'DELETE')!;
    expect(del.path).toBe(`/api/v2/webchat/guest/conversations/${g.conversationId}/members/${g.customerId}`);
    expect(del.headers.authorization).toMatch(/^Bearer /);
    await p.next('ended');
    await sleep(100);
    expect(g.sockets.size).toBe(0);
    expect(Cookie.get('_genesys.widgets.webchat.state.keys')).toBeUndefined();
  });

  it('the customer member DISCONNECTED (ended by the agent side) ends the chat', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    await p.next('clientConnected');
    // as if the conversation was ended for the customer: member-change DISCONNECTED of their member
    g.members.get(g.customerId)!.state = 'DISCONNECTED';
    for (const s of g.sockets)
      s.send(
        JSON.stringify({
          topicName: `v2.conversations.chats.${g.conversationId}.members`,
          eventBody: { member: { id: g.customerId, state: 'DISCONNECTED' }, conversation: { id: g.conversationId } },
          metadata: { type: 'member-change' },
        }),
      );
    await p.next('clientDisconnected');
    await p.next('ended');
    expect(p.svc.data('sessionActive')).toBe(false);
  });

  it('reopens the socket 2 s after it drops, reads back what was missed, publishes disconnected/reconnected', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    await p.next('clientConnected');
    g.agentJoin();
    await p.next('agentConnected');
    g.refuse = true;
    g.drop();
    const down = await p.next('disconnected');
    g.agentSay('said while you were away'); // nobody is listening
    await sleep(2300); // the first reopen (after 2 s) is refused
    g.refuse = false;
    const up = await p.next('reconnected', undefined, 6000);
    expect(up.time - down.time).toBeGreaterThanOrEqual(3900);
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'said while you were away'));
    g.agentSay('and now');
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'and now'));
    expect(texts(p)).toEqual(['said while you were away', 'and now']);
    // read back after the newest message held (a Parley stream's delivery cursor stays where it is)
    expect(g.requests.some((q) => q.method === 'GET' && /\/messages\?after=m\d+/.test(q.path))).toBe(true);
    expect(p.named('disconnected')).toHaveLength(1);
    expect(p.named('agentConnected')).toHaveLength(1);
  }, 15_000);

  it('restores after a reload from the cookie, with history paged by maxMessagePageSize', async () => {
    const p1 = page({ maxMessagePageSize: 2 });
    await p1.cmd('WebChatService.startChat', FORM);
    await p1.next('clientConnected');
    g.agentJoin();
    for (const t of ['one', 'two', 'three', 'four']) g.agentSay(t);
    await p1.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'four'));
    const before = g.requests.length;
    for (const s of g.sockets) s.terminate(); // the page goes away
    pages.splice(0);

    const p2 = page({ maxMessagePageSize: 2 });
    await p2.next('restored');
    const r = await p2.next('messageReceived', (e) => e.data.restoring);
    expect(r.data.messages.map((m: any) => m.text ?? m.type)).toEqual(['ParticipantJoined', 'ParticipantJoined', 'one', 'two', 'three', 'four']);
    const pagesRead = g.requests.slice(before).filter((q) => q.method === 'GET' && q.path.includes('/messages?'));
    expect(pagesRead.length).toBeGreaterThanOrEqual(3);
    expect(pagesRead[0]!.path).toContain('maxResults=2');
    expect(pagesRead[1]!.path).toContain('before=');
    expect(p2.named('agentConnected')).toHaveLength(1);
    g.agentSay('five');
    await p2.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'five'));
    await sleep(200);
    expect(texts(p2)).toEqual(['one', 'two', 'three', 'four', 'five']);
  });

  it('a stored session the server no longer knows is lost on restore', async () => {
    Cookie.set('_genesys.widgets.webchat.state.keys', JSON.stringify({ conversationId: 'gone', memberId: 'x', jwt: 'y', eventStreamUri: 'ws://127.0.0.1:1/x', async: false }));
    const p = page();
    await p.next('restoreFailed');
    expect(p.named('sessionLost')).toHaveLength(1);
    expect(p.svc.data('sessionActive')).toBe(false);
  });
});
