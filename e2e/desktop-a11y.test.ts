/**
 * Accessibility of the desktop: axe-core finds no serious or critical violation on the login form,
 * a conversation (with an internal note, customer text and the canned picker), the transfer dialog,
 * the shortcuts help, the supervisor view and the history; keyboard-only sign-in works; focus is visible.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axe, closeDesktopAndBrowser, Customer, type DesktopServer, openDesktopAndBrowser, setReady, signIn, watchPage } from './desktop-helpers.js';

let server: DesktopServer;
let browser: Browser;
beforeAll(async () => ({ server, browser } = await openDesktopAndBrowser()));
afterAll(() => closeDesktopAndBrowser(server, browser));

describe('desktop accessibility', () => {
  it('keyboard-only sign-in, and no serious axe violation on every view', async () => {
    // The page's CSP forbids inline script; axe is injected inline, so this context bypasses CSP.
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    const seen = watchPage(page);
    await page.goto(`${server.url}/desktop/`);
    await page.getByLabel('Username').waitFor();
    expect(await axe(page)).toEqual([]);
    // Keyboard only: Tab to the fields, Enter submits.
    await page.keyboard.press('Tab');
    await page.keyboard.type('supervisor');
    await page.keyboard.press('Tab');
    await page.keyboard.type('agent-pass-1');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.locator('.connection[data-status="ready"]').waitFor();
    expect(await axe(page)).toEqual([]);

    // A conversation: the supervisor takes a chat too (Ready).
    await setReady(page);
    const c = await new Customer(server.url).start({ firstName: 'Ana' }, { Plan: 'Gold' });
    await page.locator('.offer', { hasText: 'Ana' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await page.keyboard.press('Alt+KeyA');
    await page.getByRole('tab', { name: /Ana/ }).waitFor();
    await c.send('Hello <b>there</b> https://example.com');
    await page.locator('.msg.from-customer').waitFor();
    await page.getByLabel(/Message to Ana/).fill('Hi Ana');
    await page.keyboard.press('Control+Enter');
    await page.keyboard.press('Alt+KeyI');
    await page.getByLabel(/Internal note \(agents only/).fill('a note');
    await page.keyboard.press('Control+Enter');
    await page.locator('.msg.vis-int').waitFor();
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

    await page.getByRole('button', { name: 'Supervisor' }).click();
    await page.getByRole('heading', { name: 'Live sessions' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    await page.getByRole('row', { name: /Ana/ }).waitFor();
    expect(await axe(page)).toEqual([]);

    // Reconnecting status is announced politely.
    expect(await page.locator('.connection').getAttribute('role')).toBe('status');
    expect(seen.errors).toEqual([]);
  });
});
