/**
 * The customer's chat as Intercom or Chatwoot users take it for granted (issue 18, widget side), in
 * Chromium against a real server: a clear end with "Start a new chat"; nothing silently lost (the
 * length limit warned and refused, never cut; a failed send kept whole with Retry; the draft and the
 * minimized state across a reload; a delivery state per own message); the minimized window's unread
 * badge and title flash; the agent's name in the header; grouped messages; the pre-chat form's
 * messages per field, its chosen fields and the returning visitor; Genesys options (emojis and
 * markdown loaded on demand, actionsMenu, chatButton.template, autoInvite, confirmFormCloseEnabled);
 * seed 004's banner. Hostile text is inert everywhere. The screenshots in packages/widgets/README-ui.md
 * are made here (`UPDATE_SCREENSHOTS=1` writes them to packages/widgets/screenshots/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { Agent, closeServerAndBrowser, customerPage, openServerAndBrowser, startChatThroughForm, type PageOptions, type TestServer, until, watch } from './helpers.js';

const SERVER_KEY = 'sk_e2e_widget_customer_0123456789';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SHOTS = fileURLToPath(new URL('../packages/widgets/screenshots/', import.meta.url));
const HOSTILE = '<img src=x onerror=alert(1)><svg onload=alert(2)>';

async function seriousAxe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await (window as any).axe.run({ include: [['.pz']] }, { resultTypes: ['violations'] });
    return r.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
  });
}

/**
 * A screenshot for README-ui.md: the widget's window, or the whole page (mobile). Always taken; written
 * to packages/widgets/screenshots/ with UPDATE_SCREENSHOTS=1 (so a test run leaves the tree as it was).
 */
async function shot(page: Page, name: string, whole = false): Promise<void> {
  await page.evaluate(() => document.fonts?.ready);
  const path = process.env.UPDATE_SCREENSHOTS === '1' ? `${SHOTS}${name}.png` : undefined;
  if (path) mkdirSync(SHOTS, { recursive: true });
  const png = whole ? await page.screenshot({ path }) : await page.locator('.pz-win').screenshot({ path });
  expect(png.length).toBeGreaterThan(1000);
}

async function say(page: Page, text: string): Promise<void> {
  const box = page.locator('.pz-ft textarea');
  await box.fill(text);
  await box.press('Enter');
}

const customerTexts = async (agent: Agent, sid: string) => (await agent.messages(sid)).messages.filter((m) => m.type === 'Text' && m.from.type === 'Customer').map((m) => m.text);

describe('the customer chat: ended state, nothing lost, attention, form, options, banner', () => {
  let s: TestServer;
  let browser: Browser;
  let agent: Agent;
  beforeAll(async () => {
    ({ s, browser } = await openServerAndBrowser({ PARLEY_DEMO_SERVER_KEY: SERVER_KEY }));
    agent = await new Agent(s.url).login();
  });
  afterAll(() => closeServerAndBrowser(s, browser));

  async function open(
    name: string,
    o: PageOptions = {},
    viewport?: { width: number; height: number },
    before?: (page: Page) => Promise<void>,
  ): Promise<{ ctx: BrowserContext; page: Page; w: ReturnType<typeof watch> }> {
    const url = s.page(name, customerPage(s, o));
    const ctx = await browser.newContext(viewport ? { viewport } : {});
    const page = await ctx.newPage();
    const w = watch(page);
    await before?.(page);
    await page.goto(url);
    return { ctx, page, w };
  }

  it('a clear end: the composer disabled and styled, "Start a new chat" brings back the form filled in for the returning visitor', async () => {
    const { ctx, page, w } = await open('ended');
    const sid = await startChatThroughForm(page);
    await agent.acceptNext(sid);
    await say(page, 'Thanks, bye');
    await page.locator('.pz-me .pz-st', { hasText: 'Sent' }).waitFor();
    await page.evaluate(() => (window as any).CXBus.command('WebChat.endChat'));
    const foot = page.locator('.pz-ft.pz-ended');
    await foot.waitFor();
    const box = page.locator('.pz-ft textarea');
    expect(await box.isDisabled()).toBe(true);
    expect(await box.getAttribute('placeholder')).toBe('This chat has ended');
    const again = page.getByRole('button', { name: 'Start a new chat' });
    await again.waitFor();
    expect(await seriousAxe(page)).toEqual([]);
    await shot(page, 'ended-light');
    // keyboard only: Tab reaches the button, Enter starts over
    await again.focus();
    await page.keyboard.press('Enter');
    const win = page.locator('.pz-win');
    await win.getByLabel('First name').waitFor();
    expect(await win.getByLabel('First name').inputValue()).toBe('Jonny');
    expect(await win.getByLabel('Email').inputValue()).toBe('jonny@example.com');
    expect(await win.getByLabel('Subject').inputValue()).toBe('');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('firstname');
    expect(await page.locator('.pz-log .pz-msg').count()).toBe(0);
    // a new visit (same browser) finds the form filled in too
    await page.reload();
    await page.locator('.pz-win .pz-form').waitFor(); // the form was open: it still is
    expect(await page.locator('.pz-win').getByLabel('Last name').inputValue()).toBe('Smith');
    expect(w.errors).toEqual([]);
    await ctx.close();
  });

  it('maxMessageLength: a warning as the limit nears; a longer message is refused with a message and never cut', async () => {
    const { ctx, page, w } = await open('limit', { webchat: { maxMessageLength: 40 } });
    const sid = await startChatThroughForm(page);
    await agent.acceptNext(sid);
    const box = page.locator('.pz-ft textarea');
    const limit = page.locator('.pz-lim');
    await box.fill('x'.repeat(32));
    await limit.waitFor();
    expect(await limit.textContent()).toBe('8 characters left');
    const long = HOSTILE + ' ' + 'y'.repeat(40);
    await box.fill(long);
    await box.press('Enter');
    await page.locator('.pz-lim.pz-over').waitFor();
    expect(await limit.textContent()).toBe(`Your message is ${long.length - 40} characters too long. Shorten it to send it.`);
    expect(await box.inputValue()).toBe(long); // nothing cut
    expect(await box.getAttribute('aria-invalid')).not.toBeNull();
    await until(async () => (await page.locator('.pz-sr p', { hasText: 'too long' }).count()) === 1, 'the refusal announced');
    await page.waitForTimeout(300);
    expect(await customerTexts(agent, sid)).toEqual([]);
    expect(await seriousAxe(page)).toEqual([]);
    await shot(page, 'limit-refused');
    await say(page, 'short enough');
    await page.locator('.pz-me .pz-st', { hasText: 'Sent' }).waitFor();
    expect(await limit.isHidden()).toBe(true);
    expect(await customerTexts(agent, sid)).toEqual(['short enough']);
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);
    await ctx.close();
  });

  it('delivery state per own message: sending, sent; a failed send keeps the whole text, marked "Not sent" with Retry, sent once when retried', async () => {
    const { ctx, page, w } = await open('delivery', { transport: { writeRetryDelaysMs: [] } });
    const sid = await startChatThroughForm(page);
    await agent.acceptNext(sid);
    const isText = (r: { method(): string; postData(): string | null }) => r.method() === 'POST' && decodeURIComponent(r.postData() ?? '').includes('data[type]=Text');
    // slow first: "Sending…" shows, then "Sent"
    const slow = async (route: Route) => {
      if (!isText(route.request())) return route.continue();
      await new Promise((r) => setTimeout(r, 800));
      await route.continue();
    };
    await page.route('**/messages', slow);
    await say(page, 'first');
    await page.locator('.pz-me .pz-st', { hasText: 'Sending…' }).waitFor();
    await page.locator('.pz-me .pz-st', { hasText: 'Sent' }).waitFor();
    await page.unroute('**/messages', slow);
    // the network drops the next one
    const fail = (route: Route) => (isText(route.request()) ? route.abort('internetdisconnected') : route.continue());
    await page.route('**/messages', fail);
    const text = `Where is my order ${HOSTILE}? It is long, ${'and it goes on '.repeat(8)}`.trim();
    await say(page, text);
    const failed = page.locator('.pz-me.pz-failed');
    await failed.waitFor({ timeout: 5000 }).catch(async (e) => {
      console.log('DEBUG', await page.locator('.pz-log').innerHTML(), w.errors);
      throw e;
    });
    expect(await failed.locator('.pz-b').textContent()).toBe(text);
    expect(await failed.locator('.pz-st').textContent()).toContain('Not sent');
    const box = page.locator('.pz-ft textarea');
    expect(await box.inputValue()).toBe(text); // back in the box, whole
    expect(await box.evaluate((el) => el.clientHeight > 40)).toBe(true); // sized to it
    expect(await seriousAxe(page)).toEqual([]);
    await shot(page, 'send-failed');
    await page.unroute('**/messages', fail);
    await failed.getByRole('button', { name: 'Retry' }).click();
    await page.locator('.pz-me .pz-st', { hasText: 'Sent' }).nth(1).waitFor();
    expect(await page.locator('.pz-me.pz-failed').count()).toBe(0);
    expect(await box.inputValue()).toBe('');
    await until(async () => (await customerTexts(agent, sid)).length === 2, 'two customer messages');
    expect(await customerTexts(agent, sid)).toEqual(['first', text]);
    await page.waitForTimeout(2500); // the poll brings both back: neither is shown twice
    expect(await page.locator('.pz-me').count()).toBe(2);
    expect(await page.locator('.pz-log img').count()).toBe(0);
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);
    await ctx.close();
  });

  it('minimized: unread badge, page-title flash; the agent name in the header; consecutive messages grouped; the draft and the minimized state survive a reload', async () => {
    // the site's avatar image (here an SVG the test serves)
    const avatarSvg =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28"><circle cx="14" cy="14" r="14" fill="#f6c343"/><text x="14" y="19" font-size="12" text-anchor="middle" font-family="sans-serif">DA</text></svg>';
    const { ctx, page, w } = await open('attention', { webchat: { notificationSound: true, agentAvatar: '/widgets/avatar-test.svg' }, title: 'Shop' }, undefined, (p) =>
      p.route('**/widgets/avatar-test.svg', (route) => route.fulfill({ contentType: 'image/svg+xml', body: avatarSvg })),
    );
    const sid = await startChatThroughForm(page);
    await agent.acceptNext(sid);
    await agent.send(sid, 'Hello, I am here.');
    await page.locator('.pz-agent .pz-b', { hasText: 'Hello, I am here.' }).waitFor();
    expect(await page.locator('.pz-hd .pz-agt').textContent()).toBe('Demo Agent');
    const avatar = page.locator('.pz-hd img.pz-hav');
    expect(await avatar.isVisible()).toBe(true);
    expect(await avatar.getAttribute('src')).toBe(`${s.url}/widgets/avatar-test.svg`);
    expect(await avatar.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await avatar.getAttribute('alt')).toBe('');
    await page.locator('.pz-ft textarea').fill('half a thought');
    await page.getByRole('button', { name: 'Minimize chat' }).click();
    await agent.send(sid, 'Are you there?');
    await agent.send(sid, `Still here ${HOSTILE}`);
    const badge = page.locator('.pz-hd .pz-unr');
    await until(async () => (await badge.textContent()) === '2', 'the unread count');
    expect(await badge.getAttribute('aria-label')).toBe('2 unread');
    await until(async () => (await page.title()) === '(2) New message', 'the title flash', 5000);
    expect(await seriousAxe(page)).toEqual([]);
    await shot(page, 'minimized-unread');
    // reload: minimized again, with the draft
    await page.reload();
    await page.locator('.pz-win.pz-min').waitFor();
    await page.getByRole('button', { name: 'Restore chat' }).click();
    await page.locator('.pz-agent .pz-b', { hasText: 'Still here' }).waitFor();
    expect(await page.locator('.pz-ft textarea').inputValue()).toBe('half a thought');
    expect(await badge.isHidden()).toBe(true);
    expect(await page.title()).toBe('Shop');
    expect(await page.locator('.pz-hd .pz-agt').textContent()).toBe('Demo Agent');
    expect(await avatar.isVisible()).toBe(true);
    // the two messages in a row are one group: the name is shown once
    const last = page.locator('.pz-agent').last();
    expect(await last.evaluate((el) => el.classList.contains('pz-grp'))).toBe(true);
    expect(await last.locator('.pz-who').isHidden()).toBe(true);
    expect(await page.locator('.pz-log img').count()).toBe(0);
    // the transcript shows its newest line after the reload
    expect(await page.locator('.pz-log').evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2)).toBe(true);
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);
    await ctx.close();
  });

  it('the pre-chat form: only the fields the deployment asks for, a message per field (empty vs invalid), a confirmation before losing what was typed', async () => {
    const { ctx, page, w } = await open('form', { main: { theme: 'dark' }, webchat: { form: { fields: { nickname: 'required', email: 'optional' } } } });
    await page.locator('.pz-cb').click();
    const win = page.locator('.pz-win');
    await win.getByLabel('Nickname').waitFor();
    expect(await win.locator('.pz-fld label').allTextContents()).toEqual(['Nickname (required)', 'Email']);
    // keyboard only: Enter in the first field submits the empty form
    await page.keyboard.press('Enter');
    const nickError = win.locator('.pz-err', { hasText: 'Nickname is required.' });
    await nickError.waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('nickname');
    await page.keyboard.type(HOSTILE);
    await page.keyboard.press('Tab');
    await page.keyboard.type('not-an-address');
    await page.keyboard.press('Enter');
    await win.locator('.pz-err', { hasText: 'Please enter an email address like name@example.com.' }).waitFor();
    expect(await nickError.isHidden()).toBe(true);
    expect(await seriousAxe(page)).toEqual([]);
    await shot(page, 'form-errors-dark');
    // closing the form with something typed asks first
    await page.getByRole('button', { name: 'Close chat' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByText('Close the form? What you typed will be lost.').waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await win.getByLabel('Email').inputValue()).toBe('not-an-address');
    await win.getByLabel('Email').fill('ann@example.com');
    await win.getByRole('button', { name: 'Start chat' }).click();
    await page.locator('.pz-sys', { hasText: 'Chat started' }).waitFor();
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);
    await ctx.close();
  });

  it('Genesys options: emojis and markdown load on demand behind actionsMenu; markdown is a safe subset and never HTML', async () => {
    const { ctx, page, w } = await open('options', { webchat: { emojis: true, markdown: true, actionsMenu: true, uploadsEnabled: true, maxUploadBytes: 2000 } });
    const addonsLoaded = () => page.evaluate(() => performance.getEntriesByType('resource').flatMap((e) => (/\/addons\//.test(e.name) ? [e.name.replace(/^.*\/addons\//, '')] : [])));
    const sid = await startChatThroughForm(page);
    await agent.acceptNext(sid);
    expect(await addonsLoaded()).toEqual(['markdown.min.js']); // markdown: configured, loaded once; emoji: not yet
    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    await page.locator('.pz-emo button').first().waitFor();
    expect(await addonsLoaded()).toEqual(['markdown.min.js', 'emoji.min.js']);
    await page.locator('.pz-emo button', { hasText: '👍' }).click();
    expect(await page.locator('.pz-ft textarea').inputValue()).toBe('👍');
    await page.keyboard.press('Enter');
    await page.locator('.pz-me .pz-b', { hasText: '👍' }).waitFor();
    // Escape closes the picker; focus goes back to the message box (the emoji button is in the closed menu)
    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    await page.locator('.pz-emo button').first().waitFor();
    expect(await seriousAxe(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.locator('.pz-emo').waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    expect(await page.locator('.pz-win.pz-min').count()).toBe(0); // Escape in the picker does not minimize
    await agent.send(sid, `**Order 42** is *on its way*: \`TRACK-1\`\n- [track it](https://example.com/t?id=42)\n- [evil](javascript:alert(1))\n${HOSTILE} **<b onclick=alert(3)>x</b>**`);
    const md = page.locator('.pz-agent .pz-md').last();
    await md.locator('strong').first().waitFor();
    expect(await md.locator('strong').first().textContent()).toBe('Order 42');
    expect(await md.locator('em').textContent()).toBe('on its way');
    expect(await md.locator('code').textContent()).toBe('TRACK-1');
    expect(await md.locator('li').count()).toBe(2);
    expect(await md.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['https://example.com/t?id=42']);
    expect(await md.locator('img, script, b, [onclick], [onerror]').count()).toBe(0);
    expect(await md.textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await seriousAxe(page)).toEqual([]);
    await shot(page, 'markdown-emoji');
    // a refused upload says why: its type, its size (before sending), its content (the server's answer)
    const files = page.locator('.pz-ft input[type=file]');
    await files.setInputFiles({ name: 'tool<b>.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    await page.locator('.pz-sys', { hasText: 'Files like tool<b>.exe are not accepted (images, PDF and text only).' }).waitFor();
    await files.setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: Buffer.alloc(3000) });
    await page.locator('.pz-sys', { hasText: 'big.png is larger than' }).waitFor();
    await files.setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('<svg onload=alert(1)>') });
    await page.locator('.pz-sys', { hasText: 'The content of fake.png does not match its type.' }).waitFor();
    expect(await page.locator('.pz-log b, .pz-log svg').count()).toBe(0);
    expect((await agent.messages(sid)).messages.filter((m) => m.type === 'File')).toEqual([]);
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);
    await ctx.close();
  });

  it('chatButton.template (safe subset) and autoInvite: the invite comes after timeToInviteSeconds, the button hides meanwhile', async () => {
    const { ctx, page, w } = await open('invite', {
      webchat: { chatButton: { enabled: true, openDelay: 0, template: `<span>Talk to us</span>${HOSTILE}` }, autoInvite: { enabled: true, timeToInviteSeconds: 1 } },
    });
    const button = page.locator('.pz-cb');
    await button.waitFor();
    expect(await button.textContent()).toBe('Talk to us');
    expect(await page.locator('.pz-cb svg, .pz-cb [onerror], .pz-cb [onload]').count()).toBe(0);
    const invite = page.getByRole('dialog', { name: 'Need help?' });
    await invite.waitFor({ timeout: 5000 });
    expect(await button.isHidden()).toBe(true);
    await invite.getByRole('button', { name: 'No thanks' }).click();
    await button.waitFor();
    expect(await button.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);
    await ctx.close();
  });

  it('seed 004 banner: the flow’s wording as text, gone when the agent leaves; the transcript shows its newest line; mobile 390×844, dark', async () => {
    const { ctx, page, w } = await open('banner', { main: { theme: 'dark' }, webchat: { markdown: true } }, { width: 390, height: 844 });
    const sid = await startChatThroughForm(page);
    await agent.acceptNext(sid);
    for (let i = 1; i <= 12; i++) await agent.send(sid, `Line ${i}: the answer to your question, ${'in some detail '.repeat(3)}`);
    await page.locator('.pz-agent .pz-b', { hasText: 'Line 12' }).waitFor();
    const res = await fetch(`${s.url}/workflow/v1/sessions/${sid}/ui-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': SERVER_KEY },
      body: JSON.stringify({ name: 'ui-event-update-promotion', data: { title: `Want the bot back? ${HOSTILE}`, options: [{ title: 'Back to the bot', text: 'talk to bot' }] } }),
    });
    expect(res.status).toBeLessThan(300);
    const banner = page.locator('.pz-bn');
    await banner.getByRole('button', { name: 'Back to the bot' }).waitFor();
    expect(await banner.locator('p').textContent()).toBe(`Want the bot back? ${HOSTILE}`);
    const atEnd = () => page.locator('.pz-log').evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2);
    await until(atEnd, 'the transcript at its newest line');
    expect(await seriousAxe(page)).toEqual([]);
    await shot(page, 'mobile-dark-banner', true);
    await page.reload();
    await banner.getByRole('button', { name: 'Back to the bot' }).waitFor();
    await page.locator('.pz-agent .pz-b', { hasText: 'Line 12' }).waitFor();
    await until(atEnd, 'the transcript at its newest line after the reload');
    // the agent leaves: the banner goes with it
    const left = await fetch(`${s.url}/agent/v1/sessions/${sid}/leave`, { method: 'POST', headers: { authorization: `Bearer ${agent.token}` } });
    expect(left.status).toBeLessThan(300);
    await banner.waitFor({ state: 'hidden' });
    expect(await page.locator('.pz-hd .pz-agt').isHidden()).toBe(true);
    expect(await page.locator('.pz-bn img, .pz-log img').count()).toBe(0);
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);
    await ctx.close();
  });
});
