/**
 * Issue 18, the pre-chat form asks only for the fields the deployment requires: the admin sets them on
 * the deployment, the widget builds its form from them (with the availability answer it asks for
 * anyway), keeps what the visitor already typed when they arrive, marks every required field and
 * says per field what is missing; the page's own `webchat.form.fields` cannot drop a field the
 * deployment requires; the server refuses a start that skips the form. Mobile 390×844, dark theme,
 * keyboard only, axe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { Browser, Page, Route } from 'playwright-core';
import { AGENT, closeServerAndBrowser, customerPage, openServerAndBrowser, type PageOptions, type TestServer, until, watch, widgetShot } from './helpers.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const FORM = { fields: { nickname: 'required', email: 'required', subject: 'optional' } };

async function seriousAxe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await (window as any).axe.run({ include: [['.pz']] }, { resultTypes: ['violations'] });
    return r.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
  });
}

describe('the pre-chat form follows the deployment’s required fields', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    ({ s, browser } = await openServerAndBrowser());
    const login = await fetch(`${s.url}/agent/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: AGENT.password }) });
    const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}`, 'content-type': 'application/json' };
    const { deployments } = (await (await fetch(`${s.url}/admin/v1/deployments`, { headers: auth })).json()) as { deployments: any[] };
    const { id: _id, createdAt: _c, ...demo } = deployments.find((d) => d.id === 'demo');
    const put = await fetch(`${s.url}/admin/v1/deployments/demo`, { method: 'PUT', headers: auth, body: JSON.stringify({ ...demo, settings: { ...demo.settings, form: FORM } }) });
    expect(put.status).toBe(200);
  });
  afterAll(() => closeServerAndBrowser(s, browser));

  async function open(name: string, o: PageOptions, viewport?: { width: number; height: number }) {
    const ctx = await browser.newContext(viewport ? { viewport } : {});
    const page = await ctx.newPage();
    const w = watch(page);
    return { ctx, page, w, url: s.page(name, customerPage(s, o)) };
  }
  const labels = (page: Page) => page.locator('.pz-win .pz-fld label').allTextContents();

  it('shows only the deployment’s fields, required ones marked, keeping what was typed before they arrived; a message per field; keyboard only; mobile, dark', async () => {
    const { ctx, page, w, url } = await open('required', { main: { theme: 'dark' } }, { width: 390, height: 844 });
    // the availability answer (which carries the fields) waits until the visitor has typed
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/availability*', async (route: Route) => {
      await held;
      await route.continue();
    });
    await page.goto(url);
    await page.locator('.pz-cb').waitFor();
    await page.keyboard.press('Tab');
    await until(() => page.locator('.pz-cb').evaluate((el) => el === document.activeElement), 'the chat button focused');
    await page.keyboard.press('Enter');
    const win = page.locator('.pz-win');
    // before the answer: the built-in form
    expect(await labels(page)).toEqual(['First name (required)', 'Last name (required)', 'Email (required)', 'Subject']);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('firstname');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kim@example.com');
    release();
    await until(async () => (await labels(page)).join('|') === 'Nickname (required)|Email (required)|Subject', 'the deployment’s fields');
    expect(await win.getByLabel('Email').inputValue()).toBe('kim@example.com');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('email');
    expect(await win.locator('[aria-required=true]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).name))).toEqual(['nickname', 'email']);

    // keyboard only: Enter submits; the empty required field says so and takes focus
    await page.keyboard.press('Enter');
    await win.locator('.pz-err', { hasText: 'Nickname is required.' }).waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('nickname');
    expect(await win.locator('.pz-err:not([hidden])').count()).toBe(1);
    expect(await seriousAxe(page)).toEqual([]);
    await widgetShot(page, 'form-required-mobile-dark', true);
    await page.keyboard.type('Kim');
    await page.keyboard.press('Enter');
    await win.locator('.pz-sys', { hasText: 'Chat started' }).waitFor();
    expect(w.errors).toEqual([]);
    await ctx.close();
  });

  it('the page’s webchat.form.fields cannot drop or relax a required field; the server refuses a start that skips the form', async () => {
    const { ctx, page, w, url } = await open('page-fields', { webchat: { form: { fields: { firstname: 'optional', email: 'optional', nickname: false } } } });
    await page.goto(url);
    await page.locator('.pz-cb').click();
    await until(async () => (await labels(page)).join('|') === 'First name|Nickname (required)|Email (required)|Subject', 'the merged fields');
    await page.locator('.pz-win').getByRole('button', { name: 'Start chat' }).click();
    await page.locator('.pz-err', { hasText: 'Email is required.' }).waitFor();
    await page.locator('.pz-err', { hasText: 'Nickname is required.' }).waitFor();

    // page code starting a chat without the required fields: the server says no, nothing starts
    const refused = await page.evaluate(() =>
      (window as any).CXBus.command('WebChatService.startChat', { firstname: 'Kim' }).then(
        () => 'started',
        (e: unknown) => JSON.stringify(e),
      ),
    );
    expect(refused).toContain('INVALID_REQUEST');
    expect(refused).toContain('e-mail address to start a chat');
    expect(await page.evaluate(() => (window as any).CXBus.data('WebChatService.sessionActive'))).not.toBe(true);
    expect(w.errors).toEqual([]);
    await ctx.close();
  });
});
