/**
 * Helpers of the desktop browser tests: an in-process Parley (demo deployment: agents `agent`,
 * `agent2`, `supervisor`, `admin`, all with the same password), Chromium, the desktop page, and a
 * customer driven through the consumer v3 API over HTTP.
 */
import type { Browser, Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildParley, type Parley } from '../packages/server/src/app.js';
import { testConfig } from '../packages/server/src/config.js';
import { launch } from './helpers.js';

export const API_KEY = 'test-key-1234';
export const PASSWORD = 'agent-pass-1';
const root = fileURLToPath(new URL('..', import.meta.url));

export function desktopBuilt(): boolean {
  return existsSync(`${root}packages/desktop/dist/index.html`) && existsSync(`${root}packages/desktop/dist/app.js`);
}

export interface DesktopServer {
  parley: Parley;
  url: string;
  close(): Promise<void>;
}

export async function startDesktopServer(env: Record<string, string> = {}): Promise<DesktopServer> {
  if (!desktopBuilt()) throw new Error('build the desktop first: npm run build -w @parley/desktop');
  const parley = await buildParley(
    testConfig({ PARLEY_DEMO: 'true', PARLEY_DEMO_API_KEY: API_KEY, PARLEY_DEMO_AGENT_USER: 'agent', PARLEY_DEMO_AGENT_PASSWORD: PASSWORD, LONG_POLL_MS: '2000', ...env }),
  );
  await parley.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = parley.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return { parley, url: `http://127.0.0.1:${addr.port}`, close: () => parley.close() };
}

/** The widget tests' browser launch, teardown and page watcher, under the names these tests use. */
export { closeServerAndBrowser as closeDesktopAndBrowser, launch as launchBrowser, until as eventually, watch as watchPage } from './helpers.js';

/** A desktop server and a browser for the tests of one file. */
export async function openDesktopAndBrowser(env: Record<string, string> = {}): Promise<{ server: DesktopServer; browser: Browser }> {
  const server = await startDesktopServer(env);
  return { server, browser: await launch() };
}

/** Opens the desktop and signs in. */
export async function signIn(page: Page, url: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${url}/desktop/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function setReady(page: Page): Promise<void> {
  await page.getByLabel('Presence', { exact: true }).selectOption('Ready');
  await page.locator('.presence-Ready').waitFor();
}

export interface CustomerMessage {
  id: string;
  index: string;
  type: string;
  text?: string;
  url?: string;
  visibility?: string;
  from: { type: string; participantId: string; nickname?: string };
}

/** A customer over the consumer v3 REST API (form bodies, x-api-key, x-nexus-client-key). */
export class Customer {
  sessionId = '';
  participantId = '';
  private clientToken = '';
  private after: string | null = null;
  readonly received: CustomerMessage[] = [];

  constructor(private readonly base: string) {}

  private async call<T = any>(method: string, path: string, form?: Record<string, string>): Promise<T> {
    const headers: Record<string, string> = { 'x-api-key': API_KEY };
    if (this.clientToken) headers['x-nexus-client-key'] = this.clientToken;
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(`${this.base}/nexus/v3/chat/sessions${path}`, { method, headers, body: form ? new URLSearchParams(form).toString() : undefined });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async start(data: Record<string, string> = {}, userData: Record<string, string> = {}): Promise<this> {
    const form: Record<string, string> = { 'data[async]': data.async ?? 'false' };
    delete data.async;
    for (const [k, v] of Object.entries({ firstName: 'Jonny', lastName: 'Smith', email: 'jonny@example.com', subject: 'Order 42', ...data })) form[`data[${k}]`] = v;
    for (const [k, v] of Object.entries(userData)) form[`data[userData][${k}]`] = v;
    const res = await this.call<{ data: { clientToken: string } }>('POST', '', form);
    this.clientToken = res.data.clientToken;
    const claims = JSON.parse(Buffer.from(this.clientToken.split('.')[1]!, 'base64url').toString());
    this.sessionId = claims.sessionId;
    this.participantId = claims.participantId;
    return this;
  }

  send(text: string, type: 'Text' | 'TypingStarted' | 'TypingStopped' = 'Text'): Promise<unknown> {
    return this.call('POST', `/${this.sessionId}/messages`, type === 'Text' ? { 'data[type]': type, 'data[text]': text } : { 'data[type]': type });
  }

  /** The customer leaves: the session ends. */
  leave(): Promise<unknown> {
    return this.call('DELETE', `/${this.sessionId}/participants/${this.participantId}`);
  }

  /** Reads what is new for the customer (no long poll) and keeps it in `received`. */
  async poll(): Promise<CustomerMessage[]> {
    const res = await this.call<{ data: { messages?: CustomerMessage[] } | CustomerMessage[] }>('GET', `/${this.sessionId}/messages`);
    const list = Array.isArray(res.data) ? res.data : (res.data?.messages ?? []);
    for (const m of list) if (!this.received.some((r) => r.id === m.id)) this.received.push(m);
    if (list.length) this.after = list[list.length - 1]!.index;
    return list;
  }

  /** Polls until a received message matches. */
  async waitFor(pred: (m: CustomerMessage) => boolean, what: string, timeoutMs = 10_000): Promise<CustomerMessage> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      await this.poll();
      const hit = this.received.find(pred);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`customer never got ${what}; got ${JSON.stringify(this.received.map((m) => [m.type, m.from?.type, m.text, m.visibility]))}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations on the page (the page's context must bypass CSP: axe is injected inline). */
export async function axe(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const all = await page.evaluate(async () => {
    const r = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
  });
  return all.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical');
}
