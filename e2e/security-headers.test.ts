/**
 * Issue 13, finding 9, in a real browser: another site cannot frame the agent desktop, while its
 * pages load Parley's widget script and styles cross-origin; Parley's own pages run under their
 * content security policy without a single violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { closeServerAndBrowser, openServerAndBrowser, type TestServer } from './helpers.js';

function cspViolations(page: Page): string[] {
  const out: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(m.text())) out.push(m.text());
  });
  return out;
}

describe('security headers in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => ({ s, browser } = await openServerAndBrowser()));
  afterAll(() => closeServerAndBrowser(s, browser));

  it('a foreign page cannot show the desktop in a frame, but loads the widget script and styles', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    // Another origin on the same loopback address (so the browser's private-network rules stay out of it).
    const foreign = s.url.replace('127.0.0.1', 'localhost');
    const shop = s.page(
      'shop',
      `<!doctype html><html><head><link rel="stylesheet" href="${s.url}/widgets/widgets.min.css"></head><body>
<iframe id="framed" src="${s.url}/desktop/" width="800" height="600"></iframe>
<script>window._genesys = { widgets: { main: { theme: 'light', lang: 'en' }, webchat: { transport: { type: 'pureengage-v3-rest', dataURL: '${s.url}${s.dataURL}', headers: { 'x-api-key': 'k' } }, chatButton: { enabled: true, openDelay: 0 } } } };</script>
<script src="${s.url}/widgets/widgets.min.js"></script></body></html>`,
    );
    await page.goto(shop.replace(s.url, foreign));
    await page.locator('.pz-cb').waitFor({ timeout: 10_000 });
    // The widget's stylesheet applies (its rounded chat button).
    expect(await page.locator('.pz-cb').evaluate((el) => getComputedStyle(el).borderTopLeftRadius)).toBe('28px');
    await page.waitForTimeout(1_000);
    const framed = page.frames().find((f) => f !== page.mainFrame());
    expect(framed).toBeDefined();
    const desktopShown = await framed!.evaluate(() => document.querySelector('#app') !== null).catch(() => false);
    expect(desktopShown).toBe(false);
    await ctx.close();
  });

  for (const path of ['/', '/desktop/']) {
    it(`${path} works under its policy with no violation`, async () => {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      const violations = cspViolations(page);
      await page.goto(s.url + path);
      if (path === '/') await page.locator('.pz-cb').waitFor({ timeout: 10_000 });
      else await page.locator('input[type="password"]').waitFor({ timeout: 10_000 });
      await page.waitForTimeout(300);
      expect(violations).toEqual([]);
      await ctx.close();
    });
  }
});
