/**
 * Issue 12: Parley's SDK on each transport with seed 003's configuration and seed 000's snippet
 * (unchanged). The deployment decides whether the chat is asynchronous, per chat endpoint (v3
 * `data[endpoint]`, the GMS service name, the guest chat target queue); the page only keeps
 * `transport.async` (its session storage, and what the snippet reads).
 * - synchronous deployment: the agent marking the interaction done ends the chat;
 * - asynchronous deployment: the snippet injects its notice, the customer writes again, a new
 *   interaction is offered to the same agent (sticky, though another agent is idle longer) and the
 *   conversation goes on in the same session; a reload restores it without duplicates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Agent, AGENT, API_KEY, closeServerAndBrowser, markDoneAndWaitForEnd, openServerAndBrowser, SEED_000, sessionIdOf, startChatThroughForm, type TestServer, until, watch } from './helpers.js';

const NOTICE = 'Thank you for your query. Please do not respond to this automated message if you do not have additional questions.';
const USER_DATA = { customerId: '59606', phoneNumber: '1-916-892-2045 x293' };

interface Flavour {
  name: string;
  /** `_genesys.widgets.webchat` as the Genesys page has it (no async there: see asyncStorage). */
  webchat(s: TestServer): Record<string, unknown>;
  /** The chat endpoint name the deployment decides by. */
  endpoint: string;
  idOf(data: Record<string, string>): string | undefined;
  leave(method: string, url: string, id: string): boolean;
}

const FLAVOURS: Flavour[] = [
  {
    name: 'pureengage-v3-rest',
    webchat: (s) => ({ transport: { type: 'pureengage-v3-rest', dataURL: s.dataURL, headers: { 'x-api-key': API_KEY } }, userData: USER_DATA }),
    endpoint: 'default', // the client's data[endpoint] when the page names none
    idOf: (d) => d.sessionId,
    leave: (method, url, id) => method === 'DELETE' && url.includes(`/${id}/participants/`),
  },
  {
    name: 'GMS chat v2 (webchat.dataURL)',
    webchat: (s) => ({ dataURL: `${s.url}/genesys/2/chat/Support`, apikey: API_KEY, cometD: { enabled: false }, transport: {}, userData: USER_DATA }),
    endpoint: 'Support',
    idOf: (d) => d.sessionID,
    leave: (method, url, id) => method === 'POST' && url.endsWith(`/genesys/2/chat/Support/${id}/disconnect`),
  },
  {
    name: 'purecloud-v2-sockets (seed 003 configuration)',
    webchat: (s) => ({
      transport: {
        type: 'purecloud-v2-sockets',
        dataURL: s.url,
        deploymentKey: 'demo',
        orgGuid: 'parley-demo-org',
        interactionData: { routing: { targetType: 'QUEUE', targetAddress: 'Support', priority: 2 } },
      },
      userData: USER_DATA,
    }),
    endpoint: 'Support',
    idOf: (d) => d.conversationId,
    leave: (method, url, id) => method === 'DELETE' && url.includes(`/api/v2/webchat/guest/conversations/${id}/members/`),
  },
];

/** What a Genesys async site adds to its transport configuration: async on, the session kept in localStorage. */
const asyncStorage = `
window._genesys.widgets.webchat.transport.async = {
  enabled: true,
  getSessionData: function (data) { localStorage.setItem('chat-session', JSON.stringify(data)); },
  setSessionData: function () { var v = localStorage.getItem('chat-session'); return v ? JSON.parse(v) : null; },
  deleteSessionData: function () { localStorage.removeItem('chat-session'); }
};`;

function genesysPage(webchat: Record<string, unknown>, asyncOn: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley e2e: async by deployment</title>
<link rel="stylesheet" href="/widgets/widgets.min.css"></head>
<body><main><h1>A Genesys Widgets page</h1></main>
<script>window._genesys = { widgets: ${JSON.stringify({ main: { theme: 'light', lang: 'en' }, webchat })} };${asyncOn ? asyncStorage : ''}</script>
<script src="/widgets/widgets.min.js"></script>
<script>
${SEED_000}
</script>
</body></html>`;
}

const startThroughForm = (page: Page, f: Flavour) => startChatThroughForm(page, { firstname: 'Jonny', lastname: 'Smith', email: 'jonny@example.com', subject: 'product questions' }, f.idOf);

/** The agent API calls the shared Agent helper does not have. */
async function staffCall(s: TestServer, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

async function setAsyncPolicy(s: TestServer, admin: Agent, policy: Record<string, unknown>): Promise<void> {
  const { deployments } = await staffCall(s, admin.token, 'GET', '/admin/v1/deployments');
  const demo = (deployments as any[]).find((d) => d.id === 'demo');
  await staffCall(s, admin.token, 'PUT', '/admin/v1/deployments/demo', {
    name: demo.name,
    allowedOrigins: demo.allowedOrigins,
    defaultQueue: demo.defaultQueue,
    settings: demo.settings,
    asyncPolicy: { mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: 'Thank you.', ...policy },
  });
}

async function talk(page: Page, agent: Agent, sid: string, mine: string, theirs: string): Promise<void> {
  const ta = page.locator('.pz-ft textarea');
  await ta.fill(mine);
  await ta.press('Enter');
  await agent.waitForMessage(sid, (m) => m.type === 'Text' && m.from.type === 'Customer' && m.text === mine);
  await agent.send(sid, theirs);
  await page.locator('.pz-agent .pz-b', { hasText: theirs }).waitFor();
}

describe.each(FLAVOURS)('$name: seed 000 with async decided by the deployment', (f) => {
  let s: TestServer;
  let browser: Browser;
  let admin: Agent;
  beforeAll(async () => {
    ({ s, browser } = await openServerAndBrowser());
    admin = new Agent(s.url);
    admin.token = (await staffCall(s, '', 'POST', '/agent/v1/login', { username: 'admin', password: AGENT.password })).token;
  });
  afterAll(() => closeServerAndBrowser(s, browser));

  it('synchronous deployment: open, agent joins, both talk, agent marks done -> the chat ends', async () => {
    await setAsyncPolicy(s, admin, { mode: 'sync' });
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    await page.goto(s.page(`sync-${f.endpoint}-${f.name.length}`, genesysPage(f.webchat(s), false)));
    const id = await startThroughForm(page, f);
    const agent = await new Agent(s.url).login();
    const { id: interaction, sessionId: sid } = await agent.acceptNext(id);
    expect((await agent.session(sid)).session.async).toBe(false);
    await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).waitFor();
    await talk(page, agent, sid, 'Hello, I need help', 'Sure, what is your order number?');

    await markDoneAndWaitForEnd(page, agent, interaction, sid, (r) => f.leave(r.method(), r.url(), id));
    expect(await page.locator('.pz-inj').count()).toBe(0);
    expect(w.errors).toEqual([]);
    await ctx.close();
  });

  it('asynchronous deployment: the notice, the customer writes again, a new interaction offered to the same agent, same session; a reload restores it once', async () => {
    // The deployment's default stays synchronous: only this transport's endpoint is asynchronous.
    await setAsyncPolicy(s, admin, { mode: 'sync', endpoints: { [f.endpoint]: 'async' } });
    const agent = await new Agent(s.url).login();
    const other = new Agent(s.url);
    other.token = (await staffCall(s, '', 'POST', '/agent/v1/login', { username: 'agent2', password: AGENT.password })).token;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const w = watch(page);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()} ${r.postData() ?? ''}`));
    try {
      await page.goto(s.page(`async-${f.endpoint}-${f.name.length}`, genesysPage(f.webchat(s), true)));
      const id = await startThroughForm(page, f);
      const { id: first, sessionId: sid } = await agent.acceptNext(id);
      expect((await agent.session(sid)).session.async).toBe(true);
      await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).waitFor();
      await talk(page, agent, sid, 'Hello, I need help', 'Sure, what is your order number?');

      // Both agents Ready, the other one idle longer: without the sticky rule it would get the next offer.
      await staffCall(s, other.token, 'PUT', '/agent/v1/me/presence', { presence: 'Ready' });
      await new Promise((r) => setTimeout(r, 50));
      await staffCall(s, agent.token, 'PUT', '/agent/v1/me/presence', { presence: 'Ready' });

      await agent.done(first);
      const notice = page.locator('.pz-inj', { hasText: NOTICE });
      await notice.waitFor();
      await expect(page.locator('.pz-ft textarea').isEnabled()).resolves.toBe(true);
      expect(requests.some((r) => f.leave(r.split(' ')[0]!, r.split(' ')[1]!, id))).toBe(false);

      // "thank you" while the agent is still wrapping up: a new interaction, offered to the same agent.
      await page.locator('.pz-ft textarea').fill('Thank you! One more question though');
      await page.locator('.pz-ft textarea').press('Enter');
      const me = (await staffCall(s, agent.token, 'GET', '/agent/v1/me')).account.id;
      const offered = await until(async () => {
        const { interactions } = await staffCall(s, agent.token, 'GET', '/agent/v1/interactions?mine=true');
        return (interactions as any[]).find((i) => i.sessionId === sid && i.state === 'Offered' && i.id !== first);
      }, 'the new interaction to be offered to the same agent');
      expect(offered.agentAccountId).toBe(me);
      const { interactions: others } = await staffCall(s, other.token, 'GET', '/agent/v1/interactions?mine=true');
      expect((others as any[]).some((i) => i.sessionId === sid)).toBe(false);
      expect((await agent.session(sid)).interactions.find((i) => i.id === first)?.state).toBe('Finalizing');

      // The agent takes the new interaction, then completes the old one's wrap-up: they stay connected.
      await staffCall(s, agent.token, 'POST', `/agent/v1/interactions/${offered.id}/accept`);
      await agent.complete(first);
      await agent.waitForMessage(sid, (m) => m.type === 'Text' && m.text === 'Thank you! One more question though');
      await agent.send(sid, 'Welcome back, go ahead.');
      await page.locator('.pz-agent .pz-b', { hasText: 'Welcome back, go ahead.' }).waitFor();
      expect(await sessionIdOf(page, f.idOf)).toBe(id);
      await talk(page, agent, sid, 'Can I change the address?', 'Yes, done.');
      expect(await notice.count()).toBe(1);
      expect(await page.locator('.pz-sys', { hasText: 'Demo Agent connected' }).count()).toBe(1);

      // A reload restores the async chat (setSessionData): everything once, then it goes on.
      await page.reload();
      await page.locator('.pz-win').waitFor({ state: 'visible' });
      await page.locator('.pz-agent .pz-b', { hasText: 'Yes, done.' }).waitFor();
      expect(await sessionIdOf(page, f.idOf)).toBe(id);
      await agent.send(sid, 'after the reload');
      await page.locator('.pz-agent .pz-b', { hasText: 'after the reload' }).waitFor();
      await talk(page, agent, sid, 'Thanks again', 'You are welcome.');
      await page.waitForTimeout(700);
      const texts = await page.locator('.pz-b').allTextContents();
      for (const t of [
        'Hello, I need help',
        'Sure, what is your order number?',
        'Thank you! One more question though',
        'Welcome back, go ahead.',
        'Can I change the address?',
        'Yes, done.',
        'after the reload',
        'Thanks again',
        'You are welcome.',
      ]) {
        expect(
          texts.filter((x) => x === t),
          t,
        ).toHaveLength(1);
      }
      expect((await agent.session(sid)).session.state).toBe('Active');
      expect(await page.locator('.pz-sys', { hasText: 'Chat ended' }).count()).toBe(0);
      expect(w.errors).toEqual([]);
    } finally {
      for (const a of [agent, other]) await staffCall(s, a.token, 'PUT', '/agent/v1/me/presence', { presence: 'NotReady' }).catch(() => undefined);
      await ctx.close();
    }
  });
});
