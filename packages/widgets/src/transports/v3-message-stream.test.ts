/**
 * The v3 transport on a Parley server receives over the message stream (a WebSocket) when the
 * start answer offers it, falls back to long polls from the index it holds when the socket fails,
 * tries the socket again later, and shows every message once across the switches. Real in-process
 * server; the stream file is "loaded" by importing it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { clearCookies, openPage, startServer, TestAgent, v3Config, type Page, type TestServer } from '../service/server.testkit.js';
import { closeSocketsSilently, installRecordingWebSocket, sockets } from '../service/sockets.testkit.js';
import './index.js';
import { loadTransportFile, setTransportLoader } from './transport.js';

installRecordingWebSocket();

const originalLoader = loadTransportFile;
const originalFetch = globalThis.fetch;
/** Long polls the page made (GET …/messages without count). */
let longPolls = 0;
let srv: TestServer;
let agent: TestAgent;
const pages: Page[] = [];

beforeAll(async () => {
  srv = await startServer({ LONG_POLL_MS: '300' });
  agent = await new TestAgent(srv.url).login();
  globalThis.fetch = (async (input: any, init?: RequestInit) => {
    const url = String(input);
    if ((init?.method ?? 'GET') === 'GET' && /\/nexus\/v3\/chat\/sessions\/[^/]+\/messages\?/.test(url) && !/[?&]count=/.test(url)) longPolls++;
    return originalFetch(input, init);
  }) as typeof fetch;
});
afterAll(async () => {
  globalThis.fetch = originalFetch;
  await srv.close();
});
beforeEach(() => {
  clearCookies();
  longPolls = 0;
  setTransportLoader(async (type) => {
    if (type === 'v3-message-stream') await import('./v3-message-stream.js');
    else await originalLoader(type);
  });
});
afterEach(() => {
  setTransportLoader(originalLoader);
  for (const p of pages.splice(0)) p.svc.command('WebChatService.stopPoll').fail(() => undefined);
  closeSocketsSilently();
});

const open = (transport: Record<string, any> = {}) => {
  const p = openPage(v3Config(srv.url, { transport }));
  pages.push(p);
  return p;
};
const texts = (p: Page) => p.named('messageReceived').flatMap((e) => e.data.messages.filter((m: any) => m.type === 'Message').map((m: any) => m.text));
const streamSocket = () => sockets.find((s) => s.url.includes('/stream')) as WebSocket | undefined;
const until = async (pred: () => boolean, ms = 6000) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 25));
  }
};

async function chat(p: Page): Promise<string> {
  await p.cmd('WebChatService.startChat', { firstname: 'Stream' });
  const { sessionId } = await p.cmd('WebChatService.getSessionData');
  await agent.accept(sessionId);
  await p.next('agentConnected', undefined, 6000);
  return sessionId;
}

describe('pureengage-v3-rest over the message stream', () => {
  it('receives over the socket, not by long polls, while the socket is up', async () => {
    const p = open();
    const sessionId = await chat(p);
    await until(() => streamSocket()?.readyState === 1);
    const frames: any[] = [];
    streamSocket()!.on('message', (d) => frames.push(JSON.parse(String(d))));
    const before = longPolls;
    for (const t of ['one', 'two', 'three']) await agent.say(sessionId, t);
    await until(() => texts(p).length === 3);
    expect(texts(p)).toEqual(['one', 'two', 'three']);
    expect(
      frames
        .flatMap((f) => f.messages ?? [])
        .filter((m: any) => m.type === 'Text')
        .map((m: any) => m.text),
    ).toEqual(['one', 'two', 'three']);
    expect(longPolls).toBe(before);
  });

  it('falls back to long polls when the socket is cut, loses and repeats nothing, and goes back to the socket later', async () => {
    const p = open({ messageStreamRetryMs: 1500 });
    const sessionId = await chat(p);
    await until(() => streamSocket()?.readyState === 1);
    await agent.say(sessionId, 'on the socket');
    await until(() => texts(p).includes('on the socket'));
    // The socket dies (as a proxy or a node going away would cut it); a message lands meanwhile.
    const first = streamSocket()!;
    await agent.say(sessionId, 'while cut');
    first.terminate();
    await until(() => texts(p).includes('while cut'));
    const polled = longPolls;
    await agent.say(sessionId, 'by long poll');
    await until(() => texts(p).includes('by long poll'));
    expect(longPolls).toBeGreaterThan(0);
    // Later the transport opens a new socket and reads on from what it holds.
    await until(() => sockets.some((s) => s !== first && s.url.includes('/stream') && s.readyState === 1), 8000);
    const pollsBefore = longPolls;
    await new Promise((r) => setTimeout(r, 400)); // the long poll in flight when the socket came back ends
    const settled = longPolls;
    await agent.say(sessionId, 'back on the socket');
    await until(() => texts(p).includes('back on the socket'));
    expect(longPolls).toBe(settled);
    expect(pollsBefore).toBeGreaterThanOrEqual(polled);
    expect(texts(p)).toEqual(['on the socket', 'while cut', 'by long poll', 'back on the socket']);
  });

  it('long-polls when the stream is refused (here: the file cannot load) or not asked for', async () => {
    setTransportLoader(async () => {
      throw new Error('offline');
    });
    const p = open();
    const sessionId = await chat(p);
    await agent.say(sessionId, 'polled');
    await until(() => texts(p).includes('polled'));
    expect(longPolls).toBeGreaterThan(0);

    const q = open({ messageStream: false });
    const other = await chat(q);
    await agent.say(other, 'polled too');
    await until(() => texts(q).includes('polled too'));
    expect(streamSocket()).toBeUndefined();
  });

  it('finds the stream again from the stored token alone: a page reload receives over the socket', async () => {
    const p = open();
    const sessionId = await chat(p);
    await until(() => streamSocket()?.readyState === 1);
    p.svc.command('WebChatService.stopPoll').fail(() => undefined);
    closeSocketsSilently();
    const again = open();
    await again.cmd('WebChatService.restore').catch(() => undefined);
    await again.next('restored', undefined, 6000);
    await until(() => streamSocket()?.readyState === 1);
    await agent.say(sessionId, 'after reload');
    await until(() => texts(again).includes('after reload'));
  });
});
