/**
 * Seed 000: the Genesys article's page code, pasted unchanged into a page, ends the chat when the
 * agent marks the interaction done (synchronous chat) and injects its notice instead (async chat).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Agent, closeServerAndBrowser, customerPage, openServerAndBrowser, SEED_000, startChatThroughForm, type TestServer, until, watch } from './helpers.js';

const NOTICE = 'Thank you for your query. Please do not respond to this automated message if you do not have additional questions.';

describe('seed 000 page code, unchanged', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => ({ s, browser } = await openServerAndBrowser()));
  afterAll(() => closeServerAndBrowser(s, browser));

  it('synchronous chat: the agent marking the interaction done ends the chat (WebChat.endChat)', async () => {
    const url = s.page('seed000-sync', customerPage(s, { script: SEED_000 }));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    await page.goto(url);
    const sid = await startChatThroughForm(page);
    const agent = await new Agent(s.url).login();
    const { id, sessionId } = await agent.acceptNext(sid);
    expect((await agent.session(sessionId)).session.async).toBe(false);
    await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).waitFor();

    const leave = page.waitForRequest((r) => r.method() === 'DELETE' && r.url().includes(`/${sessionId}/participants/`));
    await agent.done(id);
    await leave;
    await page.locator('.pz-sys', { hasText: 'Chat ended' }).waitFor();
    await expect(page.locator('.pz-ft textarea').isDisabled()).resolves.toBe(true);
    await until(async () => (await agent.session(sessionId)).session.state === 'Ended', 'the session to end on the server');
    expect(await page.locator('.pz-inj').count()).toBe(0);
    expect(w.errors).toEqual([]);
    await ctx.close();
  });

  it('async chat (transport.async.enabled): the page injects the notice and the chat goes on', async () => {
    const url = s.page('seed000-async', customerPage(s, { script: SEED_000, transport: { async: { enabled: true } } }));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    let left = false;
    page.on('request', (r) => {
      if (r.method() === 'DELETE') left = true;
    });
    await page.goto(url);
    const sid = await startChatThroughForm(page);
    const agent = await new Agent(s.url).login();
    const { id, sessionId } = await agent.acceptNext(sid);
    expect((await agent.session(sessionId)).session.async).toBe(true);
    await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).waitFor();

    await agent.done(id);
    const notice = page.locator('.pz-inj', { hasText: NOTICE });
    await notice.waitFor();
    // bubble: {time: false}: no time on the injected message
    expect(await notice.locator('time').count()).toBe(0);
    await page.waitForTimeout(500);
    expect(await notice.count()).toBe(1);
    expect(left).toBe(false);
    await expect(page.locator('.pz-ft textarea').isEnabled()).resolves.toBe(true);
    expect((await agent.session(sessionId)).session.state).toBe('Active');
    expect(await page.locator('.pz-sys', { hasText: 'Chat ended' }).count()).toBe(0);
    expect(w.errors).toEqual([]);
    await ctx.close();
  });
});
