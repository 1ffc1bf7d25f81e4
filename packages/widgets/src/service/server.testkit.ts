/**
 * Test kit for WebChatService tests: a real in-process Parley server, a fresh bus + service per
 * "page load", and an agent driving the other side through the agent API.
 *
 * The tests run in vitest's node environment (the server must keep Node's own AbortController,
 * fetch and timers); the page gets just `document`, `location` and `navigator` from a happy-dom
 * window on the server's origin, so cookies work as in a browser.
 */
import { Window } from 'happy-dom';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildParley, type Parley } from '../../../server/src/app.js';
import { testConfig } from '../../../server/src/config.js';
import type { Clock } from '../../../server/src/ports/clock.js';
import { createBus, type BusEvent, type CXBusApi, type Plugin } from '../bus/cxbus.js';
import { EVENTS, registerWebChatService } from './webchat-service.js';

export const API_KEY = 'test-key-1234';

const win = new Window({ url: 'http://127.0.0.1/' });
Object.assign(globalThis, { window: globalThis, document: win.document, location: win.location, navigator: win.navigator });

/** Moves the page (document.cookie, location) onto a server's origin. */
export function setPageUrl(url: string): void {
  win.happyDOM.setURL(url);
  Object.assign(globalThis, { document: win.document, location: win.location });
}

export interface TestServer {
  parley: Parley;
  url: string;
  close(): Promise<void>;
}

/** `clock`: the server's time (a test moves it forward to let sessions expire). */
export async function startServer(env: Record<string, string> = {}, clock?: Clock): Promise<TestServer> {
  const parley = await buildParley(
    testConfig({
      PARLEY_DEMO: 'true',
      PARLEY_DEMO_API_KEY: API_KEY,
      PARLEY_DEMO_AGENT_USER: 'agent',
      PARLEY_DEMO_AGENT_PASSWORD: 'agent-pass-1',
      PARLEY_DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-widgets-')),
      LONG_POLL_MS: '1000',
      // no demo bot: chats go straight to the queue, where the test agent takes them
      PARLEY_DEMO_BOT: 'false',
      ...env,
    }),
    clock ? { clock } : {},
  );
  await parley.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = parley.app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  setPageUrl(url + '/page.html');
  return { parley, url, close: () => parley.close() };
}

export function clearCookies(): void {
  for (const c of document.cookie.split('; ')) {
    const name = c.split('=')[0];
    if (name) document.cookie = `${name}=; path=/; max-age=0`;
  }
}

/** One "page": a bus, WebChatService on it, a caller plugin, and a log of every WebChatService event. */
export interface Page {
  bus: CXBusApi;
  svc: Plugin;
  me: Plugin;
  events: BusEvent[];
  cmd<T = any>(name: string, options?: unknown): Promise<T>;
  next(event: string, pred?: (e: BusEvent) => boolean, timeoutMs?: number): Promise<BusEvent>;
  named(event: string): BusEvent[];
  unload(): void;
}

export { EVENTS };

export function openPage(config: Record<string, any>): Page {
  const bus = createBus();
  const events: BusEvent[] = [];
  const waiters: { event: string; pred?: (e: BusEvent) => boolean; done: (e: BusEvent) => void }[] = [];
  for (const ev of EVENTS)
    bus.subscribe('WebChatService.' + ev, (e) => {
      events.push(e);
      for (const w of waiters.slice())
        if (w.event === ev && (!w.pred || w.pred(e))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.done(e);
        }
    });
  const svc = registerWebChatService(bus, config) as Plugin;
  const me = bus.registerPlugin('TestPage') as Plugin;
  const named = (ev: string) => events.filter((e) => e.event === 'WebChatService.' + ev);
  return {
    bus,
    svc,
    me,
    events,
    named,
    cmd: (name, options) => me.command(name, options) as any,
    next(event, pred, timeoutMs = 8000) {
      const have = named(event).find((e) => !pred || pred(e));
      if (have && !pred) return Promise.resolve(have);
      if (have) return Promise.resolve(have);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for WebChatService.${event}`)), timeoutMs);
        waiters.push({ event, pred, done: (e) => (clearTimeout(t), resolve(e)) });
      });
    },
    unload() {
      // a page going away: its polling stops (requests in flight are cancelled)
      svc.command('WebChatService.stopPoll').fail(() => undefined);
    },
  };
}

export function v3Config(url: string, extra: Record<string, any> = {}): Record<string, any> {
  const { transport, ...rest } = extra;
  return { ...rest, transport: { type: 'pureengage-v3-rest', dataURL: url + '/nexus/v3/chat/sessions', headers: { 'x-api-key': API_KEY }, pollTimeout: 100, ...transport } };
}

/** The agent side, through the agent API. */
export class TestAgent {
  token = '';
  constructor(readonly base: string) {}

  async call(method: string, path: string, json?: unknown): Promise<any> {
    const res = await fetch(`${this.base}/agent/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  async login(): Promise<this> {
    this.token = (await this.call('POST', '/login', { username: 'agent', password: 'agent-pass-1' })).token;
    return this;
  }

  async accept(sessionId: string): Promise<any> {
    let i: any;
    for (let tries = 0; !i && tries < 20; tries++) {
      // queued ones are listed for everyone; an offer only for the agent it is offered to
      for (const state of ['Queued', 'Offered']) i ??= (await this.call('GET', `/interactions?state=${state}`)).interactions.find((x: any) => x.sessionId === sessionId);
      if (!i) await new Promise((r) => setTimeout(r, 50));
    }
    if (!i) throw new Error('no waiting interaction for session ' + sessionId);
    return (await this.call('POST', `/interactions/${i.id}/accept`, {})).interaction;
  }

  async interaction(sessionId: string): Promise<any> {
    const { interactions } = await this.call('GET', '/interactions?mine=true');
    return interactions.find((x: any) => x.sessionId === sessionId);
  }

  say(sessionId: string, text: string, type = 'Text'): Promise<any> {
    return this.call('POST', `/sessions/${sessionId}/messages`, { type, text });
  }
}

export const PNG = Uint8Array.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000200a2d5d6bd0000000049454e44ae426082'.match(/../g)!.map((h) => parseInt(h, 16)),
);
