/**
 * The supervisors' dashboard of the day against a day scripted through the APIs: four chats (one
 * handled and wrapped up, one in handling, one abandoned, one waiting) give known counts, and the
 * average wait and handle times equal those computed from the interactions the agent API reports.
 * The figures and the live queue table follow a new chat without a reload; the CSV export holds the
 * same figures; axe passes in both themes. With UPDATE_SCREENSHOTS=1 it saves
 * packages/desktop/docs/desktop-dashboard.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { axe, closeDesktopAndBrowser, Customer, type DesktopServer, openDesktopAndBrowser, PASSWORD, signIn, watchPage } from './desktop-helpers.js';

const SHOTS = fileURLToPath(new URL('../packages/desktop/docs/', import.meta.url));

let server: DesktopServer;
let browser: Browser;
beforeAll(async () => ({ server, browser } = await openDesktopAndBrowser()));
afterAll(() => closeDesktopAndBrowser(server, browser));

/** A staff member through the agent REST API. */
async function staff(username: string) {
  const login = await (await fetch(`${server.url}/agent/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })).json();
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/agent/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${login.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    call,
    async accept(sessionId: string) {
      const { interactions } = await call('GET', '/interactions?state=Queued');
      const i = interactions.find((x: { sessionId: string }) => x.sessionId === sessionId);
      return (await call('POST', `/interactions/${i.id}/accept`)).interaction as { id: string };
    },
  };
}

const figure = (page: Page, row: string, name: string) => page.locator(`[data-testid="report-queues"] tr[data-queue="${row}"] td[data-figure="${name}"]`).textContent();
const agentFigure = (page: Page, agent: string, name: string) => page.locator(`[data-testid="report-agents"] tr[data-agent="${agent}"] td[data-figure="${name}"]`).textContent();
const seconds = (text: string | null) => Number((text ?? '').replace(/ s$/, ''));
const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;

describe('desktop: the dashboard of the day', () => {
  it('shows the figures of a scripted day, follows a new chat live, and exports them as CSV', async () => {
    const agent = await staff('agent');
    const agent2 = await staff('agent2');
    const start = () => new Customer(server.url).start();
    // 1: handled and wrapped up by Demo Agent. 2: in handling by Second Agent. 3: abandoned. 4: waiting.
    const c1 = await start();
    await new Promise((r) => setTimeout(r, 300));
    const i1 = await agent.accept(c1.sessionId);
    await new Promise((r) => setTimeout(r, 400));
    await agent.call('POST', `/interactions/${i1.id}/done`);
    await agent.call('POST', `/interactions/${i1.id}/complete`, { wrapUpCode: 'resolved' });
    const c2 = await start();
    await new Promise((r) => setTimeout(r, 200));
    const i2 = await agent2.accept(c2.sessionId);
    const c3 = await start();
    await c3.leave();
    await start();

    // What the agent API says about the two handled interactions gives the expected times.
    const supervisor = await staff('supervisor');
    const stored = async (sessionId: string) => (await supervisor.call('GET', `/sessions/${sessionId}`)).interactions[0];
    const [s1, s2] = [await stored(c1.sessionId), await stored(c2.sessionId)];
    expect([s1.id, s2.id]).toEqual([i1.id, i2.id]);
    const wait = mean([s1, s2].map((i) => (Date.parse(i.handledAt) - Date.parse(i.queuedAt)) / 1000));
    const handle = mean([(Date.parse(s1.completedAt) - Date.parse(s1.handledAt)) / 1000]);

    const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    const page = await ctx.newPage();
    const seen = watchPage(page);
    await signIn(page, server.url, 'supervisor');
    await page.getByRole('button', { name: 'Supervisor' }).click();
    await page.getByRole('heading', { name: 'Dashboard of the day' }).waitFor();
    await page.locator('[data-testid="report-queues"] tr[data-queue="Support"]').waitFor();
    for (const row of ['All queues', 'Support']) {
      expect(await figure(page, row, 'offered')).toBe('4');
      expect(await figure(page, row, 'handled')).toBe('2');
      expect(await figure(page, row, 'abandoned')).toBe('1');
      expect(await figure(page, row, 'waiting')).toBe('1');
      // The report times a state change by its log message, a millisecond from the interaction's own time at most.
      expect(Math.abs(seconds(await figure(page, row, 'averageWaitSeconds')) - wait)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(seconds(await figure(page, row, 'averageHandleSeconds')) - handle)).toBeLessThanOrEqual(0.1);
    }
    expect(await agentFigure(page, 'Demo Agent', 'handled')).toBe('1');
    expect(await agentFigure(page, 'Second Agent', 'handled')).toBe('1');
    expect(await agentFigure(page, 'Second Agent', 'averageHandleSeconds')).toBe('—');

    // A new chat: the live queue table and the day's figures follow without a reload.
    const waitingCell = page
      .getByRole('table', { name: 'Queues' })
      .getByRole('row', { name: /Support/ })
      .getByRole('cell')
      .first();
    await expect.poll(() => waitingCell.textContent()).toBe('1');
    await start();
    await expect.poll(() => waitingCell.textContent(), { timeout: 10_000 }).toBe('2');
    await expect.poll(() => figure(page, 'All queues', 'waiting'), { timeout: 10_000 }).toBe('2');
    await expect.poll(() => figure(page, 'All queues', 'offered')).toBe('5');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = readFileSync(await (await download).path(), 'utf8').split('\r\n');
    expect(csv[0]).toBe('Scope,Name,Offered,Handled,Abandoned,Waiting,Declined,Average wait (s),Average handle (s)');
    expect(csv[1]).toMatch(/^Total,All queues,5,2,1,2,,[\d.]+,[\d.]+$/);
    expect(csv).toContain(`Agent,Second Agent,,1,,,0,,`);

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await axe(page)).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    if (process.env.UPDATE_SCREENSHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.getByRole('heading', { name: 'Dashboard of the day' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}desktop-dashboard.png`, fullPage: true });
    }
    expect(seen.errors).toEqual([]);
    await ctx.close();
  });
});
