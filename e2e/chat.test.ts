/**
 * A whole chat through the WebChat UI against a real server: form, messages both ways, typing
 * both ways, file upload, end; markup typed by either side stays text; a reload restores the
 * transcript without duplicates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Agent, closeServerAndBrowser, customerPage, openServerAndBrowser, startChatThroughForm, type TestServer, until, watch } from './helpers.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const XSS = '<img src=x onerror=alert(1)>';

describe('WebChat UI, full chat', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => ({ s, browser } = await openServerAndBrowser()));
  afterAll(() => closeServerAndBrowser(s, browser));

  async function open(name: string, webchat: Record<string, unknown> = {}): Promise<{ page: Page; w: ReturnType<typeof watch>; close: () => Promise<void> }> {
    const url = s.page(name, customerPage(s, { webchat: { uploadsEnabled: true, userData: { customerId: '59606' }, ...webchat } }));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    await page.goto(url);
    return { page, w, close: () => ctx.close() };
  }

  it('form, messages and typing both ways, a file upload, then the customer ends the chat', async () => {
    const { page, w, close } = await open('full');
    const sid = await startChatThroughForm(page);
    const agent = await new Agent(s.url).login();
    const { sessionId } = await agent.acceptNext(sid);
    const info = await agent.session(sessionId);
    expect(info.session.userData).toMatchObject({ customerId: '59606' });
    expect(JSON.stringify(info)).toContain('Jonny');
    await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).waitFor();

    // customer typing reaches the agent, then the message
    const ta = page.locator('.pz-ft textarea');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await ta.pressSequentially('Hello, I need help', { delay: 10 });
    await agent.waitForMessage(sessionId, (m) => m.type === 'TypingStarted' && m.from.type === 'Customer');
    await ta.press('Enter');
    await agent.waitForMessage(sessionId, (m) => m.type === 'Text' && m.from.type === 'Customer' && m.text === 'Hello, I need help');
    await page.locator('.pz-me .pz-b', { hasText: 'Hello, I need help' }).waitFor();
    expect(await ta.inputValue()).toBe('');

    // agent typing shows, then hides; the agent's message shows and is announced once
    await agent.send(sessionId, 'typ', 'TypingStarted');
    const typing = page.locator('.pz-typing');
    await typing.waitFor({ state: 'visible' });
    expect(await typing.textContent()).toContain('typing');
    await agent.send(sessionId, 'typ', 'TypingStopped');
    await typing.waitFor({ state: 'hidden' });
    await agent.send(sessionId, 'Sure, see https://example.com/help.');
    const bubble = page.locator('.pz-agent .pz-b', { hasText: 'Sure, see' });
    await bubble.waitFor();
    const a = bubble.locator('a');
    expect(await a.getAttribute('href')).toBe('https://example.com/help');
    expect(await a.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await a.getAttribute('target')).toBe('_blank');
    await until(async () => (await page.locator('.pz-sr').textContent())?.includes('Sure, see'), 'the live region');
    await page.waitForTimeout(300);
    expect(await page.locator('.pz-sr p', { hasText: 'Sure, see' }).count()).toBe(1);

    // a PNG goes up and comes back as a working link; a fake PNG is refused and the UI says so
    await page.locator('.pz-ft input[type=file]').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    const file = await agent.waitForMessage(sessionId, (m) => m.type === 'File');
    expect(file.content?.[0]?.mime).toBe('image/png');
    const link = page.locator('.pz-me .pz-b a', { hasText: 'dot.png' });
    await link.waitFor();
    const href = (await link.getAttribute('href'))!;
    const got = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { status: r.status, type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength };
    }, href);
    expect(got).toEqual({ status: 200, type: 'image/png', size: PNG.length });
    await page.locator('.pz-ft input[type=file]').setInputFiles({ name: 'evil.png', mimeType: 'image/png', buffer: Buffer.from('<script>alert(1)</script>') });
    await page.locator('.pz-sys', { hasText: 'The file could not be sent.' }).waitFor();

    // the customer closes: confirm, the session ends, focus returns to the chat button
    await page.getByRole('button', { name: 'Close chat' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.locator('.pz-win').waitFor({ state: 'hidden' });
    await until(async () => (await agent.session(sessionId)).session.state === 'Ended', 'the session to end');
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('pz-cb');
    expect(w.errors).toEqual([]);
    await close();
  });

  it('markup from the customer and the agent renders as text; nothing runs', async () => {
    const { page, w, close } = await open('xss');
    await page.exposeFunction('__pwned', () => w.errors.push('script ran'));
    const sid = await startChatThroughForm(page);
    const agent = await new Agent(s.url).login();
    const { sessionId } = await agent.acceptNext(sid);
    const ta = page.locator('.pz-ft textarea');
    await ta.fill(XSS);
    await ta.press('Enter');
    await page.locator('.pz-me .pz-b', { hasText: XSS }).waitFor();
    const evil = ['<img src=x onerror="window.__pwned()">', '<script>window.__pwned()</script>', '<a href="javascript:window.__pwned()">click</a>', 'javascript:window.__pwned()'];
    for (const t of evil) await agent.send(sessionId, t);
    for (const t of evil) await page.locator('.pz-agent .pz-b', { hasText: t }).first().waitFor();
    expect(await page.locator('.pz-log img, .pz-log script').count()).toBe(0);
    expect(await page.locator('.pz-log a').count()).toBe(0);
    // pushed URLs: only http(s) become links
    await agent.pushUrl(sessionId, 'javascript:window.__pwned()', 'Bad page').catch(() => undefined);
    await agent.pushUrl(sessionId, 'https://example.com/offer', 'Our offer');
    await page.locator('.pz-log a', { hasText: 'Our offer' }).waitFor();
    expect(await page.locator('.pz-log a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['https://example.com/offer']);
    expect(await page.locator('.pz-me .pz-b').first().textContent()).toBe(XSS);
    // injected HTML is reduced to a safe subset
    const injected = await page.evaluate(async () => {
      const el = (await (window as any).CXBus.command('WebChat.injectMessage', {
        type: 'html',
        text: '<b>ok</b><img src=x onerror="window.__pwned()"><script>window.__pwned()</script>',
      })) as HTMLElement;
      return { bold: el.querySelector('b')?.textContent, handlers: el.querySelectorAll('[onerror],script').length };
    });
    expect(injected).toEqual({ bold: 'ok', handlers: 0 });
    await page.waitForTimeout(300);
    expect(w.dialogs).toEqual([]);
    expect(w.errors).toEqual([]);
    await close();
  });

  it('a page reload restores the chat with its transcript, without duplicates', async () => {
    const { page, w, close } = await open('restore');
    const sid = await startChatThroughForm(page);
    const agent = await new Agent(s.url).login();
    const { sessionId } = await agent.acceptNext(sid);
    await page.locator('.pz-ft textarea').fill('before reload 1');
    await page.locator('.pz-ft textarea').press('Enter');
    await agent.send(sessionId, 'agent before reload');
    await page.locator('.pz-agent .pz-b', { hasText: 'agent before reload' }).waitFor();

    await page.reload();
    await page.locator('.pz-win').waitFor({ state: 'visible' });
    await page.locator('.pz-agent .pz-b', { hasText: 'agent before reload' }).waitFor();
    await agent.send(sessionId, 'agent after reload');
    await page.locator('.pz-agent .pz-b', { hasText: 'agent after reload' }).waitFor();
    await page.waitForTimeout(1000);
    const texts = await page.locator('.pz-b').allTextContents();
    expect(texts.filter((t) => t === 'before reload 1')).toHaveLength(1);
    expect(texts.filter((t) => t === 'agent before reload')).toHaveLength(1);
    expect(texts.filter((t) => t === 'agent after reload')).toHaveLength(1);
    expect(await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).count()).toBe(1);
    // restored messages are not announced again; the new one is
    const live = await page.locator('.pz-sr p').allTextContents();
    expect(live.filter((t) => t.includes('agent before reload'))).toHaveLength(0);
    expect(live.filter((t) => t.includes('agent after reload'))).toHaveLength(1);
    // and the chat still works
    await page.locator('.pz-ft textarea').fill('after reload 2');
    await page.locator('.pz-ft textarea').press('Enter');
    await agent.waitForMessage(sessionId, (m) => m.type === 'Text' && m.text === 'after reload 2');
    expect(w.errors).toEqual([]);
    await close();
  });
});
