/**
 * The desktop's light and dark themes: with the browser in light and in dark colour scheme, axe-core
 * finds no serious or critical violation (colour contrast included) on the login form, the offer, a
 * conversation with customer text, an internal note and a supervisor's whisper, the canned picker,
 * the transfer dialog, the shortcuts help, the settings menu, the supervisor view (and the
 * supervisor's monitor tab) and the history; the page is really dark in dark mode; the Theme setting
 * overrides the system. With UPDATE_SCREENSHOTS=1 it saves
 * packages/desktop/docs/desktop-light.png and desktop-dark.png.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axe, closeDesktopAndBrowser, Customer, type DesktopServer, openDesktopAndBrowser, setReady, signIn, watchPage } from './desktop-helpers.js';

const SHOTS = fileURLToPath(new URL('../packages/desktop/docs/', import.meta.url));

let server: DesktopServer;
let browser: Browser;
// A short disconnect grace: should a case fail before its agent goes Not ready, closing its desktop
// soon takes that agent out of routing, so the next case's chat is not offered to it.
beforeAll(async () => ({ server, browser } = await openDesktopAndBrowser({ AGENT_DISCONNECT_GRACE_SECONDS: '1' })));
afterAll(() => closeDesktopAndBrowser(server, browser));
const contexts: BrowserContext[] = [];
afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.close();
});

/** Relative luminance (WCAG) of the page's background colour. */
async function backgroundLuminance(page: Page): Promise<number> {
  const rgb = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  if (r === undefined || g === undefined || b === undefined) throw new Error(`no colour: ${rgb}`);
  const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

async function openPage(colorScheme: 'light' | 'dark'): Promise<Page> {
  // axe is injected inline, which the page's CSP forbids: these contexts bypass CSP.
  const ctx = await browser.newContext({ colorScheme, bypassCSP: true, viewport: { width: 1280, height: 800 } });
  contexts.push(ctx);
  return ctx.newPage();
}

const cases = [
  { scheme: 'light', agent: 'agent', customer: 'Lena', dark: false },
  { scheme: 'dark', agent: 'agent2', customer: 'Dario', dark: true },
] as const;

describe('desktop themes', () => {
  for (const t of cases) {
    it(`${t.scheme}: every view has no serious axe violation, and the theme is applied`, async () => {
      const page = await openPage(t.scheme);
      const seen = watchPage(page);
      await page.goto(`${server.url}/desktop/`);
      await page.getByLabel('Username').waitFor();
      const lum = await backgroundLuminance(page);
      if (t.dark) expect(lum).toBeLessThan(0.05);
      else expect(lum).toBeGreaterThan(0.8);
      expect(await axe(page)).toEqual([]);

      await signIn(page, server.url, t.agent);
      await page.locator('.connection[data-status="ready"]').waitFor();
      await setReady(page);
      const c = await new Customer(server.url).start({ firstName: t.customer }, { Plan: 'Gold' });
      await page.locator('.offer', { hasText: t.customer }).waitFor();
      expect(await axe(page)).toEqual([]);
      await page.keyboard.press('Alt+KeyA');
      await page.getByRole('tab', { name: new RegExp(t.customer) }).waitFor();
      await c.send('My parcel has not arrived, order 1234');
      await page.locator('.msg.from-customer').waitFor();
      await page.getByLabel(new RegExp(`Message to ${t.customer}`)).fill('Sorry about that, let me check');
      await page.keyboard.press('Control+Enter');
      await page.keyboard.press('Alt+KeyI');
      await page.getByLabel(/Internal note \(agents only/).fill('carrier delay known in the north');
      await page.keyboard.press('Control+Enter');
      await page.locator('.msg.vis-int').waitFor();
      await page.keyboard.press('Alt+KeyI');

      // A supervisor, in the same colour scheme, monitors and whispers.
      const sup = await openPage(t.scheme);
      const supSeen = watchPage(sup);
      await signIn(sup, server.url, 'supervisor');
      await sup.getByRole('button', { name: 'Supervisor' }).click();
      await sup.getByRole('heading', { name: 'Live sessions' }).waitFor();
      await sup.getByRole('row', { name: new RegExp(t.customer) }).waitFor();
      expect(await axe(sup)).toEqual([]);
      await sup
        .getByRole('row', { name: new RegExp(t.customer) })
        .getByRole('button', { name: /Monitor/ })
        .click();
      await sup.locator('.msg.vis-int').waitFor();
      await sup.getByLabel(/Whisper to the agent/).fill('Offer a free redelivery');
      await sup.getByRole('button', { name: 'Whisper' }).click();
      await sup.locator('.msg.vis-vip').waitFor();
      expect(await axe(sup)).toEqual([]);

      await page.locator('.msg.vis-vip', { hasText: 'free redelivery' }).waitFor();
      expect(await axe(page)).toEqual([]);
      // The canned picker, the transfer dialog and the shortcuts help.
      await page.keyboard.press('Alt+KeyC');
      await page.locator('.picker [role=option]').first().waitFor();
      expect(await axe(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.keyboard.press('Alt+KeyT');
      await page.getByRole('dialog', { name: 'Transfer the chat' }).waitFor();
      expect(await axe(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.keyboard.press('Alt+KeyH');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      expect(await axe(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });

      if (process.env.UPDATE_SCREENSHOTS) {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: `${SHOTS}desktop-${t.scheme}.png` });
      }

      await page.getByText('Settings', { exact: true }).click();
      await page.getByLabel('Theme').waitFor();
      expect(await axe(page)).toEqual([]);
      // The setting overrides the system, and "System" follows it again.
      const other = t.dark ? 'light' : 'dark';
      await page.getByLabel('Theme').selectOption(other);
      // The attribute is set when the desktop re-renders: wait for it.
      await page.waitForFunction((v) => document.documentElement.dataset.theme === v, other);
      const flipped = await backgroundLuminance(page);
      if (t.dark) expect(flipped).toBeGreaterThan(0.8);
      else expect(flipped).toBeLessThan(0.05);
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Theme').selectOption('system');
      await page.waitForFunction(() => document.documentElement.dataset.theme === undefined);
      expect(await backgroundLuminance(page)).toBeCloseTo(lum, 5);
      await page.getByText('Settings', { exact: true }).click();

      await page.getByRole('button', { name: 'History' }).click();
      await page.getByRole('heading', { name: 'History' }).waitFor();
      await page.getByRole('row', { name: new RegExp(t.customer) }).waitFor();
      expect(await axe(page)).toEqual([]);

      expect(seen.errors).toEqual([]);
      expect(supSeen.errors).toEqual([]);
      // Not ready before leaving, so the next case's chat is not offered to this closed desktop.
      await page.getByLabel('Presence', { exact: true }).selectOption('NotReady');
      await page.locator('.presence-NotReady').waitFor();
    });
  }
});
