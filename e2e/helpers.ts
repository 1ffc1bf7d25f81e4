/**
 * Shared helpers of the browser tests: an in-process Parley server (demo deployment), test pages
 * served from its origin, Debian's Chromium through playwright-core, and an agent driven through
 * the agent REST API.
 */
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildParley, type Parley } from '../packages/server/src/app.js';
import { testConfig } from '../packages/server/src/config.js';

export const API_KEY = 'test-key-1234';
export const AGENT = { username: 'agent', password: 'agent-pass-1' };
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
export const SEED_000 = readFileSync(new URL('../packages/widgets/demo/seed-000.js', import.meta.url), 'utf8');

export function widgetsBuilt(): boolean {
  return existsSync(`${root}packages/widgets/dist/widgets.min.js`) && existsSync(`${root}packages/widgets/dist/widgets.min.css`);
}

export interface TestServer {
  parley: Parley;
  url: string;
  dataURL: string;
  /** Serves `html` at `${url}/e2e/${name}`. */
  page(name: string, html: string): string;
  close(): Promise<void>;
}

/**
 * Serves test pages at /e2e/{name} as a customer's own site would (its own inline page code, so
 * without Parley's CSP); returns the map to put pages in.
 */
export function serveCustomerPages(parley: Parley): Map<string, string> {
  const pages = new Map<string, string>();
  parley.app.get('/e2e/:name', async (req, reply) => {
    const html = pages.get((req.params as { name: string }).name);
    if (!html) return reply.code(404).send('no such test page');
    reply.removeHeader('content-security-policy');
    return reply.type('text/html; charset=utf-8').send(html);
  });
  return pages;
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  if (!widgetsBuilt()) throw new Error('build the widgets first: npm run build -w @parley/widgets');
  const parley = await buildParley(
    testConfig({ PARLEY_DEMO: 'true', PARLEY_DEMO_API_KEY: API_KEY, PARLEY_DEMO_AGENT_USER: AGENT.username, PARLEY_DEMO_AGENT_PASSWORD: AGENT.password, LONG_POLL_MS: '2000', ...env }),
  );
  const pages = serveCustomerPages(parley);
  await parley.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = parley.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  const url = `http://127.0.0.1:${addr.port}`;
  const dataURL = '/nexus/v3/chat/sessions';
  return {
    parley,
    url,
    dataURL,
    page(name, html) {
      pages.set(name, html);
      return `${url}/e2e/${name}`;
    },
    close: () => parley.close(),
  };
}

export interface PageOptions {
  main?: Record<string, unknown>;
  webchat?: Record<string, unknown>;
  transport?: Record<string, unknown>;
  /** Page code run after widgets.min.js loaded (e.g. seed 000's snippet, unchanged). */
  script?: string;
  title?: string;
}

/** A customer page in the style of a Genesys Widgets site. */
export function customerPage(s: TestServer, o: PageOptions = {}): string {
  const widgets = {
    main: { theme: 'light', lang: 'en', ...o.main },
    webchat: {
      transport: { type: 'pureengage-v3-rest', dataURL: s.dataURL, headers: { 'x-api-key': API_KEY }, ...o.transport },
      chatButton: { enabled: true, openDelay: 0 },
      ...o.webchat,
    },
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title ?? 'Parley e2e'}</title>
<link rel="stylesheet" href="/widgets/widgets.min.css"></head>
<body><main><h1>${o.title ?? 'Parley e2e'}</h1><p>A customer page.</p></main>
<script>window._genesys = { widgets: ${JSON.stringify(widgets)} };</script>
<script src="/widgets/widgets.min.js"></script>
${o.script ? `<script>\n${o.script}\n</script>` : ''}
</body></html>`;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** A server and a browser for the tests of one describe block. */
export async function openServerAndBrowser(env: Record<string, string> = {}): Promise<{ s: TestServer; browser: Browser }> {
  const s = await startServer(env);
  return { s, browser: await launch() };
}

export async function closeServerAndBrowser(s: { close(): Promise<void> } | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await s?.close();
}

/** Collects page errors so a test can assert that nothing threw (and no alert ran). */
export function watch(page: Page): { errors: string[]; dialogs: string[] } {
  const out = { errors: [] as string[], dialogs: [] as string[] };
  page.on('pageerror', (e) => out.errors.push(String(e)));
  page.on('dialog', (d) => {
    out.dialogs.push(d.message());
    void d.dismiss();
  });
  return out;
}

export interface AgentMessage {
  id: string;
  index: string;
  type: string;
  text?: string;
  from: { type: string; participantId: string; nickname?: string };
  content?: { url?: string; mime?: string; name?: string }[];
  event?: string;
  data?: Record<string, unknown>;
}

/** The demo agent, through the agent REST API. */
export class Agent {
  token = '';
  constructor(private base: string) {}

  private async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async login(): Promise<this> {
    this.token = (await this.call<{ token: string }>('POST', '/agent/v1/login', AGENT)).token;
    return this;
  }

  /** Waits for the session's queued interaction (or any, without a session id), accepts it; returns its ids. */
  async acceptNext(sessionId?: string, timeoutMs = 15_000): Promise<{ id: string; sessionId: string }> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { interactions } = await this.call<{ interactions: { id: string; sessionId: string }[] }>('GET', '/agent/v1/interactions?state=Queued');
      const it = interactions.find((i) => !sessionId || i.sessionId === sessionId);
      if (it) {
        await this.call('POST', `/agent/v1/interactions/${it.id}/accept`);
        return { id: it.id, sessionId: it.sessionId };
      }
      if (Date.now() > until) throw new Error(`no queued interaction for ${sessionId}; queued: ${JSON.stringify(interactions.map((i) => i.sessionId))}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  send(sessionId: string, text: string, type: 'Text' | 'TypingStarted' | 'TypingStopped' = 'Text') {
    return this.call('POST', `/agent/v1/sessions/${sessionId}/messages`, { type, text, visibility: 'All' });
  }

  pushUrl(sessionId: string, url: string, text: string) {
    return this.call('POST', `/agent/v1/sessions/${sessionId}/messages`, { type: 'PushUrl', url, text, visibility: 'All' });
  }

  messages(sessionId: string, after?: string, wait = 0) {
    const q = new URLSearchParams();
    if (after) q.set('after', after);
    if (wait) q.set('wait', String(wait));
    return this.call<{ messages: AgentMessage[]; lastIndex: string | null; sessionEnded: boolean }>('GET', `/agent/v1/sessions/${sessionId}/messages?${q}`);
  }

  /** Polls the session's messages until `pred` matches one. */
  async waitForMessage(sessionId: string, pred: (m: AgentMessage) => boolean, timeoutMs = 10_000): Promise<AgentMessage> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { messages } = await this.messages(sessionId);
      const hit = messages.find(pred);
      if (hit) return hit;
      if (Date.now() > until) throw new Error(`no matching message; got ${JSON.stringify(messages.map((m) => [m.type, m.from.type, m.text]))}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  session(sessionId: string) {
    return this.call<{ session: { state: string; async?: boolean }; interactions: { id: string; state: string }[] }>('GET', `/agent/v1/sessions/${sessionId}`);
  }

  done(interactionId: string) {
    return this.call('POST', `/agent/v1/interactions/${interactionId}/done`);
  }

  complete(interactionId: string, wrapUpCode = 'resolved') {
    return this.call('POST', `/agent/v1/interactions/${interactionId}/complete`, { wrapUpCode });
  }
}

/** Polls `fn` until it returns a truthy value. */
export async function until<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Where a transport's WebChatService.getSessionData keeps the session id (v3 `sessionId`, GMS `sessionID`, guest chat `conversationId`). */
export type SessionIdOf = (data: Record<string, string>) => string | undefined;

/** The page's chat session id, from WebChatService.getSessionData. */
export async function sessionIdOf(page: Page, idOf: SessionIdOf = (d) => d.sessionId): Promise<string> {
  const data = (await page.evaluate(() => (window as any).CXBus.command('WebChatService.getSessionData'))) as Record<string, string>;
  const id = idOf(data ?? {});
  if (!id) throw new Error('the page has no chat session: ' + JSON.stringify(data));
  return id;
}

/** Opens the widget, submits the registration form, waits for the start; returns the session id. */
export async function startChatThroughForm(page: Page, who = { firstname: 'Jonny', lastname: 'Smith', email: 'jonny@example.com', subject: 'Order 42' }, idOf?: SessionIdOf): Promise<string> {
  await page.locator('.pz-cb').click();
  const win = page.locator('.pz-win');
  await win.getByLabel('First name').fill(who.firstname);
  await win.getByLabel('Last name').fill(who.lastname);
  await win.getByLabel('Email').fill(who.email);
  await win.getByLabel('Subject').fill(who.subject);
  await win.getByRole('button', { name: 'Start chat' }).click();
  await win.locator('.pz-sys', { hasText: 'Chat started' }).waitFor();
  return sessionIdOf(page, idOf);
}

/**
 * The agent marks a synchronous chat done; waits for what ends it: the transport's leave request
 * (`isLeave`), "Chat ended" on the page and the session Ended on the server.
 */
export async function markDoneAndWaitForEnd(page: Page, agent: Agent, interactionId: string, sessionId: string, isLeave: (r: Request) => boolean): Promise<void> {
  const leave = page.waitForRequest(isLeave, { timeout: 10_000 });
  await agent.done(interactionId);
  await leave;
  await page.locator('.pz-sys', { hasText: 'Chat ended' }).waitFor();
  await until(async () => (await agent.session(sessionId)).session.state === 'Ended', 'the session to end on the server');
}

const WIDGET_SHOTS = fileURLToPath(new URL('../packages/widgets/screenshots/', import.meta.url));

/**
 * A screenshot for packages/widgets/README-ui.md: the widget's window, or the whole page (`whole`, for
 * mobile). Always taken (it must not be empty); written to packages/widgets/screenshots/<name>.png
 * only with UPDATE_SCREENSHOTS=1, so a test run leaves the tree as it was.
 */
export async function widgetShot(page: Page, name: string, whole = false): Promise<void> {
  const path = process.env.UPDATE_SCREENSHOTS === '1' ? `${WIDGET_SHOTS}${name}.png` : undefined;
  if (path) mkdirSync(WIDGET_SHOTS, { recursive: true });
  await page.evaluate(() => document.fonts?.ready);
  const png = whole ? await page.screenshot({ path }) : await page.locator('.pz-win').screenshot({ path });
  if (png.length < 1000) throw new Error(`screenshot ${name} is empty`);
}
