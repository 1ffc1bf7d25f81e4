/**
 * Presence follows the desktop: an agent who goes Ready and closes the desktop becomes NotReady
 * "Disconnected" after the grace (2 s here), the chat offered to them goes to the next agent at
 * once (not after the 30 s offer timeout, and not as their decline), the supervisor sees it, and
 * the agent finds it on signing in again. With UPDATE_SCREENSHOTS=1 it saves
 * packages/desktop/docs/desktop-presence.png (the supervisor's view of it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { closeDesktopAndBrowser, Customer, type DesktopServer, eventually, openDesktopAndBrowser, setReady, signIn, watchPage } from './desktop-helpers.js';

const GRACE_SECONDS = 2;
let server: DesktopServer;
let browser: Browser;

beforeAll(async () => ({ server, browser } = await openDesktopAndBrowser({ AGENT_DISCONNECT_GRACE_SECONDS: String(GRACE_SECONDS), AGENT_HANDLING_GRACE_SECONDS: '600' })));
afterAll(() => closeDesktopAndBrowser(server, browser));

async function openDesktop(username: string) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const seen = watchPage(page);
  await signIn(page, server.url, username);
  await page.locator('.connection[data-status="ready"]').waitFor();
  return { ctx, page, seen };
}

/** The agent's row in the live Agents table (the day's dashboard lists agents too). */
const agentRow = (page: Page, name: string) => page.getByRole('table', { name: 'Agents', exact: true }).locator('tr', { has: page.locator('th', { hasText: new RegExp(`^${name}$`) }) });

describe('desktop: presence follows the connection', () => {
  it('an agent closing the desktop while Ready becomes NotReady "Disconnected" after the grace; the chat offered to them goes to the next agent at once', async () => {
    const first = await openDesktop('agent');
    await setReady(first.page);
    // Ready after the first agent: offered second.
    const second = await openDesktop('agent2');
    await setReady(second.page);
    const sup = await openDesktop('supervisor');
    await sup.page.getByRole('button', { name: 'Supervisor' }).click();
    await agentRow(sup.page, 'Demo Agent')
      .locator('.presence-pill', { hasText: /^Ready$/ })
      .waitFor();

    const c = await new Customer(server.url).start({ firstName: 'Greta', lastName: 'G' });
    await first.page.locator('.offer', { hasText: 'Greta' }).waitFor();
    expect(await second.page.locator('.offer', { hasText: 'Greta' }).count()).toBe(0);

    // The tab is closed: no sign-out, no presence change.
    const closedAt = Date.now();
    await first.ctx.close();
    await second.page.locator('.offer', { hasText: 'Greta' }).waitFor({ timeout: 15_000 });
    const movedAfterMs = Date.now() - closedAt;
    expect(movedAfterMs).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000 - 500);
    // Long before the demo queue's 30 s offer timeout.
    expect(movedAfterMs).toBeLessThan(15_000);
    const interaction = await server.parley.store.tx((tx) => tx.latestInteraction(c.sessionId));
    expect(interaction).toMatchObject({ state: 'Offered', declinedBy: [] });

    // The supervisor's table shows why, without a reload.
    const row = agentRow(sup.page, 'Demo Agent');
    await row.locator('.presence-pill', { hasText: 'Not ready' }).waitFor();
    await eventually(async () => (await row.textContent())?.includes('(Disconnected)') ?? false, 'the reason in the supervisor table');
    if (process.env.UPDATE_SCREENSHOTS) await sup.page.screenshot({ path: fileURLToPath(new URL('../packages/desktop/docs/desktop-presence.png', import.meta.url)) });

    // The second agent takes it; the first, back, finds themself Not ready (Disconnected).
    await second.page.getByRole('button', { name: 'Accept chat from Greta' }).click();
    await second.page.getByRole('tab', { name: /Greta/ }).waitFor();
    const back = await openDesktop('agent');
    await back.page.locator('.presence-NotReady').waitFor();
    expect(await back.page.getByLabel('Reason').inputValue()).toBe('Disconnected');
    expect(await back.page.locator('.offer').count()).toBe(0);

    for (const d of [second, sup, back]) {
      expect(d.seen.errors).toEqual([]);
      await d.ctx.close();
    }
  });
});
