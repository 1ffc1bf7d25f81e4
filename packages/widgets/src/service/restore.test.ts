/**
 * Restore after a page reload on all three transports (seed 003): `restored` with the transcript
 * when the session lives; `restoreFailed` (and `sessionLost`) when it is gone on the server;
 * `restoreTimeout` when the visitor was away longer than `restoreTimeout` (the session is then
 * ended on the server). Real in-process server; the server's clock is moved to let an ended
 * session's read grace run out.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, clearCookies, openPage, startServer, TestAgent, v3Config, type Page, type TestServer } from './server.testkit.js';
import { closeSocketsSilently, installRecordingWebSocket } from './sockets.testkit.js';
import '../transports/index.js';
import '../transports/gms-chat-v2.js';
import '../transports/purecloud-v2-sockets.js';

installRecordingWebSocket();

const clock = { offset: 0, now: () => Date.now() + clock.offset };
const PING = '_genesys.widgets.webchat.state.ping';
const KEYS = '_genesys.widgets.webchat.state.keys';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let srv: TestServer;
const pages: Page[] = [];
beforeAll(async () => {
  srv = await startServer({}, clock);
});
afterAll(() => srv.close());
beforeEach(() => {
  clearCookies();
  clock.offset = 0;
});
afterEach(() => {
  for (const p of pages.splice(0)) gone(p);
});

/** The page goes away: polling stops, sockets close without telling anyone. */
function gone(p: Page) {
  p.svc.command('WebChatService.stopPoll').fail(() => undefined);
  closeSocketsSilently();
}
const open = (config: Record<string, any>) => {
  const p = openPage(config);
  pages.push(p);
  return p;
};

const transports: [string, () => Record<string, any>][] = [
  ['Chat API v3', () => v3Config(srv.url)],
  ['GMS chat v2', () => ({ dataURL: `${srv.url}/genesys/2/chat/Support`, apikey: API_KEY })],
  [
    'guest chat v2',
    () => ({
      transport: {
        type: 'purecloud-v2-sockets',
        dataURL: srv.url,
        deploymentKey: 'demo',
        orgGuid: 'parley',
        interactionData: { routing: { targetType: 'QUEUE', targetAddress: 'Support', priority: 2 } },
      },
    }),
  ],
];
const FORM = { nickname: 'Jonny', firstname: 'Jonny', lastname: 'Smith', email: 'j@x.io', subject: 'Order 42' };
/** Whether the session reaches Ended on the server within ~4 s. */
async function endedOnServer(sid: string): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    if ((await srv.parley.store.tx((tx) => tx.getSession(sid)))?.state === 'Ended') return true;
    await sleep(100);
  }
  return false;
}
const sessionIdOf = (d: Record<string, any>): string => d.sessionId ?? d.sessionID ?? d.conversationId;

describe.each(transports)('restore after a reload: %s', (_name, config) => {
  it('restored: the transcript once, then the chat goes on', async () => {
    const p1 = open(config());
    await p1.cmd('WebChatService.startChat', FORM);
    const sid = sessionIdOf(await p1.cmd('WebChatService.getSessionData'));
    const agent = await new TestAgent(srv.url).login();
    await agent.accept(sid);
    await agent.say(sid, 'before reload');
    await p1.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'before reload'), 8000);
    gone(p1);

    const p2 = open(config());
    await p2.next('restored');
    const restored = await p2.next('messageReceived', (e) => e.data.restoring);
    expect(restored.data.messages.filter((m: any) => m.type === 'Message').map((m: any) => m.text)).toEqual(['before reload']);
    await agent.say(sid, 'after reload');
    await p2.next('messageReceived', (e) => e.data.messages.some((m: any) => m.text === 'after reload'), 8000);
    await sleep(300);
    const texts = p2.named('messageReceived').flatMap((e) => e.data.messages.filter((m: any) => m.type === 'Message').map((m: any) => m.text));
    expect(texts).toEqual(['before reload', 'after reload']);
    expect(p2.named('restoreFailed')).toEqual([]);
  }, 30_000);

  it('restoreFailed and sessionLost when the session is gone on the server', async () => {
    const p1 = open(config());
    await p1.cmd('WebChatService.startChat', FORM);
    const sid = sessionIdOf(await p1.cmd('WebChatService.getSessionData'));
    gone(p1);
    // the chat ends while the visitor is away, and the server's read grace after the end runs out
    const agent = await new TestAgent(srv.url).login();
    const interaction = await agent.accept(sid);
    await agent.call('POST', `/interactions/${interaction.id}/done`, {});
    await agent.call('POST', `/interactions/${interaction.id}/complete`, { wrapUpCode: 'resolved' });
    expect(await endedOnServer(sid)).toBe(true);
    clock.offset = srv.parley.chat.limits.endedReadGraceMs + 60_000;

    const p2 = open(config());
    await p2.next('restoreFailed');
    await p2.next('sessionLost');
    expect(p2.named('restored')).toEqual([]);
    expect(p2.svc.data('sessionActive')).toBe(false);
    expect(document.cookie).not.toContain(KEYS);
    // a new chat can start on the same page
    await p2.cmd('WebChatService.startChat', FORM);
    expect(p2.svc.data('sessionActive')).toBe(true);
  }, 30_000);

  it('restoreTimeout when the visitor was away longer than restoreTimeout; the session is ended on the server', async () => {
    const p1 = open({ ...config(), restoreTimeout: 5_000 });
    await p1.cmd('WebChatService.startChat', FORM);
    const sid = sessionIdOf(await p1.cmd('WebChatService.getSessionData'));
    gone(p1);
    document.cookie = `${PING}=${Date.now() - 6_000}; path=/`;

    const p2 = open({ ...config(), restoreTimeout: 5_000 });
    await p2.next('restoreTimeout');
    expect(p2.named('restored')).toEqual([]);
    expect(p2.named('restoreFailed')).toEqual([]);
    expect(document.cookie).not.toContain(KEYS);
    expect(await endedOnServer(sid)).toBe(true);
  }, 30_000);
});
