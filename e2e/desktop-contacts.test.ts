/**
 * The customer across conversations in the desktop: a returning customer (same customer id) shows
 * their past conversation with its wrap-up in the Contact panel, a note added there persists (seen
 * again after a reload), and the panel passes axe in light and dark. With UPDATE_SCREENSHOTS=1 it
 * saves packages/desktop/docs/desktop-contact.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { Agent } from './helpers.js';
import { axe, closeDesktopAndBrowser, Customer, type DesktopServer, openDesktopAndBrowser, setReady, signIn, watchPage } from './desktop-helpers.js';

const SHOTS = fileURLToPath(new URL('../packages/desktop/docs/', import.meta.url));

let server: DesktopServer;
let browser: Browser;
beforeAll(async () => ({ server, browser } = await openDesktopAndBrowser({ AGENT_DISCONNECT_GRACE_SECONDS: '1' })));
afterAll(() => closeDesktopAndBrowser(server, browser));

describe('desktop: contacts', () => {
  it('a returning customer shows past conversations; a note persists', async () => {
    const who = { firstName: 'Mira', lastName: 'Okafor', email: 'mira@example.com' };
    const api = await new Agent(server.url).login();
    const before = await new Customer(server.url).start(who, { customerId: 'C-1001' });
    const { id } = await api.acceptNext(before.sessionId);
    await before.send('The blender lid cracked');
    await api.done(id);
    await api.complete(id, 'resolved');

    const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const seen = watchPage(page);
    await signIn(page, server.url, 'agent');
    await setReady(page);
    await new Customer(server.url).start({ ...who, email: 'MIRA@example.com' }, { customerId: 'C-1001' });
    await page.locator('.offer', { hasText: 'Mira' }).waitFor();
    await page.keyboard.press('Alt+KeyA');
    const panel = page.getByRole('region', { name: 'Contact' });
    await panel.getByRole('heading', { name: 'Past conversations (1)' }).waitFor();
    expect(await panel.textContent()).toContain('Resolved');
    expect(await panel.textContent()).toContain('C-1001');
    await panel.getByLabel('New note on this contact').fill('Prefers a call back after 5 pm');
    await panel.getByRole('button', { name: 'Save contact note' }).click();
    await panel.getByText('Prefers a call back after 5 pm').waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await axe(page)).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    if (process.env.UPDATE_SCREENSHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await panel.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}desktop-contact.png` });
    }

    // The note is stored: after a reload the reopened conversation shows it.
    await page.reload();
    await page.getByRole('tab', { name: /Mira/ }).click();
    await page.getByRole('region', { name: 'Contact' }).getByText('Prefers a call back after 5 pm').waitFor();
    // The past conversation opens from the panel.
    await page
      .getByRole('region', { name: 'Contact' })
      .getByRole('button', { name: /Open the conversation of/ })
      .click();
    await page.locator('.msg.from-customer', { hasText: 'The blender lid cracked' }).waitFor();
    expect(seen.errors).toEqual([]);
    await ctx.close();
  });
});
