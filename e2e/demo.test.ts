/**
 * The demo page (packages/widgets/demo, served at /): loads its config, the widget and seed 000's
 * page code, and gives a working chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Agent, closeServerAndBrowser, openServerAndBrowser, startChatThroughForm, type TestServer, watch } from './helpers.js';

describe('demo page', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => ({ s, browser } = await openServerAndBrowser()));
  afterAll(() => closeServerAndBrowser(s, browser));

  it('chats with the demo agent; the agent marking it done ends the chat (seed 000)', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    await page.goto(s.url + '/');
    expect(await page.locator('a[href="/desktop/"]').count()).toBeGreaterThan(0);
    const sid = await startChatThroughForm(page);
    const agent = await new Agent(s.url).login();
    const { id, sessionId } = await agent.acceptNext(sid);
    await agent.send(sessionId, 'Hello from the demo agent');
    await page.locator('.pz-agent .pz-b', { hasText: 'Hello from the demo agent' }).waitFor();
    await agent.done(id);
    await page.locator('.pz-sys', { hasText: 'Chat ended' }).waitFor();
    expect(w.errors).toEqual([]);
    await ctx.close();
  });

  it('"Async chat" names the demo\'s async endpoint: async even when the start asks nothing (the Genesys client), the notice instead of the end', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    const starts: string[] = [];
    // As the Genesys client sends it: the same start without Parley's data[async].
    await page.route('**/nexus/v3/chat/sessions', async (route) => {
      const req = route.request();
      if (req.method() !== 'POST') return route.continue();
      const body = new URLSearchParams(req.postData() ?? '');
      body.delete('data[async]');
      starts.push(body.toString());
      return route.continue({ postData: body.toString() });
    });
    await page.goto(s.url + '/?async=1');
    const sid = await startChatThroughForm(page);
    expect(starts).toHaveLength(1);
    expect(new URLSearchParams(starts[0]).get('data[endpoint]')).toBe('async');
    const agent = await new Agent(s.url).login();
    const { id, sessionId } = await agent.acceptNext(sid);
    expect((await agent.session(sessionId)).session.async).toBe(true);
    await agent.done(id);
    await page.locator('.pz-inj', { hasText: 'automated message' }).waitFor();
    await expect(page.locator('.pz-ft textarea').isEnabled()).resolves.toBe(true);
    expect((await agent.session(sessionId)).session.state).toBe('Active');
    expect(w.errors).toEqual([]);
    await ctx.close();
  });

  it('takes theme and language from the query string', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(s.url + '/?theme=dark&lang=fr');
    await page.locator('.pz-cb').click();
    expect(await page.locator('.pz').getAttribute('class')).toContain('pz-dark');
    expect(await page.locator('.pz-hd h2').textContent()).toBe('Chat en direct');
    await ctx.close();
  });
});
