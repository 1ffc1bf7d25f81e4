/**
 * The agent's workspace as a contact centre uses it all day: the customer panel lays out long keys
 * and values without overlap and folds technical data; banner UI events are one readable line, never
 * an empty bubble; state changes fold into one timeline line; the favicon is served. With
 * UPDATE_SCREENSHOTS=1 it saves packages/desktop/docs/desktop-customer-panel.png and desktop-canned.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { closeDesktopAndBrowser, Customer, type DesktopServer, openDesktopAndBrowser, setReady, signIn, watchPage } from './desktop-helpers.js';

const SHOTS = fileURLToPath(new URL('../packages/desktop/docs/', import.meta.url));
/** With UPDATE_SCREENSHOTS=1, saves the page as packages/desktop/docs/<name> (the desktop README shows them). */
async function shot(page: Page, name: string): Promise<void> {
  if (!process.env.UPDATE_SCREENSHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}` });
}

let server: DesktopServer;
let browser: Browser;

beforeAll(async () => ({ server, browser } = await openDesktopAndBrowser()));
afterAll(() => closeDesktopAndBrowser(server, browser));

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('desktop workspace', () => {
  it('customer panel: readable labels, no overlap, technical data folded; banner events are lines, not bubbles', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    const seen = watchPage(page);
    await signIn(page, server.url, 'agent');
    await page.locator('.connection[data-status="ready"]').waitFor();
    await setReady(page);
    const customer = await new Customer(server.url).start(
      { firstName: 'Jonny', email: 'jonathan.alexander.longname@subsidiary.example-company.com' },
      {
        _genesys_browser: 'Chrome',
        _genesys_OS: 'Linux',
        _genesys_url: 'https://shop.example.com/checkout/step-3?cart=8f14e45fceea167a5a36dedd4bea2543&utm_source=newsletter',
        _genesys_source: 'web',
        _genesys_widgets: '9.0.018.07',
        AVeryLongCustomKeyNameThatKeepsGoingAndGoing: 'value-with-no-spaces-at-all-that-is-also-long-enough',
      },
    );
    await page.locator('.offer').waitFor({ timeout: 10_000 });
    await page.keyboard.press('Alt+KeyA');
    await page.locator('.state-pill', { hasText: 'Handling' }).waitFor();

    const panel = page.locator('.customer');
    await panel.getByText('Browser', { exact: true }).waitFor();
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('Operating system');
    expect(text).not.toContain('_genesys_browser');
    // Technical keys are folded: present, but not visible until the toggle opens.
    const technical = panel.locator('details.technical');
    await expect(technical.locator('dt', { hasText: '_genesys_source' }).isVisible()).resolves.toBe(false);
    await technical.locator('summary').click();
    await expect(technical.locator('dt', { hasText: '_genesys_source' }).isVisible()).resolves.toBe(true);

    // No label overlaps its value, and nothing spills out of the panel.
    const panelBox = (await panel.boundingBox())!;
    const rows = panel.locator('dl.userdata > div');
    const count = await rows.count();
    expect(count).toBeGreaterThan(5);
    for (let i = 0; i < count; i++) {
      const row = rows.nth(i);
      if (!(await row.isVisible())) continue;
      const dt = (await row.locator('dt').boundingBox())!;
      const dd = (await row.locator('dd').boundingBox())!;
      expect(overlaps(dt, dd), `row ${i}: ${await row.textContent()}`).toBe(false);
      for (const b of [dt, dd]) expect(b.x + b.width).toBeLessThanOrEqual(panelBox.x + panelBox.width + 0.5);
    }
    // The e-mail is not broken over lines: one line high, whole in its title.
    const email = panel.locator('dd.value-email');
    const lineHeight = await email.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
    expect((await email.boundingBox())!.height).toBeLessThan(lineHeight * 1.5);
    await expect(email.getAttribute('title')).resolves.toBe('jonathan.alexander.longname@subsidiary.example-company.com');

    // A workflow shows and hides the banner: one readable line each, no empty bubble.
    const serverKey = server.parley.demo!.created!.serverKey;
    for (const body of [{ name: 'ui-event-update-promotion', data: { title: 'Back to the bot?' } }, { name: 'ui-event-close-promotion' }]) {
      const res = await fetch(`${server.url}/workflow/v1/sessions/${customer.sessionId}/ui-events`, {
        method: 'POST',
        headers: { 'x-api-key': serverKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBeLessThan(300);
    }
    await page.locator('.transcript .event', { hasText: 'Banner shown to the customer' }).waitFor();
    await page.locator('.transcript .event', { hasText: 'Banner hidden' }).waitFor();
    const bubbles = page.locator('.transcript li.msg');
    for (let i = 0; i < (await bubbles.count()); i++) expect(((await bubbles.nth(i).locator('p:not(.meta)').textContent()) ?? '').trim()).not.toBe('');
    // Queued -> Offered -> Handling is one timeline line.
    const timeline = page.locator('.transcript .event.states');
    await expect(timeline.count()).resolves.toBe(1);
    await expect(timeline.textContent()).resolves.toMatch(/queued.*offered.*handling/);
    await shot(page, 'desktop-customer-panel.png');
    expect(seen.errors).toEqual([]);
    // Not ready before leaving, so the next test's chat is offered to its own agent.
    await page.getByLabel('Presence', { exact: true }).selectOption('NotReady');
    await page.locator('.presence-NotReady').waitFor();
    await ctx.close();
  });

  it('composer: Enter sends, Shift+Enter makes a new line, "/" picks a canned response; a hidden tab raises a notification', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await ctx.grantPermissions(['notifications'], { origin: server.url });
    // Records the notifications the page raises (the browser's own Notification still runs).
    await ctx.addInitScript(() => {
      const Real = window.Notification;
      const shown: { title: string; body?: string }[] = [];
      (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
      class Recording extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push({ title, body: options?.body });
        }
      }
      Object.defineProperty(window, 'Notification', { value: Recording, configurable: true, writable: true });
    });
    const page = await ctx.newPage();
    const seen = watchPage(page);
    await signIn(page, server.url, 'agent2');
    await page.locator('.connection[data-status="ready"]').waitFor();
    await setReady(page);
    const customer = await new Customer(server.url).start({ firstName: 'Kim', lastName: 'Lee' });
    await page.locator('.offer').waitFor({ timeout: 10_000 });
    await page.keyboard.press('Alt+KeyA');
    await page.locator('.state-pill', { hasText: 'Handling' }).waitFor();

    const composer = page.getByLabel(/Message to Kim/);
    await composer.click();
    await composer.pressSequentially('first line');
    await page.keyboard.press('Shift+Enter');
    await composer.pressSequentially('second line');
    expect(await composer.inputValue()).toBe('first line\nsecond line');
    await page.keyboard.press('Enter');
    await customer.waitFor((m) => m.type === 'Text' && m.text === 'first line\nsecond line', 'the two-line message');
    expect(await composer.inputValue()).toBe('');

    // "/" in the empty box opens the canned responses; Enter picks one into the box.
    await composer.press('/');
    await page.getByLabel('Search canned responses').fill('moment');
    await page.getByRole('option', { name: /One moment/ }).waitFor();
    await shot(page, 'desktop-canned.png');
    await page.keyboard.press('Enter');
    await page.waitForFunction((el) => el === document.activeElement, await composer.elementHandle());
    expect(await composer.inputValue()).toContain('one moment please');
    expect(await composer.inputValue()).not.toContain('/');
    await page.keyboard.press('Enter');
    await customer.waitFor((m) => m.type === 'Text' && !!m.text?.includes('one moment please'), 'the canned response');

    // The tab goes to the background: a customer message raises a notification and the title counts it.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      window.dispatchEvent(new Event('blur'));
    });
    await customer.send('Are you still there?');
    await page.waitForFunction(() => (window as unknown as { shownNotifications: { title: string }[] }).shownNotifications.some((n) => n.title.includes('Kim')));
    const shown = await page.evaluate(() => (window as unknown as { shownNotifications: { title: string; body?: string }[] }).shownNotifications);
    expect(shown.at(-1)!.body).toBe('Are you still there?');
    await page.waitForFunction(() => document.title.startsWith('(1)'));
    expect(seen.errors).toEqual([]);
    await ctx.close();
  });

  it('serves a favicon for the desktop and the demo page', async () => {
    for (const path of ['/favicon.ico', '/desktop/favicon.ico']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
  });
});
