/**
 * Rich messages (docs/rich-messages.md) in the browser: the demo bot's question comes with two
 * quick replies and tapping "Agent" (by keyboard) routes to an agent, on Chat API v3 as on guest
 * chat and GMS; hostile text in every field of every kind stays text; an agent adds quick replies
 * in the desktop and the customer taps one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { Agent, API_KEY, closeServerAndBrowser, customerPage, openServerAndBrowser, sessionIdOf, startChatThroughForm, type TestServer, until, watch, widgetShot } from './helpers.js';
import { axe, desktopBuilt, setReady, signIn } from './desktop-helpers.js';

const SERVER_KEY = 'sk_e2e_rich_messages_0123456789';
const MENU = "Type 'hours', or 'agent' to talk to a person.";
const HOSTILE = '<img src=x onerror="window.__xss=1;alert(1)">';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe's serious and critical violations inside the widget. */
async function seriousAxe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await (window as any).axe.run({ include: [['.pz']] }, { resultTypes: ['violations'] });
    return r.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
  });
}

async function workflowMessage(s: TestServer, sessionId: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${s.url}/workflow/v1/sessions/${sessionId}/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': SERVER_KEY },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`message -> ${res.status} ${await res.text()}`);
}

describe('rich messages in the widget and the desktop', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    if (!desktopBuilt()) throw new Error('build the desktop first: npm run build -w @parley/desktop');
    ({ s, browser } = await openServerAndBrowser({ PARLEY_DEMO_BOT: 'true', PARLEY_DEMO_SERVER_KEY: SERVER_KEY }));
  });
  afterAll(() => closeServerAndBrowser(s, browser));

  async function customer(name: string, firstname = 'Jonny'): Promise<{ page: Page; seen: ReturnType<typeof watch>; sid: string }> {
    const page = await (await browser.newContext()).newPage();
    const seen = watch(page);
    await page.goto(s.page(name, customerPage(s)));
    const sid = await startChatThroughForm(page, { firstname, lastname: 'Smith', email: `${firstname.toLowerCase()}@example.com`, subject: 'Rich' });
    return { page, seen, sid };
  }

  it("the demo bot's question shows two buttons; tapping Agent (keyboard) sends it and routes to an agent", async () => {
    const { page, seen, sid } = await customer('rich-bot');
    const question = page.locator('.pz-msg.pz-bot', { hasText: MENU });
    const choices = question.getByRole('group', { name: 'Choices' });
    await choices.waitFor();
    const buttons = choices.getByRole('button');
    expect(await buttons.allTextContents()).toEqual(['Hours', 'Agent']);
    await page.locator('.pz-sr p', { hasText: 'Choices: Hours, Agent' }).waitFor({ state: 'attached' });
    expect(await seriousAxe(page)).toEqual([]);
    await widgetShot(page, 'quick-replies');

    // keyboard only: Tab from the message box back to "Agent", Enter
    const agentChoice = choices.getByRole('button', { name: 'Agent' });
    await page.locator('.pz-ft textarea').focus();
    for (let i = 0; i < 10 && !(await agentChoice.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Shift+Tab');
    expect(await agentChoice.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');

    await page.locator('.pz-me .pz-b', { hasText: 'Agent' }).waitFor();
    await page.locator('.pz-msg.pz-bot .pz-b', { hasText: 'Thanks! An agent will be with you shortly.' }).waitFor();
    expect(await agentChoice.getAttribute('aria-pressed')).toBe('true');
    expect(await seriousAxe(page)).toEqual([]);
    expect(await buttons.evaluateAll((bs) => bs.every((b) => b.getAttribute('aria-disabled') === 'true'))).toBe(true);
    // used up: a second tap sends nothing
    await choices.getByRole('button', { name: 'Hours' }).evaluate((b: HTMLElement) => b.click());
    const agent = await new Agent(s.url).login();
    await agent.acceptNext(sid);
    await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).waitFor();
    const customerTexts = (await agent.messages(sid)).messages.filter((m) => m.from.type === 'Customer' && m.type === 'Text').map((m) => m.text);
    expect(customerTexts).toEqual(['Agent']);
    expect(seen.errors).toEqual([]);
  });

  /** The Genesys transports: the content rides as data.rich beside the text (docs/rich-messages.md). */
  const TRANSPORTS = [
    {
      name: 'guest chat v2 (purecloud-v2-sockets)',
      webchat: (s: TestServer) => ({
        transport: { type: 'purecloud-v2-sockets', dataURL: s.url, deploymentKey: 'demo', orgGuid: 'any', interactionData: { routing: { targetType: 'QUEUE', targetAddress: 'Support' } } },
      }),
      idOf: (d: Record<string, string>) => d.conversationId,
    },
    { name: 'GMS chat v2', webchat: (s: TestServer) => ({ dataURL: `${s.url}/genesys/2/chat/Support`, apikey: API_KEY }), idOf: (d: Record<string, string>) => d.sessionID },
  ];
  for (const [i, t] of TRANSPORTS.entries()) {
    it(`on ${t.name} the bot's quick replies show too, and a tap routes to an agent`, async () => {
      const page = await (await browser.newContext()).newPage();
      const seen = watch(page);
      const widgets = { main: { theme: 'light', lang: 'en' }, webchat: t.webchat(s) };
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rich</title><link rel="stylesheet" href="/widgets/widgets.min.css"></head>
<body><main><h1>rich</h1></main><script>window._genesys = { widgets: ${JSON.stringify(widgets)} };</script><script src="/widgets/widgets.min.js"></script></body></html>`;
      await page.goto(s.page(`rich-transport-${i}`, html));
      const sid = await startChatThroughForm(page, { firstname: 'Tess', lastname: 'Smith', email: 'tess@example.com', subject: 'Rich' }, t.idOf);
      const choices = page.locator('.pz-msg.pz-bot', { hasText: MENU }).getByRole('group', { name: 'Choices' });
      await choices.waitFor();
      expect(await choices.getByRole('button').allTextContents()).toEqual(['Hours', 'Agent']);
      await choices.getByRole('button', { name: 'Agent' }).click();
      await page.locator('.pz-me .pz-b', { hasText: 'Agent' }).waitFor();
      await page.locator('.pz-msg.pz-bot .pz-b', { hasText: 'Thanks! An agent will be with you shortly.' }).waitFor();
      const agent = await new Agent(s.url).login();
      await agent.acceptNext(sid);
      expect(seen.errors).toEqual([]);
    });
  }

  it('hostile text in every field of every kind is inert: no element, no handler, no dialog', async () => {
    const { page, seen, sid } = await customer('rich-hostile');
    await page.locator('.pz-msg.pz-bot', { hasText: MENU }).waitFor();
    const card = {
      title: HOSTILE,
      description: HOSTILE,
      actions: [
        { type: 'reply', text: HOSTILE, value: HOSTILE },
        { type: 'link', text: HOSTILE, url: 'https://example.com/?q=<script>alert(1)</script>' },
      ],
    };
    const kinds = [
      { kind: 'quickReplies', replies: [{ text: HOSTILE, value: HOSTILE }] },
      { kind: 'buttons', buttons: card.actions },
      { kind: 'card', card },
      { kind: 'carousel', cards: [card, { ...card, title: `${HOSTILE} 2` }] },
      { kind: 'listPicker', title: HOSTILE, items: [{ title: HOSTILE, description: HOSTILE, value: HOSTILE }] },
    ];
    for (const rich of kinds) await workflowMessage(s, sid, { MessageText: `${rich.kind} ${HOSTILE}`, Nickname: HOSTILE, Rich: rich });
    await page
      .locator('.pz-msg', { hasText: `listPicker ${HOSTILE}` })
      .locator('.pz-pick')
      .waitFor();
    const log = page.locator('.pz-log');
    expect(await log.locator('img, script, iframe').count()).toBe(0);
    expect(await log.locator('.pz-rich').count()).toBe(6); // the bot's question and the five
    expect(await log.locator('.pz-carousel .pz-card').count()).toBe(2);
    expect(await log.locator('.pz-rich a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(Array(4).fill('https://example.com/?q=%3Cscript%3Ealert(1)%3C/script%3E'));
    const handlers = await log.evaluate((el) => [...el.querySelectorAll('*')].flatMap((n) => n.getAttributeNames().filter((a) => a.startsWith('on'))));
    expect(handlers).toEqual([]);
    expect(await log.locator('.pz-card-title').first().textContent()).toBe(HOSTILE);
    expect(await seriousAxe(page)).toEqual([]);
    await widgetShot(page, 'rich-kinds');
    // a hostile choice tapped goes out as text and comes back as text
    await log.locator('.pz-pick-btn').first().click();
    await page.locator('.pz-me .pz-b', { hasText: HOSTILE }).waitFor();
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
    expect(seen.dialogs).toEqual([]);
    expect(seen.errors).toEqual([]);
  });

  it('the agent adds quick replies in the desktop; the customer taps one and the desktop shows both', async () => {
    const desk = await (await browser.newContext({ bypassCSP: true })).newPage();
    const deskSeen = watch(desk);
    await signIn(desk, s.url, 'agent2'); // the other tests' chats went to the demo agent
    await desk.locator('.connection[data-status="ready"]').waitFor();
    await setReady(desk);

    const { page, seen, sid } = await customer('rich-desktop', 'Rita');
    await page.locator('.pz-msg.pz-bot').getByRole('button', { name: 'Agent' }).click();
    await desk.locator('.offer', { hasText: 'Rita' }).waitFor();
    await desk.keyboard.press('Alt+KeyA');
    await desk.getByRole('tab', { name: /Rita/ }).waitFor();
    // the bot's question shows in the desktop with what it offered
    await desk.locator('.rich', { hasText: 'Quick replies' }).first().waitFor();
    expect(await desk.locator('.rich').first().locator('.rich-option').allTextContents()).toEqual(['Hours', 'Agent']);

    await desk.getByLabel(/Message to Rita/).fill('Did that solve it?');
    await desk.getByRole('button', { name: 'Add quick replies' }).click();
    await desk.getByLabel(/Quick replies sent with this message/).fill(`Yes, thanks\nNo\n${HOSTILE}`);
    expect(await axe(desk)).toEqual([]);
    await desk.getByRole('button', { name: 'Send', exact: true }).click();
    await desk.locator('.msg', { hasText: 'Did that solve it?' }).locator('.rich-option', { hasText: 'Yes, thanks' }).waitFor();
    expect(await axe(desk)).toEqual([]);
    expect(await desk.locator('img').count()).toBe(0);

    const offered = page.locator('.pz-agent', { hasText: 'Did that solve it?' }).getByRole('group', { name: 'Choices' });
    await offered.waitFor();
    expect(await offered.getByRole('button').allTextContents()).toEqual(['Yes, thanks', 'No', HOSTILE]);
    await offered.getByRole('button', { name: 'Yes, thanks' }).click();
    await desk.locator('.msg.from-customer', { hasText: 'Yes, thanks' }).waitFor();
    expect(await sessionIdOf(page)).toBe(sid);
    expect(seen.dialogs.concat(deskSeen.dialogs)).toEqual([]);
    expect(seen.errors.concat(deskSeen.errors)).toEqual([]);
    await until(async () => !(await desk.getByLabel(/Quick replies sent with this message/).count()), 'the quick replies field to close after sending');
  });
});
