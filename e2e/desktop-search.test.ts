/**
 * Conversation search in the desktop (default store: SQLite FTS5): a word from an older,
 * finished conversation is found from the History view, the result shows the customer's full name,
 * the wrap-up label and a preview of the last message, filters narrow it, and Open shows the
 * transcript. axe finds no serious violation on the results in light and dark. With
 * UPDATE_SCREENSHOTS=1 it saves packages/desktop/docs/desktop-search.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { Agent } from './helpers.js';
import { axe, closeDesktopAndBrowser, Customer, type DesktopServer, openDesktopAndBrowser, signIn, watchPage } from './desktop-helpers.js';

const SHOTS = fileURLToPath(new URL('../packages/desktop/docs/', import.meta.url));

let server: DesktopServer;
let browser: Browser;
beforeAll(async () => ({ server, browser } = await openDesktopAndBrowser()));
afterAll(() => closeDesktopAndBrowser(server, browser));

/** A whole conversation through the APIs: the customer writes, the agent answers, marks it done and wraps up. */
async function conversation(agent: Agent, who: { firstName: string; lastName: string }, customerSays: string, agentSays: string): Promise<string> {
  const c = await new Customer(server.url).start({ ...who, email: `${who.firstName.toLowerCase()}@example.com` });
  const { id } = await agent.acceptNext(c.sessionId);
  await c.send(customerSays);
  await agent.send(c.sessionId, agentSays);
  await agent.done(id);
  await agent.complete(id, 'resolved');
  return c.sessionId;
}

describe('desktop: conversation search', () => {
  it('finds a word from an older conversation, with full name, wrap-up and preview; opens it', async () => {
    const api = await new Agent(server.url).login();
    await conversation(api, { firstName: 'Olga', lastName: 'Petrova' }, 'My toaster sparks when I switch it on', 'Please unplug it; a replacement is on its way.');
    await conversation(api, { firstName: 'Ravi', lastName: 'Kumar' }, 'Where is my invoice?', 'I sent the invoice again.');

    const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    const seen = watchPage(page);
    await signIn(page, server.url, 'agent');
    await page.getByRole('button', { name: 'History' }).click();
    const search = page.getByRole('search');
    await search.getByLabel('Words').fill('TOAST');
    await search.getByLabel('Words').press('Enter');
    await page.getByRole('status').filter({ hasText: 'Results 1–1 of 1' }).waitFor();
    const result = page.locator('.search-result');
    await expect(result.count()).resolves.toBe(1);
    const text = await result.first().textContent();
    expect(text).toContain('Olga Petrova');
    expect(text).toContain('Resolved');
    expect(text).toContain('a replacement is on its way');

    // Filters: the customer filter finds Ravi; the word and another customer find nothing.
    await search.getByLabel('Words').fill('');
    await search.getByLabel('Customer', { exact: true }).fill('ravi');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.locator('.search-result', { hasText: 'Ravi Kumar' }).waitFor();
    await expect(page.locator('.search-result').count()).resolves.toBe(1);
    await search.getByLabel('Words').fill('toaster');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').filter({ hasText: 'No conversation matches.' }).waitFor();

    await search.getByLabel('Customer', { exact: true }).fill('');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').filter({ hasText: 'Results 1–1 of 1' }).waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await axe(page)).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    if (process.env.UPDATE_SCREENSHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}desktop-search.png` });
    }

    // Open shows the conversation's transcript, reached by keyboard.
    await page.getByRole('button', { name: /Open conversation with Olga Petrova/ }).focus();
    await page.keyboard.press('Enter');
    await page.locator('.msg.from-customer', { hasText: 'My toaster sparks' }).waitFor();
    expect(seen.errors).toEqual([]);
    await ctx.close();
  });
});
