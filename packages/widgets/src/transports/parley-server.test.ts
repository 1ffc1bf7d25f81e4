/**
 * Both Genesys transports against the real Parley server (in process): GMS chat v2 at
 * /genesys/2/chat/{queue} and guest chat v2 at /api/v2/webchat/guest/conversations with its
 * WebSocket stream. A whole chat each way with the agent API on the other side, and a restore.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, clearCookies, openPage, PNG, startServer, TestAgent, type Page, type TestServer } from '../service/server.testkit.js';
import { closeSocketsSilently, installRecordingWebSocket, sockets } from '../service/sockets.testkit.js';
import './index.js';
import './gms-chat-v2.js';
import './purecloud-v2-sockets.js';

installRecordingWebSocket();

const FORM = { firstname: 'Jonny', lastname: 'Smith', email: 'j@x.io', subject: 'Order 42' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let srv: TestServer;
const pages: Page[] = [];
const open = (config: Record<string, any>) => {
  const p = openPage(config);
  pages.push(p);
  return p;
};
const gms = () => ({ dataURL: `${srv.url}/genesys/2/chat/Support`, apikey: API_KEY, userData: { customerId: '59606' } });
const guest = (transport: Record<string, any> = {}) => ({
  transport: {
    type: 'purecloud-v2-sockets',
    dataURL: srv.url,
    deploymentKey: 'demo',
    orgGuid: 'parley',
    interactionData: { routing: { targetType: 'QUEUE', targetAddress: 'Support', priority: 2 } },
    ...transport,
  },
  userData: { customerId: '59606', phoneNumber: '1-916-892-2045 x293' },
});
const shown = (p: Page, type = 'Message') => p.named('messageReceived').flatMap((e) => e.data.messages.filter((m: any) => m.type === type).map((m: any) => [m.from.type, m.text]));

beforeAll(async () => {
  srv = await startServer();
});
afterAll(() => srv.close());
beforeEach(() => clearCookies());
afterEach(async () => {
  for (const p of pages.splice(0)) {
    if (p.svc.data('sessionActive')) await p.cmd('WebChatService.endChat').catch(() => undefined);
    p.svc.command('WebChatService.stopPoll').fail(() => undefined);
  }
});

describe('GMS chat v2 against the Parley server', () => {
  it('a whole chat: start, agent joins, messages and typing both ways, userData, notice, file, end', async () => {
    const p = open(gms());
    await p.cmd('WebChatService.startChat', FORM);
    const { sessionID } = await p.cmd('WebChatService.getSessionData');
    expect((await p.next('started')).data).toMatchObject({ sessionID, userId: expect.any(String), secureKey: expect.any(String), alias: expect.any(String) });
    const agent = await new TestAgent(srv.url).login();
    await agent.accept(sessionID);
    const joined = await p.next('agentConnected', undefined, 6000);
    expect(joined.data.message.from).toMatchObject({ type: 'Agent' });
    const info = await agent.call('GET', `/sessions/${sessionID}`);
    expect(JSON.stringify(info)).toContain('59606');

    await agent.say(sessionID, 'typ', 'TypingStarted');
    await p.next('agentTypingStarted', undefined, 6000);
    await agent.say(sessionID, 'Hello, how can I help?');
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'Hello, how can I help?'), 6000);

    await p.cmd('WebChatService.sendTyping', { message: 'I ne' });
    await p.cmd('WebChatService.sendMessage', { message: 'I need a refund' });
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'I need a refund' && m.from.type === 'Client'), 6000);
    const seen = (await agent.call('GET', `/sessions/${sessionID}/messages`)).messages.filter((m: any) => m.from.type === 'Customer').map((m: any) => [m.type, m.text ?? null]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['TypingStarted', 'I ne'],
        ['Text', 'I need a refund'],
      ]),
    );

    await p.cmd('WebChatService.updateUserData', { orderId: 'A-1' });
    expect((await agent.call('GET', `/sessions/${sessionID}`)).session.userData).toMatchObject({ orderId: 'A-1', customerId: '59606' });
    await p.cmd('WebChatService.sendCustomNotice', { message: 'page: checkout' });

    await p.cmd('WebChatService.sendFile', { files: [new File([PNG], 'dot.png', { type: 'image/png' })] });
    const file = await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.type === 'FileUploaded'), 6000);
    const link = file.data.messages.find((m: any) => m.type === 'FileUploaded').content[0].url as string;
    const got = await fetch(link);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(Buffer.from(PNG));

    await agent.call('POST', `/sessions/${sessionID}/messages`, { type: 'PushUrl', url: 'https://example.com/offer', text: 'Our offer' });
    const push = await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.type === 'PushUrl'), 6000);
    expect(push.data.messages.find((m: any) => m.type === 'PushUrl')).toMatchObject({ url: 'https://example.com/offer' });

    await sleep(700);
    expect(shown(p)).toEqual([
      ['Agent', 'Hello, how can I help?'],
      ['Client', 'I need a refund'],
    ]);
    await p.cmd('WebChatService.endChat');
    await p.next('ended');
    expect((await agent.call('GET', `/sessions/${sessionID}`)).session.state).toBe('Ended');
  }, 20_000); // GMS refreshes every 0.5-3 s: a whole chat takes seconds, more on a busy machine

  it('the agent ending the chat ends it on the page (chatEnded)', async () => {
    const p = open(gms());
    await p.cmd('WebChatService.startChat', FORM);
    const { sessionID } = await p.cmd('WebChatService.getSessionData');
    const agent = await new TestAgent(srv.url).login();
    const it = await agent.accept(sessionID);
    await p.next('agentConnected', undefined, 6000);
    await agent.call('POST', `/interactions/${it.id}/done`, {});
    await agent.call('POST', `/interactions/${it.id}/complete`, { wrapUpCode: 'resolved' });
    await p.next('ended', undefined, 8000);
  });

  it('restores after a reload: the transcript once, then live messages', async () => {
    const p1 = open(gms());
    await p1.cmd('WebChatService.startChat', FORM);
    const { sessionID } = await p1.cmd('WebChatService.getSessionData');
    const agent = await new TestAgent(srv.url).login();
    await agent.accept(sessionID);
    await agent.say(sessionID, 'first');
    await p1.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'first'), 6000);
    p1.svc.command('WebChatService.stopPoll').fail(() => undefined);
    pages.splice(0);

    const p2 = open(gms());
    await p2.next('restored');
    const r = await p2.next('messageReceived', (e) => e.data.restoring);
    expect(r.data.messages.map((m: any) => m.text).filter(Boolean)).toEqual(['first']);
    await agent.say(sessionID, 'second');
    await p2.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'second'), 6000);
    await sleep(700);
    expect(shown(p2).map(([, t]) => t)).toEqual(['first', 'second']);
  });
});

describe('purecloud-v2-sockets against the Parley server', () => {
  it('a whole chat: create, stream, agent joins, messages and typing both ways, end', async () => {
    const p = open(guest());
    const created = await p.cmd('WebChatService.startChat', FORM);
    expect(created).toMatchObject({ id: expect.any(String), jwt: expect.any(String), eventStreamUri: expect.stringMatching(/^ws:\/\//), member: { id: expect.any(String) } });
    const id = created.id as string;
    await p.next('clientConnected', undefined, 6000);
    const agent = await new TestAgent(srv.url).login();
    await agent.accept(id);
    const joined = await p.next('agentConnected', undefined, 6000);
    expect(joined.data.message.from).toMatchObject({ type: 'Agent' });
    const info = await agent.call('GET', `/sessions/${id}`);
    expect(JSON.stringify(info)).toContain('59606');

    await agent.say(id, 'typ', 'TypingStarted');
    await p.next('agentTypingStarted', undefined, 6000);
    await agent.say(id, 'Hello, how can I help?');
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'Hello, how can I help?'), 6000);
    await p.next('agentTypingStopped');

    await p.cmd('WebChatService.sendTyping', { message: 'I ne' });
    await p.cmd('WebChatService.sendMessage', { message: 'I need a refund' });
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'I need a refund' && m.from.type === 'Client'), 6000);
    const seen = (await agent.call('GET', `/sessions/${id}/messages`)).messages.filter((m: any) => m.from.type === 'Customer').map((m: any) => m.type);
    expect(seen).toEqual(expect.arrayContaining(['TypingStarted', 'Text']));
    await expect(p.cmd('WebChatService.updateUserData', { orderId: 'A-1' })).rejects.toBe("This transport doesn't support updating userData during an active chat session.");

    await sleep(300);
    expect(shown(p)).toEqual([
      ['Agent', 'Hello, how can I help?'],
      ['Client', 'I need a refund'],
    ]);
    expect(p.named('agentConnected')).toHaveLength(1);
    await p.cmd('WebChatService.endChat');
    await p.next('ended');
    expect((await agent.call('GET', `/sessions/${id}`)).session.state).toBe('Ended');
  });

  it('the agent ending the chat ends it on the page (the customer member DISCONNECTED)', async () => {
    const p = open(guest());
    const { id } = await p.cmd('WebChatService.startChat', FORM);
    const agent = await new TestAgent(srv.url).login();
    const it = await agent.accept(id);
    await p.next('agentConnected', undefined, 6000);
    await agent.call('POST', `/interactions/${it.id}/done`, {});
    await agent.call('POST', `/interactions/${it.id}/complete`, { wrapUpCode: 'resolved' });
    await p.next('agentDisconnected', undefined, 6000);
    await p.next('ended', undefined, 6000);
  });

  it('the stream drops: reopened after 2 s, what was said meanwhile arrives once', async () => {
    const p = open(guest());
    const { id } = await p.cmd('WebChatService.startChat', FORM);
    const agent = await new TestAgent(srv.url).login();
    await agent.accept(id);
    await p.next('agentConnected', undefined, 6000);
    await agent.say(id, 'before');
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'before'), 6000);
    for (const s of sockets.splice(0)) s.terminate();
    await p.next('disconnected');
    await agent.say(id, 'during');
    await agent.say(id, 'typ', 'TypingStarted');
    await p.next('reconnected', undefined, 6000);
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'during'), 6000);
    await agent.say(id, 'after');
    await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'after'), 6000);
    await sleep(300);
    expect(shown(p).map(([, t]) => t)).toEqual(['before', 'during', 'after']);
    expect(p.named('agentConnected')).toHaveLength(1);
  });

  it('restores after a reload: paged history once, then the stream', async () => {
    const p1 = open(guest({ maxMessagePageSize: 2 }));
    const { id } = await p1.cmd('WebChatService.startChat', FORM);
    const agent = await new TestAgent(srv.url).login();
    await agent.accept(id);
    for (const t of ['one', 'two', 'three']) await agent.say(id, t);
    await p1.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'three'), 6000);
    closeSocketsSilently();
    pages.splice(0);

    const p2 = open(guest({ maxMessagePageSize: 2 }));
    await p2.next('restored', undefined, 6000);
    const r = await p2.next('messageReceived', (e) => e.data.restoring);
    expect(r.data.messages.filter((m: any) => m.type === 'Message').map((m: any) => m.text)).toEqual(['one', 'two', 'three']);
    expect(p2.named('agentConnected')).toHaveLength(1);
    await agent.say(id, 'four');
    await p2.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'four'), 6000);
    await sleep(300);
    expect(shown(p2).map(([, t]) => t)).toEqual(['one', 'two', 'three', 'four']);
  });
});
