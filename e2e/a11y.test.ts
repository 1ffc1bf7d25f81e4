/**
 * Accessibility and presentation of the WebChat UI: axe-core finds no serious or critical
 * violation in either theme; keyboard-only use works (focus in on open, back to the chat button on
 * close, Escape minimizes); languages, 12 h clock and mobile mode follow the configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { Agent, closeServerAndBrowser, customerPage, openServerAndBrowser, startChatThroughForm, type TestServer, watch } from './helpers.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

async function axe(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await (window as any).axe.run({ include: [['.pz']] }, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
  });
}
const serious = (v: { impact: string }[]) => v.filter((x) => x.impact === 'serious' || x.impact === 'critical');

describe('WebChat UI accessibility', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => ({ s, browser } = await openServerAndBrowser()));
  afterAll(() => closeServerAndBrowser(s, browser));

  for (const theme of ['light', 'dark']) {
    it(`axe: no serious or critical violation, ${theme} theme (button, form, errors, chat, confirm)`, async () => {
      const url = s.page(`axe-${theme}`, customerPage(s, { main: { theme }, webchat: { uploadsEnabled: true, charCountEnabled: true, maxMessageLength: 500 } }));
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      const w = watch(page);
      await page.goto(url);
      await page.locator('.pz-cb').waitFor();
      expect(serious(await axe(page))).toEqual([]);
      await page.locator('.pz-cb').click();
      await page.getByRole('button', { name: 'Start chat' }).click(); // empty form: errors shown
      await page.locator('.pz-err').first().waitFor();
      expect(serious(await axe(page))).toEqual([]);
      await page.locator('.pz-win').getByRole('button', { name: 'Cancel' }).click();
      const sid = await startChatThroughForm(page);
      const agent = await new Agent(s.url).login();
      const { sessionId } = await agent.acceptNext(sid);
      await page.locator('.pz-ft textarea').fill('Hello there https://example.com');
      await page.locator('.pz-ft textarea').press('Enter');
      await agent.send(sessionId, 'Hi! See https://example.com/faq');
      await agent.send(sessionId, 'typ', 'TypingStarted');
      await page.locator('.pz-typing').waitFor();
      await page.locator('.pz-agent .pz-b a').waitFor();
      await page.evaluate(() => (window as any).CXBus.command('WebChat.injectMessage', { type: 'text', text: 'Injected notice', name: 'System' }));
      expect(serious(await axe(page))).toEqual([]);
      await page.getByRole('button', { name: 'Close chat' }).click();
      await page.getByRole('alertdialog').waitFor();
      expect(serious(await axe(page))).toEqual([]);
      expect(w.errors).toEqual([]);
      await ctx.close();
    });
  }

  it('keyboard only: open, fill the form, chat, Escape minimizes, close returns focus to the chat button', async () => {
    const url = s.page('kbd', customerPage(s));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(url);
    await page.locator('.pz-cb').waitFor();
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el ? el.getAttribute('aria-label') || el.getAttribute('name') || el.className || el.tagName : null;
      });
    await page.keyboard.press('Tab');
    expect(await focused()).toContain('pz-cb');
    await page.keyboard.press('Enter');
    await page.locator('.pz-win').waitFor();
    expect(await focused()).toBe('firstname');
    await page.keyboard.type('Kim');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Lee');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kim@example.com');
    await page.keyboard.press('Enter');
    await page.locator('.pz-sys', { hasText: 'Chat started' }).waitFor();
    expect(await focused()).toBe('Message');
    await page.keyboard.type('typed with the keyboard');
    await page.keyboard.press('Enter');
    await page.locator('.pz-me .pz-b', { hasText: 'typed with the keyboard' }).waitFor();

    await page.keyboard.press('Escape');
    expect(await page.locator('.pz-win.pz-min').count()).toBe(1);
    expect(await focused()).toBe('Restore chat');
    await page.keyboard.press('Enter');
    expect(await page.locator('.pz-win.pz-min').count()).toBe(0);
    await page.keyboard.press('Tab'); // -> Close chat
    expect(await focused()).toBe('Close chat');
    await page.keyboard.press('Enter');
    await page.getByRole('alertdialog').waitFor();
    expect(await focused()).toBe('pz-sec');
    await page.keyboard.press('Escape'); // cancels the confirmation
    await page.getByRole('alertdialog').waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Close chat' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // the confirm button
    await page.locator('.pz-win').waitFor({ state: 'hidden' });
    expect(await focused()).toContain('pz-cb');
    await ctx.close();
  });

  it('French, i18n overrides, a 12 h clock and mobile mode come from the configuration', async () => {
    const url = s.page('fr', customerPage(s, { main: { lang: 'fr', timeFormat: 12, i18n: { fr: { webchat: { ChatTitle: 'Aide en ligne' } } }, mobileMode: 'auto', mobileModeBreakpoint: 600 } }));
    const ctx = await browser.newContext({ viewport: { width: 400, height: 700 } });
    const page = await ctx.newPage();
    await page.goto(url);
    await page.locator('.pz-cb').click();
    expect(await page.locator('.pz-hd h2').textContent()).toBe('Aide en ligne');
    expect(await page.locator('.pz-win').getByLabel('Prénom').count()).toBe(1);
    expect(await page.locator('.pz').getAttribute('lang')).toBe('fr');
    const box = await page.locator('.pz-win').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 400, height: 700 });
    await page.locator('.pz-win').getByLabel('Prénom').fill('Luc');
    await page.locator('.pz-win').getByLabel(/^Nom/).fill('Martin');
    await page.locator('.pz-win').getByLabel('E-mail').fill('luc@example.com');
    await page.getByRole('button', { name: 'Démarrer le chat' }).click();
    const started = page.locator('.pz-sys', { hasText: 'Chat démarré' });
    await started.waitFor();
    expect(await started.locator('time').textContent()).toMatch(/^\d{1,2}:\d\d (AM|PM)$/);
    await ctx.close();
  });

  it('loads main.i18n from a URL (German)', async () => {
    const i18n = s.page('i18n.json', JSON.stringify({ de: { webchat: { ChatButton: 'Hilfe-Chat' } } }));
    const url = s.page('de', customerPage(s, { main: { lang: 'de', i18n: new URL(i18n).pathname } }));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(url);
    await page.locator('.pz-cb', { hasText: 'Hilfe-Chat' }).click();
    expect(await page.locator('.pz-hd h2').textContent()).toBe('Live-Chat');
    expect(await page.getByRole('button', { name: 'Chat starten' }).count()).toBe(1);
    await ctx.close();
  });
});
