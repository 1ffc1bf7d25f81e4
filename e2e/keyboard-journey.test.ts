/**
 * Issue 18's done-when, the whole customer journey by keyboard only, in Chromium against a real server
 * with the demo bot: open the chat, fill the form, send a message, answer the bot's quick reply, end
 * the chat ("bye"), rate the survey, download the transcript, start a new chat. Run twice: desktop
 * light and mobile 390×844 dark. Axe-clean at each step; hostile text (the customer's name and
 * message) inert on the page and plain text in the transcript file. Screenshots for
 * packages/widgets/README-ui.md with UPDATE_SCREENSHOTS=1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { closeServerAndBrowser, customerPage, openServerAndBrowser, type TestServer, until, watch, widgetShot } from './helpers.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const HOSTILE = '<img src=x onerror=alert(1)><svg onload=alert(2)>';
const MENU = "Type 'hours', or 'agent' to talk to a person.";
const BOT_ENV = { PARLEY_DEMO_BOT: 'true', PARLEY_DEMO_SERVER_KEY: 'sk_e2e_keyboard_journey_0123456789' };

async function seriousAxe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await (window as any).axe.run({ include: [['.pz']] }, { resultTypes: ['violations'] });
    return r.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
  });
}

const isFocused = (l: Locator) => l.evaluate((el) => el === document.activeElement);
const focusedName = (page: Page) => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name ?? '');

/** Presses `key` until `target` has focus (at most `max` times): the only way this test moves focus. */
async function tabTo(page: Page, target: Locator, key = 'Tab', max = 30): Promise<void> {
  for (let i = 0; i < max && !(await isFocused(target)); i++) await page.keyboard.press(key);
  expect(await isFocused(target), `${key} reaches ${target}`).toBe(true);
}

describe('the customer journey by keyboard only (issue 18)', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => ({ s, browser } = await openServerAndBrowser(BOT_ENV)));
  afterAll(() => closeServerAndBrowser(s, browser));

  for (const run of [
    { name: 'desktop-light', theme: 'light', viewport: { width: 1280, height: 800 } },
    { name: 'mobile-dark', theme: 'dark', viewport: { width: 390, height: 844 } },
  ]) {
    it(`open, form, send, quick reply, end, survey, transcript, new chat (${run.name})`, async () => {
      const ctx = await browser.newContext({ viewport: run.viewport, acceptDownloads: true });
      const page = await ctx.newPage();
      const w = watch(page);
      await page.goto(s.page(`journey-${run.name}`, customerPage(s, { main: { theme: run.theme } })));
      const win = page.locator('.pz-win');

      // open: Tab to the chat button, Enter; focus lands in the form's first field
      const chatButton = page.locator('.pz-cb');
      await chatButton.waitFor();
      await tabTo(page, chatButton);
      await page.keyboard.press('Enter');
      await until(async () => (await focusedName(page)) === 'firstname', 'focus in the first field');

      // the form: type, Tab, type…, Enter submits
      await page.keyboard.type(`Kim ${HOSTILE}`);
      await page.keyboard.press('Tab');
      await page.keyboard.type('Lee');
      await page.keyboard.press('Tab');
      await page.keyboard.type('kim@example.com');
      await page.keyboard.press('Enter');
      await win.locator('.pz-sys', { hasText: 'Chat started' }).waitFor();
      const box = page.locator('.pz-ft textarea');
      expect(await isFocused(box)).toBe(true);

      // send: type, Enter
      await page.locator('.pz-msg.pz-bot .pz-b', { hasText: MENU }).first().waitFor();
      await page.keyboard.type(`hello ${HOSTILE}`);
      await page.keyboard.press('Enter');
      await page.locator('.pz-me .pz-b', { hasText: `hello ${HOSTILE}` }).waitFor();
      await page.locator('.pz-msg.pz-bot .pz-b', { hasText: "Sorry, I didn't get that." }).waitFor();

      // the quick reply: Shift+Tab back from the message box to the newest question's "Hours", Enter
      const hours = page.locator('.pz-msg.pz-bot', { hasText: MENU }).last().getByRole('button', { name: 'Hours' });
      await hours.waitFor();
      expect(await seriousAxe(page)).toEqual([]);
      await widgetShot(page, `journey-quick-reply-${run.name}`, run.name.startsWith('mobile'));
      await tabTo(page, hours, 'Shift+Tab');
      await page.keyboard.press('Enter');
      await page.locator('.pz-me .pz-b', { hasText: 'Hours' }).waitFor();
      await page.locator('.pz-msg.pz-bot .pz-b', { hasText: 'Monday to Friday' }).waitFor();

      // end: "bye" ends the bot's synchronous chat; the survey and transcript come below
      await tabTo(page, box);
      await page.keyboard.type('bye');
      await page.keyboard.press('Enter');
      await win.locator('.pz-sys', { hasText: 'Chat ended' }).waitFor();
      const after = page.getByRole('region', { name: 'After the chat' });
      await after.waitFor();

      // the survey: Tab into the ratings, arrows to 4, Tab to the comment, Tab to Send, Enter
      const first = after.getByRole('radio').first();
      await tabTo(page, first);
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
      expect(await after.getByLabel('4 Good').isChecked()).toBe(true);
      await page.keyboard.press('Tab');
      expect(await isFocused(after.getByLabel('Comment (optional)'))).toBe(true);
      await page.keyboard.type(`Quick ${HOSTILE}`);
      await tabTo(page, after.getByRole('button', { name: 'Send rating' }));
      expect(await seriousAxe(page)).toEqual([]);
      await widgetShot(page, `journey-survey-${run.name}`, run.name.startsWith('mobile'));
      await page.keyboard.press('Enter');
      await after.getByText('Thank you for your feedback.').waitFor();

      // the transcript file: Tab to Download, Enter; the hostile text is plain text in a .txt
      await tabTo(page, after.getByRole('button', { name: 'Download transcript' }));
      const download = page.waitForEvent('download');
      await page.keyboard.press('Enter');
      const file = await download;
      expect(file.suggestedFilename()).toBe('chat-transcript.txt');
      const text = readFileSync((await file.path())!, 'utf8');
      expect(text).toContain(`hello ${HOSTILE}`);
      expect(text).toContain('Monday to Friday');

      // a new chat: Tab to "Start a new chat", Enter; the form comes back filled in, Enter starts
      await tabTo(page, page.getByRole('button', { name: 'Start a new chat' }));
      await page.keyboard.press('Enter');
      await until(async () => (await focusedName(page)) === 'firstname', 'focus back in the form');
      expect(await win.getByLabel('Email').inputValue()).toBe('kim@example.com');
      await page.keyboard.press('Enter');
      await win.locator('.pz-sys', { hasText: 'Chat started' }).waitFor();
      await page.locator('.pz-msg.pz-bot .pz-b', { hasText: MENU }).first().waitFor();
      expect(await page.locator('.pz-me .pz-b', { hasText: 'hello' }).count()).toBe(0);

      // nothing hostile ran or became markup
      expect(await page.locator('.pz img, .pz svg:not([aria-hidden=true])').count()).toBe(0);
      expect(w.errors).toEqual([]);
      expect(w.dialogs).toEqual([]);
      await ctx.close();
    });
  }
});
