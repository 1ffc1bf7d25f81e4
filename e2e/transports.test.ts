/**
 * The two Genesys transports in a real browser against a real Parley server:
 * - purecloud-v2-sockets configured exactly as seed 003's example (only dataURL, deploymentKey,
 *   orgGuid and the queue point at Parley's demo deployment `demo` and queue `Support`);
 * - GMS chat v2: no transport.type, `webchat.dataURL = <server>/genesys/2/chat/Support` and `apikey`.
 * Each: the transport file loads on demand, a chat through the WebChat UI with the agent on the agent
 * API (messages and typing both ways), a reload restores it, the customer ends it; and seed 000's
 * page code, unchanged, ends a synchronous chat when the agent marks the interaction done.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Agent, API_KEY, closeServerAndBrowser, markDoneAndWaitForEnd, openServerAndBrowser, SEED_000, sessionIdOf, startChatThroughForm, type TestServer, until, watch } from './helpers.js';

const USER_DATA = {
  addressStreet: '64472 Brown Street',
  addressCity: 'Lindgrenmouth',
  addressPostalCode: '50163-2735',
  addressState: 'FL',
  phoneNumber: '1-916-892-2045 x293',
  phoneType: 'Cell',
  customerId: '59606',
};

interface Flavour {
  name: string;
  /** `_genesys.widgets.webchat` as a Genesys page has it. */
  webchat(s: TestServer): Record<string, unknown>;
  /** The transport file the widget loads on demand. */
  file: string;
  /** The Parley session id in WebChatService.getSessionData. */
  idOf(data: Record<string, string>): string | undefined;
  /** The customer's leave request. */
  leave(method: string, url: string, id: string): boolean;
}

const FLAVOURS: Flavour[] = [
  {
    name: 'purecloud-v2-sockets (seed 003 configuration)',
    webchat: (s) => ({
      transport: {
        type: 'purecloud-v2-sockets',
        dataURL: s.url, // replace with API URL matching your region
        deploymentKey: 'demo', // replace with your Deployment ID
        orgGuid: 'parley-demo-org', // replace with your Organization ID
        interactionData: {
          routing: {
            targetType: 'QUEUE',
            targetAddress: 'Support',
            priority: 2,
          },
        },
      },
      userData: USER_DATA,
    }),
    file: '/widgets/transports/purecloud-v2-sockets.min.js',
    idOf: (d) => d.conversationId,
    leave: (method, url, id) => method === 'DELETE' && url.includes(`/api/v2/webchat/guest/conversations/${id}/members/`),
  },
  {
    name: 'GMS chat v2 (webchat.dataURL)',
    webchat: (s) => ({
      dataURL: `${s.url}/genesys/2/chat/Support`,
      apikey: API_KEY,
      cometD: { enabled: false },
      userData: USER_DATA,
    }),
    file: '/widgets/transports/gms-chat-v2.min.js',
    idOf: (d) => d.sessionID,
    leave: (method, url, id) => method === 'POST' && url.endsWith(`/genesys/2/chat/Support/${id}/disconnect`),
  },
];

function genesysPage(s: TestServer, webchat: Record<string, unknown>, script?: string): string {
  const widgets = { main: { theme: 'light', lang: 'en' }, webchat };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley e2e: transports</title>
<link rel="stylesheet" href="/widgets/widgets.min.css"></head>
<body><main><h1>A Genesys Widgets page</h1></main>
<script>window._genesys = { widgets: ${JSON.stringify(widgets)} };</script>
<script src="/widgets/widgets.min.js"></script>
${script ? `<script>\n${script}\n</script>` : ''}
</body></html>`;
}

const startThroughForm = (page: Page, f: Flavour) => startChatThroughForm(page, { firstname: 'Jonny', lastname: 'Smith', email: 'jonny@example.com', subject: 'product questions' }, f.idOf);

describe.each(FLAVOURS)('$name', (f) => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => ({ s, browser } = await openServerAndBrowser()));
  afterAll(() => closeServerAndBrowser(s, browser));

  it('loads its transport file on demand; a chat with messages and typing both ways, a reload, then the customer ends it', async () => {
    const url = s.page('transport-chat', genesysPage(s, f.webchat(s)));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    await page.goto(url);
    expect(requests.some((r) => r.includes('/transports/'))).toBe(false); // nothing before a chat

    const id = await startThroughForm(page, f);
    expect(requests.filter((r) => r.endsWith(f.file))).toHaveLength(1);
    const agent = await new Agent(s.url).login();
    const { sessionId: sid } = await agent.acceptNext(id);
    const info = await agent.session(sid);
    expect(JSON.stringify(info)).toContain('59606');
    expect(JSON.stringify(info)).toContain('Jonny');
    await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).waitFor();

    // customer typing reaches the agent, then the message (shown once, from the server)
    const ta = page.locator('.pz-ft textarea');
    await ta.pressSequentially('Hello, I need help', { delay: 10 });
    await agent.waitForMessage(sid, (m) => m.type === 'TypingStarted' && m.from.type === 'Customer');
    await ta.press('Enter');
    await agent.waitForMessage(sid, (m) => m.type === 'Text' && m.from.type === 'Customer' && m.text === 'Hello, I need help');
    await page.locator('.pz-me .pz-b', { hasText: 'Hello, I need help' }).waitFor();

    // agent typing shows, then goes; the agent's message shows
    await agent.send(sid, 'typ', 'TypingStarted');
    const typing = page.locator('.pz-typing');
    await typing.waitFor({ state: 'visible' });
    await agent.send(sid, 'Sure, what is your order number?');
    await page.locator('.pz-agent .pz-b', { hasText: 'Sure, what is your order number?' }).waitFor();
    await typing.waitFor({ state: 'hidden' });
    await page.waitForTimeout(700);
    expect(await page.locator('.pz-me .pz-b', { hasText: 'Hello, I need help' }).count()).toBe(1);

    // a reload restores the chat from the cookie: the transcript once, then it goes on
    await page.reload();
    await page.locator('.pz-win').waitFor({ state: 'visible' });
    await page.locator('.pz-agent .pz-b', { hasText: 'Sure, what is your order number?' }).waitFor();
    expect(await sessionIdOf(page, f.idOf)).toBe(id);
    await agent.send(sid, 'after the reload');
    await page.locator('.pz-agent .pz-b', { hasText: 'after the reload' }).waitFor();
    await page.locator('.pz-ft textarea').fill('Order 42');
    await page.locator('.pz-ft textarea').press('Enter');
    await agent.waitForMessage(sid, (m) => m.type === 'Text' && m.text === 'Order 42');
    await page.locator('.pz-me .pz-b', { hasText: 'Order 42' }).waitFor();
    await page.waitForTimeout(700);
    const texts = await page.locator('.pz-b').allTextContents();
    for (const t of ['Hello, I need help', 'Sure, what is your order number?', 'after the reload', 'Order 42']) expect(texts.filter((x) => x === t)).toHaveLength(1);
    expect(await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).count()).toBe(1);

    // the customer closes: confirm, the transport's leave request, the session ends
    const leave = page.waitForRequest((r) => f.leave(r.method(), r.url(), id));
    await page.getByRole('button', { name: 'Close chat' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await leave;
    await page.locator('.pz-win').waitFor({ state: 'hidden' });
    await until(async () => (await agent.session(sid)).session.state === 'Ended', 'the session to end');
    expect(w.errors).toEqual([]);
    await ctx.close();
  });

  // The server carries InteractionStateChange on GMS (type System) and guest chat (notice with event/data).
  it("seed 000's page code, unchanged: the agent marking a synchronous chat done ends it", async () => {
    const url = s.page('transport-seed000', genesysPage(s, f.webchat(s), SEED_000));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    await page.goto(url);
    const id = await startThroughForm(page, f);
    const agent = await new Agent(s.url).login();
    const { id: interaction, sessionId: sid } = await agent.acceptNext(id);
    await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).waitFor();

    await markDoneAndWaitForEnd(page, agent, interaction, sid, (r) => f.leave(r.method(), r.url(), id));
    expect(await page.locator('.pz-inj').count()).toBe(0);
    expect(w.errors).toEqual([]);
    await ctx.close();
  });
});

describe('lazy-loading page (cxbus.min.js, then widgets-core from pluginsPath)', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => ({ s, browser } = await openServerAndBrowser()));
  afterAll(() => closeServerAndBrowser(s, browser));

  it('finds dist/transports/ next to the plugin files', async () => {
    const f = FLAVOURS[0]!;
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lazy</title>
<link rel="stylesheet" href="/widgets/widgets.min.css"></head><body><main><h1>Lazy page</h1></main>
<script>window._genesys = { widgets: ${JSON.stringify({ main: { theme: 'light' }, webchat: f.webchat(s) })} };</script>
<script src="/widgets/cxbus.min.js" onload="CXBus.configure({debug: false, pluginsPath: '/widgets/plugins/'}); CXBus.loadPlugin('widgets-core');"></script>
</body></html>`;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    const loaded: string[] = [];
    page.on('request', (r) => loaded.push(new URL(r.url()).pathname));
    await page.goto(s.page('transport-lazy', html));
    const id = await startThroughForm(page, f);
    expect(loaded).toContain('/widgets/plugins/widgets-core.min.js');
    expect(loaded).toContain('/widgets/transports/purecloud-v2-sockets.min.js');
    const agent = await new Agent(s.url).login();
    const { sessionId: sid } = await agent.acceptNext(id);
    await agent.send(sid, 'hello from the lazy page');
    await page.locator('.pz-agent .pz-b', { hasText: 'hello from the lazy page' }).waitFor();
    await page.evaluate(() => (window as any).CXBus.command('WebChatService.endChat'));
    await until(async () => (await agent.session(sid)).session.state === 'Ended', 'the session to end');
    expect(w.errors).toEqual([]);
    await ctx.close();
  });
});
