/**
 * Parley's widget on pureengage-v3-rest in Chromium receives over the v3 message stream (a
 * WebSocket the start answer offers), not by long polls; when the server cuts the socket it falls
 * back to long polls from what it holds, then opens a socket again, and the transcript shows every
 * agent message exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Agent, closeServerAndBrowser, customerPage, openServerAndBrowser, startChatThroughForm, type TestServer, until, watch } from './helpers.js';

describe('v3 message stream in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    ({ s, browser } = await openServerAndBrowser({ LONG_POLL_MS: '1000' }));
  });
  afterAll(() => closeServerAndBrowser(s, browser));

  it('receives over the socket, falls back to long polls when the server cuts it, comes back, and shows each message once', async () => {
    const page = await browser.newPage();
    const seen = watch(page);
    const longPolls: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'GET' && /\/nexus\/v3\/chat\/sessions\/[^/]+\/messages\?/.test(r.url()) && !/[?&]count=/.test(r.url())) longPolls.push(r.url());
    });
    const sockets: { url: string; texts: string[]; closed: boolean }[] = [];
    page.on('websocket', (ws) => {
      const entry = { url: ws.url(), texts: [] as string[], closed: false };
      sockets.push(entry);
      ws.on('framereceived', (f) => {
        const frame = JSON.parse(String(f.payload));
        if (frame.type === 'messages') for (const m of frame.messages) if (m.type === 'Text') entry.texts.push(m.text);
      });
      ws.on('close', () => (entry.closed = true));
    });
    await page.goto(s.page('v3-stream', customerPage(s, { transport: { messageStreamRetryMs: 2000 } })));
    const sid = await startChatThroughForm(page);
    const agent = await new Agent(s.url).login();
    await agent.acceptNext(sid);
    await until(() => sockets.some((w) => w.url.endsWith(`/nexus/v3/chat/sessions/${sid}/stream`) && !w.closed), 'the message stream open');
    const shown = (text: string) => page.locator('.pz-agent .pz-b', { hasText: text });

    await agent.send(sid, 'First, over the socket.');
    await shown('First, over the socket.').waitFor();
    expect(sockets[0]!.texts).toContain('First, over the socket.');
    expect(longPolls).toEqual([]);

    // The server cuts every message stream (as a node restarting does); a message lands while it is down.
    for (const client of s.parley.app.websocketServer.clients) client.terminate();
    await until(() => sockets[0]!.closed, 'the socket closed');
    await agent.send(sid, 'Second, while the socket is down.');
    await shown('Second, while the socket is down.').waitFor();
    expect(longPolls.length).toBeGreaterThan(0);
    expect(sockets.flatMap((w) => w.texts)).not.toContain('Second, while the socket is down.');

    // After the retry delay the widget opens a socket again and reads on from what it holds.
    await until(() => sockets.length > 1 && !sockets[sockets.length - 1]!.closed, 'a new message stream', 15_000);
    await page.waitForTimeout(1500); // the long poll in flight when the socket came back ends
    const polls = longPolls.length;
    await agent.send(sid, 'Third, over the socket again.');
    await shown('Third, over the socket again.').waitFor();
    expect(sockets[sockets.length - 1]!.texts).toContain('Third, over the socket again.');
    expect(longPolls.length).toBe(polls);

    for (const text of ['First, over the socket.', 'Second, while the socket is down.', 'Third, over the socket again.']) expect(await shown(text).count()).toBe(1);
    expect(seen.errors).toEqual([]);
    await page.close();
  });
});
