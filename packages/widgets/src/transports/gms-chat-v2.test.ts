/**
 * GMS chat v2 (reference §2) through WebChatService, against a fake GMS server that records what
 * the client sends: selection by configuration, form bodies, the trailing slash, `refresh` pacing
 * and positions, started/getSessionData shapes, the commands, restore after a reload, lost sessions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cookie } from '../cookies.js';
import { clearCookies, openPage, setPageUrl, type Page } from '../service/server.testkit.js';
import { fakeGms, type FakeGms } from './fake-servers.testkit.js';
import { createGmsTransport, gmsForm } from './gms-chat-v2.js';
import './index.js';
import { GMS_CAN } from './index.js';
import { createTransport } from './transport.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FORM = { firstname: 'Jonny', lastname: 'Smith', email: 'j@x.io', subject: 'product questions' };

let gms: FakeGms;
const pages: Page[] = [];
const page = (extra: Record<string, any> = {}) => {
  const p = openPage({ dataURL: gms.dataURL, apikey: 'gms-key', userData: { customerId: '59606' }, ...extra });
  pages.push(p);
  return p;
};
const calls = (op: string) => gms.requests.filter((r) => r.path.endsWith('/' + op));

beforeEach(async () => {
  gms = await fakeGms();
  setPageUrl(gms.url + '/page.html');
  clearCookies();
});
afterEach(async () => {
  for (const p of pages.splice(0)) {
    if (p.svc.data('sessionActive')) await p.cmd('WebChatService.endChat').catch(() => undefined);
    p.svc.command('WebChatService.stopPoll').fail(() => undefined);
  }
  await gms.close();
});

describe('GMS chat v2: selection and encoding', () => {
  it('is the transport when transport.type is unset and webchat.dataURL is set', () => {
    expect(createTransport({}, { dataURL: 'https://x/genesys/2/chat/Support' }).can).toEqual(GMS_CAN);
    expect(createTransport({}, {}).can.customNotice).toBe(false); // v3
    expect(createTransport({ type: 'pureengage-v3-rest' }, { dataURL: 'https://x' }).can.customNotice).toBe(false);
    expect(createGmsTransport({}, { dataURL: 'x' }).can).toEqual(GMS_CAN);
  });

  it('form-encodes userData with brackets', () => {
    expect(decodeURIComponent(gmsForm({ alias: '', message: 'a&b', userData: { foo: 'bar', n: 1 }, skip: undefined }))).toBe('alias=&message=a&b&userData[foo]=bar&userData[n]=1');
  });
});

describe('GMS chat v2 through WebChatService', () => {
  it('starts with a form POST to {dataURL}/ and publishes started {sessionID, userId, secureKey, alias}', async () => {
    const p = page();
    const r = await p.cmd('WebChatService.startChat', FORM);
    expect(r).toMatchObject({ statusCode: 0, chatId: '0001AaBbCc' });
    const start = gms.requests[0]!;
    expect(start.path).toBe('/genesys/2/chat/Support/');
    expect(start.headers.apikey).toBe('gms-key');
    expect(start.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const f = Object.fromEntries(start.form);
    expect(f).toMatchObject({ alias: '', secureKey: '', userId: '', nickname: 'Jonny', firstName: 'Jonny', lastName: 'Smith', emailAddress: 'j@x.io', subject: 'product questions', text: '' });
    expect(f).toMatchObject({ 'userData[GCTI_LanguageCode]': 'en', 'userData[customerId]': '59606', 'userData[_genesys_source]': 'web' });
    const session = { sessionID: '0001AaBbCc', userId: '00F05B9A2C330001', secureKey: 'a5b7c9d1e3f5', alias: '117' };
    expect((await p.next('started')).data).toEqual(session);
    expect(await p.cmd('WebChatService.getSessionData')).toEqual(session);
    expect(JSON.parse(Cookie.get('_genesys.widgets.webchat.state.keys')!)).toEqual({ ...session, async: false });
    // the customer's own join arrives with the start's answer
    const joined = await p.next('clientConnected');
    expect(joined.data.message).toMatchObject({ type: 'ParticipantJoined', from: { type: 'Client', name: 'Jonny' }, index: 1 });
    expect(p.named('pollingStarted')).toHaveLength(1);
  });

  it('without the trailing slash when enableUrlTrailingSlash is false', async () => {
    const p = page({ enableUrlTrailingSlash: false });
    await p.cmd('WebChatService.startChat', FORM);
    expect(gms.requests[0]!.path).toBe('/genesys/2/chat/Support');
  });

  it('refreshes every 0.5-3 s with alias/userId/secureKey and transcriptPosition = highest index + 1', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    gms.agent('ParticipantJoined', undefined);
    const connected = await p.next('agentConnected');
    expect(connected.data).toMatchObject({ message: { type: 'ParticipantJoined', from: { name: 'Kate', type: 'Agent', participantId: 2 } }, numAgentsConnected: 1 });
    gms.agent('Message', 'How can I help?');
    const got = await p.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'How can I help?'));
    expect(got.data.messages[0]).toMatchObject({ type: 'Message', index: 3, from: { name: 'Kate', type: 'Agent' }, text: 'How can I help?' });
    expect(got.data.originalMessages[0]).toMatchObject({ type: 'Message', index: 3, utcTime: expect.any(Number) });
    await sleep(3500);
    const refreshes = calls('refresh');
    for (const r of refreshes) {
      expect(r.form.get('alias')).toBe('117');
      expect(r.form.get('userId')).toBe('00F05B9A2C330001');
      expect(r.form.get('secureKey')).toBe('a5b7c9d1e3f5');
      expect(r.form.get('message')).toBe('');
    }
    expect(refreshes.at(-1)!.form.get('transcriptPosition')).toBe('4');
    const gaps = refreshes.slice(1).map((r, i) => r.at - refreshes[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(450);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(3300);
    // no message is published twice
    const indexes = p.named('messageReceived').flatMap((e) => e.data.messages.map((m: any) => m.index));
    expect(new Set(indexes).size).toBe(indexes.length);
  });

  it('sends, types, custom notices and userData as GMS operations; the own message shows once', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    await p.cmd('WebChatService.sendMessage', { message: 'hi there' });
    expect(Object.fromEntries(calls('send')[0]!.form)).toMatchObject({ alias: '117', message: 'hi there', messageType: 'text' });
    await p.cmd('WebChatService.sendTyping', { message: 'typ' });
    expect(Object.fromEntries(calls('startTyping')[0]!.form)).toMatchObject({ secureKey: 'a5b7c9d1e3f5', message: 'typ', transcriptPosition: expect.stringMatching(/^\d+$/) });
    await p.cmd('WebChatService.sendCustomNotice', { message: 'bye' });
    expect(calls('customNotice')[0]!.form.get('message')).toBe('bye');
    await p.cmd('WebChatService.updateUserData', { foo: 'bar' });
    expect(gms.userData).toEqual({ foo: 'bar' });
    await sleep(1200);
    const mine = p
      .named('messageReceived')
      .flatMap((e) => e.data.messages)
      .filter((m: any) => m.type === 'Message' && m.text === 'hi there');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ from: { type: 'Client', name: 'Jonny' } });
    // polling commands work on this transport
    await p.cmd('WebChatService.stopPoll');
    expect(p.named('pollingStopped')).toHaveLength(1);
    await p.cmd('WebChatService.startPoll');
    await p.cmd('WebChatService.resetPollExceptions');
  });

  it('endChat posts disconnect and publishes ended', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    await p.cmd('WebChatService.endChat');
    expect(Object.fromEntries(calls('disconnect')[0]!.form)).toMatchObject({ alias: '117', userId: '00F05B9A2C330001', secureKey: 'a5b7c9d1e3f5' });
    await p.next('ended');
    expect(p.svc.data('sessionActive')).toBe(false);
    expect(await p.cmd('WebChatService.getSessionData')).toEqual({});
  });

  it('chatEnded from the server ends the chat', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    gms.agent('ParticipantLeft');
    gms.ended = true;
    await p.next('ended', undefined, 5000);
    expect(p.named('agentDisconnected')).toHaveLength(1);
  });

  it('restores after a reload from the cookie: the whole transcript once, then live messages', async () => {
    const p1 = page();
    await p1.cmd('WebChatService.startChat', FORM);
    gms.agent('ParticipantJoined');
    gms.agent('Message', 'first');
    await p1.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'first'));
    p1.svc.command('WebChatService.stopPoll').fail(() => undefined); // the page goes away
    pages.splice(0);

    const before = gms.requests.length;
    const p2 = page();
    await p2.next('restored');
    const restoring = await p2.next('messageReceived', (e) => e.data.restoring);
    expect(restoring.data.messages.map((m: any) => m.type)).toEqual(['ParticipantJoined', 'ParticipantJoined', 'Message']);
    expect(gms.requests[before]!.path).toMatch(/\/refresh$/);
    expect(gms.requests[before]!.form.get('transcriptPosition')).toBe('1');
    expect(p2.named('agentConnected')).toHaveLength(1);
    gms.agent('Message', 'second');
    await p2.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'second'));
    await sleep(800);
    const texts = p2
      .named('messageReceived')
      .flatMap((e) => e.data.messages.map((m: any) => m.text))
      .filter(Boolean);
    expect(texts).toEqual(['first', 'second']);
    expect(await p2.cmd('WebChatService.getSessionData')).toMatchObject({ sessionID: '0001AaBbCc', secureKey: 'a5b7c9d1e3f5' });
  });

  it('a System message passes to page code as it is (what seed 000 filters on)', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    gms.agent('System', undefined, { event: 'InteractionStateChange', data: { interactionState: 'Finalizing' } } as any);
    const e = await p.next('messageReceived', (x) => x.data.originalMessages.some((m: any) => m.type === 'System'), 5000);
    expect(e.data.originalMessages.filter((m: any) => m.type === 'System' && m.event === 'InteractionStateChange').pop().data.interactionState).toBe('Finalizing');
  });

  it('a fatal answer to refresh loses the session', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    gms.failNext('refresh', 200, { statusCode: 2, errors: [{ code: 102, advice: 'Chat session is closed' }] });
    await p.next('sessionLost', undefined, 5000);
    await p.next('ended');
  });

  it('a failed command rejects with the GMS error body', async () => {
    const p = page();
    await p.cmd('WebChatService.startChat', FORM);
    gms.failNext('send', 200, { statusCode: 2, errors: [{ code: 230, advice: 'message too long' }] });
    const err = await p.cmd('WebChatService.sendMessage', { message: 'x' }).catch((e) => e);
    expect(err).toMatchObject({ statusCode: 2, errors: [{ code: 230 }], status: { code: '230', message: 'message too long' } });
    expect(p.svc.data('sessionActive')).toBe(true);
  });

  it('a failed start rejects and publishes error', async () => {
    const p = page({ apikey: 'wrong' });
    const err = await p.cmd('WebChatService.startChat', FORM).catch((e) => e);
    expect(err).toMatchObject({ statusCode: 2, httpStatus: 401 });
    expect(p.named('error')).toHaveLength(1);
    expect(p.svc.data('sessionActive')).toBe(false);
  });
});
