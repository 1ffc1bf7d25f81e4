/**
 * Seed 004 in the browser: the demo bot greets, the customer asks for a person, an agent joins and
 * the widget shows the banner "Want to go back to the bot?" with its "Back to the bot" button (the
 * flow's wording: back to the bot, not leaving), and the transcript shows its newest line when the
 * banner appears and after a reload. The button (reached by keyboard) sends "talk to bot": the
 * agent's ticket is closed and the agent told and gone, and the banner goes with the agent; the bot
 * is back. A reload shows the banner as it last was. Page code sees the UI events on
 * the bus. Idle control: the alert and the close notice are system lines and the chat ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { buildParley } from '../packages/server/src/app.js';
import { testConfig } from '../packages/server/src/config.js';
import {
  AGENT,
  Agent,
  API_KEY,
  closeServerAndBrowser,
  customerPage,
  launch,
  serveCustomerPages,
  openServerAndBrowser,
  startChatThroughForm,
  type TestServer,
  until,
  watch,
  widgetsBuilt,
  widgetShot,
} from './helpers.js';

const SERVER_KEY = 'sk_e2e_bot_handoff_0123456789';
const BOT_ENV = { PARLEY_DEMO_BOT: 'true', PARLEY_DEMO_SERVER_KEY: SERVER_KEY };
const MENU = "Type 'hours', or 'agent' to talk to a person.";
const BACK = "I'm back. What else can I do for you?";
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

async function seriousAxe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await (window as any).axe.run({ include: [['.pz']] }, { resultTypes: ['violations'] });
    return r.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
  });
}

function postUiEvent(s: TestServer, sessionId: string, name: string, data?: unknown): Promise<Response> {
  return fetch(`${s.url}/workflow/v1/sessions/${sessionId}/ui-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': SERVER_KEY },
    body: JSON.stringify({ name, data }),
  });
}

async function uiEvent(s: TestServer, sessionId: string, name: string, data?: unknown): Promise<void> {
  const res = await postUiEvent(s, sessionId, name, data);
  if (!res.ok) throw new Error(`ui-events -> ${res.status} ${await res.text()}`);
}

/** The customer types into the message box and sends. */
async function say(page: Page, text: string): Promise<void> {
  const ta = page.locator('.pz-ft textarea');
  await ta.fill(text);
  await ta.press('Enter');
}

const botSaid = (page: Page, text: string) => page.locator('.pz-msg.pz-bot .pz-b', { hasText: text });

/** The transcript is scrolled to its newest line (and is scrollable, so the check can fail). */
const atNewestLine = (page: Page) => () => page.locator('.pz-log').evaluate((el) => el.scrollHeight > el.clientHeight && el.scrollTop + el.clientHeight >= el.scrollHeight - 2);

describe('bot, agent and back to the bot (seed 004)', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => ({ s, browser } = await openServerAndBrowser(BOT_ENV)));
  afterAll(() => closeServerAndBrowser(s, browser));

  it('the bot greets, hands over to an agent, the banner offers the way back to the bot; its button closes the ticket and the bot resumes', async () => {
    const url = s.page('handoff', customerPage(s));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    await page.goto(url);
    const sid = await startChatThroughForm(page);

    // the bot greets as a bot, with its nickname
    await botSaid(page, MENU).waitFor();
    const greet = page.locator('.pz-msg.pz-bot', { hasText: "Hi! I'm the Parley bot" });
    expect(await greet.locator('.pz-who').textContent()).toBe('Parley Bot');
    expect(await page.locator('.pz-msg.pz-agent:not(.pz-bot)').count()).toBe(0);

    // enough of a conversation that the transcript scrolls
    for (let i = 1; i <= 4; i++) {
      await say(page, `question number ${i}`);
      await until(async () => (await botSaid(page, "Sorry, I didn't get that.").count()) === i, `the bot's answer ${i}`);
    }

    // the customer asks for a person (the form gave the email: no question), an agent accepts
    await say(page, 'agent');
    await botSaid(page, 'Thanks! An agent will be with you shortly.').waitFor();
    const agent = await new Agent(s.url).login();
    const { id: interactionId } = await agent.acceptNext(sid);
    await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).waitFor();
    // the header names who the customer talks to now: the agent, from the moment they join
    const header = page.locator('.pz-hd .pz-agt');
    await until(async () => (await header.textContent()) === 'Demo Agent', 'the agent in the header');

    // the banner: a labelled region, its title as text, a "Back to the bot" button; announced once
    const banner = page.getByRole('region', { name: 'Want to go back to the bot?' });
    await banner.waitFor();
    const exit = banner.getByRole('button', { name: 'Back to the bot' });
    await exit.waitFor();
    await until(async () => (await page.locator('.pz-sr p', { hasText: 'Want to go back to the bot?' }).count()) === 1, 'the banner announcement');
    expect(await page.locator('.pz-log').textContent()).not.toContain('back to the bot?');
    expect(await page.locator('.pz-bn').textContent()).not.toMatch(/exit|leave/i);
    // the banner takes room above the transcript: the newest line is still in view
    await until(atNewestLine(page), 'the transcript at its newest line when the banner appears');
    expect(await seriousAxe(page)).toEqual([]);
    await widgetShot(page, 'banner-light');
    await agent.send(sid, 'Hello, Demo Agent here.');
    await page.locator('.pz-agent .pz-b', { hasText: 'Hello, Demo Agent here.' }).waitFor();

    // a reload shows the banner again, without announcing it again, and the newest line in view
    await page.reload();
    await page.locator('.pz-agent .pz-b', { hasText: 'Hello, Demo Agent here.' }).waitFor();
    await exit.waitFor();
    await until(atNewestLine(page), 'the transcript at its newest line after the reload');
    expect(await header.textContent()).toBe('Demo Agent');
    await page.waitForTimeout(300);
    expect(await page.locator('.pz-sr p', { hasText: 'back to the bot?' }).count()).toBe(0);

    // keyboard: from the message box back to the banner's button, Enter
    await page.locator('.pz-ft textarea').focus();
    for (let i = 0; i < 30 && !(await exit.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Shift+Tab');
    expect(await exit.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');

    // "talk to bot" is the customer's message; the ticket closes and the agent is told and leaves
    await page.locator('.pz-me .pz-b', { hasText: 'talk to bot' }).waitFor();
    await until(async () => (await agent.session(sid)).interactions.find((i) => i.id === interactionId)?.state === 'Completed', 'the agent interaction to complete');
    const told = await agent.waitForMessage(sid, (m) => m.type === 'Notice' && m.text === 'Ticket closed: The customer asked to go back to the bot.');
    expect(told.from.type).toBe('System');
    await agent.waitForMessage(sid, (m) => m.type === 'ParticipantLeft' && m.from.type === 'Agent');
    await page.locator('.pz-sys', { hasText: 'Demo Agent disconnected' }).waitFor();
    await until(async () => (await header.textContent()) !== 'Demo Agent', 'the agent gone from the header');

    // the banner goes with the agent (focus back in the message box), the bot answers again
    await page.locator('.pz-bn').waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await botSaid(page, BACK).waitFor();
    await say(page, 'hours');
    await botSaid(page, 'Monday to Friday').waitFor();

    // after a reload the closed banner stays closed
    await page.reload();
    await botSaid(page, 'Monday to Friday').waitFor();
    await page.waitForTimeout(500);
    expect(await page.locator('.pz-bn').isHidden()).toBe(true);
    expect(await page.locator('.pz-me .pz-b', { hasText: 'talk to bot' }).count()).toBe(1);
    expect(w.errors).toEqual([]);
    await ctx.close();
  });

  it('page code sees the UI events on the bus; URL options are safe links; dark theme passes axe', async () => {
    const script = `window.__ui = [];
CXBus.subscribe('WebChatService.uiEvent', function (e) { window.__ui.push(['uiEvent', e.data.name, e.data.data, e.data.restoring]); });
CXBus.subscribe('WebChatService.ui-event-update-promotion', function (e) { window.__ui.push(['update', e.data]); });
CXBus.subscribe('WebChatService.ui-event-close-promotion', function (e) { window.__ui.push(['close', e.data]); });`;
    const url = s.page('bus', customerPage(s, { main: { theme: 'dark' }, script }));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    await page.exposeFunction('__pwned', () => w.errors.push('script ran'));
    await page.goto(url);
    const sid = await startChatThroughForm(page);
    await botSaid(page, MENU).waitFor();

    const promo = {
      title: 'Special offer <img src=x onerror="window.__pwned()">',
      options: [
        { title: 'See the offer', url: 'https://example.com/offer' },
        { title: 'Exit', text: 'talk to bot' },
      ],
    };
    // A link that is not http(s) never reaches the page: the server refuses the event.
    const hostile = { ...promo, options: [...promo.options, { title: 'Bad', url: 'javascript:window.__pwned()' }] };
    expect((await postUiEvent(s, sid, 'ui-event-update-promotion', hostile)).status).toBe(400);
    await uiEvent(s, sid, 'ui-event-update-promotion', promo);
    const banner = page.getByRole('region', { name: promo.title });
    await banner.waitFor();
    const links = await banner.locator('a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('target'), a.getAttribute('rel')]));
    expect(links).toEqual([['See the offer', 'https://example.com/offer', '_blank', 'noopener noreferrer']]);
    expect(await banner.locator('img').count()).toBe(0);
    expect(await banner.getByRole('button').allTextContents()).toEqual(['Exit']);
    expect(await seriousAxe(page)).toEqual([]);
    await widgetShot(page, 'banner-dark');

    await uiEvent(s, sid, 'ui-event-close-promotion', {});
    await page.locator('.pz-bn').waitFor({ state: 'hidden' });
    const seen = await page.evaluate(() => (window as any).__ui);
    expect(seen).toEqual([
      ['uiEvent', 'ui-event-update-promotion', promo, false],
      ['update', promo],
      ['uiEvent', 'ui-event-close-promotion', {}, false],
      ['close', {}],
    ]);
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);
    await ctx.close();
  });
});

describe('idle control in the widget', () => {
  it('the idle alert and the close are system notices; the chat shows as ended', async () => {
    if (!widgetsBuilt()) throw new Error('build the widgets first: npm run build -w @parley/widgets');
    const clock = {
      offset: 0,
      now() {
        return Date.now() + this.offset;
      },
    };
    const parley = await buildParley(
      testConfig({ PARLEY_DEMO: 'true', PARLEY_DEMO_API_KEY: API_KEY, PARLEY_DEMO_AGENT_USER: AGENT.username, PARLEY_DEMO_AGENT_PASSWORD: AGENT.password, LONG_POLL_MS: '2000', ...BOT_ENV }),
      { clock, sweepEveryMs: 0 },
    );
    const pages = serveCustomerPages(parley);
    await parley.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = parley.app.server.address() as { port: number };
    const s: TestServer = {
      parley,
      url: `http://127.0.0.1:${port}`,
      dataURL: '/nexus/v3/chat/sessions',
      page(name, html) {
        pages.set(name, html);
        return `${this.url}/e2e/${name}`;
      },
      close: () => parley.close(),
    };
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const w = watch(page);
      await page.goto(s.page('idle', customerPage(s)));
      const sid = await startChatThroughForm(page);
      await botSaid(page, MENU).waitFor();

      clock.offset = 121_000;
      expect((await parley.idle.sweep()).alerted).toEqual([sid]);
      const alert = page.locator('.pz-sys', { hasText: 'Are you still there?' });
      await alert.waitFor();
      expect(await page.locator('.pz-msg', { hasText: 'Are you still there?' }).count()).toBe(0);
      await until(async () => (await page.locator('.pz-sr p', { hasText: 'Are you still there?' }).count()) === 1, 'the alert announcement');

      clock.offset = 301_000;
      expect((await parley.idle.sweep()).closed).toEqual([sid]);
      await page.locator('.pz-sys', { hasText: 'This chat was closed because there was no reply.' }).waitFor();
      await page.locator('.pz-sys', { hasText: 'Chat ended' }).waitFor();
      expect(await page.locator('.pz-ft textarea').isDisabled()).toBe(true);
      expect(await page.evaluate(() => (window as any).CXBus.data('WebChatService.sessionActive'))).toBe(false);
      expect(await page.locator('.pz-msg', { hasText: 'no reply' }).count()).toBe(0);
      expect(w.errors).toEqual([]);
    } finally {
      await browser.close();
      await s.close();
    }
  });
});
