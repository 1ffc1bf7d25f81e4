import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client.js';
import type { AgentMessage, AgentServerFrame, ListedInteraction, SessionSummary } from '@parley/protocol';
import type { SocketLike } from '../realtime/connection.js';
import { Desktop, TOKEN_KEY } from './desktop.js';

const ME = { id: 'me', username: 'agent', displayName: 'Demo Agent', role: 'agent' as const };
const T0 = '2026-01-01T00:00:00.000Z';
const inter = (id: string, state: ListedInteraction['state'], over: Partial<ListedInteraction> = {}): ListedInteraction => ({
  id,
  sessionId: `s-${id}`,
  deploymentId: 'demo',
  state,
  queue: 'Support',
  priority: 0,
  agentAccountId: 'me',
  wrapUpCode: null,
  createdAt: T0,
  updatedAt: T0,
  completedAt: null,
  queuedAt: T0,
  handledAt: null,
  offerExpiresAt: null,
  skills: [],
  language: null,
  customer: { nickname: 'Jonny' },
  ...over,
});
const text = (id: string, index: string, from = 'cust'): AgentMessage => ({
  id,
  index,
  utcTime: new Date().toISOString(),
  visibility: 'All',
  type: 'Text',
  from: { participantId: from, type: from === 'cust' ? 'Customer' : 'Agent', nickname: 'Jonny' },
  text: id,
});

class Socket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  sent: any[] = [];
  send(d: string) {
    this.sent.push(JSON.parse(d));
  }
  close() {}
  frame(f: AgentServerFrame) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
}

/** A fake server behind fetch: answers by "METHOD path"; a handler may be a deferred promise. */
function harness(routes: Record<string, (body: any) => unknown | Promise<unknown>>) {
  const storage = new Map<string, string>();
  const sockets: Socket[] = [];
  let beeps = 0;
  const fetchFn = async (url: string, init?: RequestInit) => {
    const path = url.replace('/agent/v1', '');
    const key = `${init?.method ?? 'GET'} ${path.split('?')[0]}`;
    const handler = routes[`${init?.method ?? 'GET'} ${path}`] ?? routes[key];
    if (!handler) return new Response(JSON.stringify({ status: { code: 'NOT_FOUND', message: `Route ${key} not found` } }), { status: 404 });
    const out = await handler(init?.body ? JSON.parse(String(init.body)) : undefined);
    if (out instanceof Response) return out;
    return new Response(JSON.stringify(out), { status: 200 });
  };
  const desktop = new Desktop({
    api: new ApiClient({ fetch: fetchFn }),
    storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v), removeItem: (k) => void storage.delete(k) },
    wsUrl: 'ws://test/agent/v1/events',
    createSocket: () => {
      const s = new Socket();
      sockets.push(s);
      return s;
    },
    beep: () => void beeps++,
  });
  return { desktop, storage, sockets, beeps: () => beeps };
}

const flush = () => new Promise((r) => setTimeout(r, 0));
async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
let current: Desktop | null = null;
afterEach(() => {
  current?.logout();
  current = null;
});

const base = {
  'POST /login': () => ({ token: 'tok', expiresAt: T0, account: ME }),
  'GET /me': () => ({ account: ME, profile: { accountId: 'me', presence: 'Ready', reason: null, capacity: 1, skills: {}, languages: [], queues: [] } }),
  'GET /interactions': () => ({ interactions: [] }),
  'GET /sessions': () => ({ sessions: [] }),
};

async function ready(h: ReturnType<typeof harness>) {
  current = h.desktop;
  expect(await h.desktop.login('agent', 'pw')).toBe(true);
  const s = h.sockets[0];
  s.onopen?.({});
  s.frame({ type: 'ready', account: ME });
  return s;
}

describe('Desktop', () => {
  it('single sign-on: offers the button the server names, resumes with the token the return brings, shows its error as text', async () => {
    const h = harness({ ...base, 'GET /sso': () => ({ enabled: true, label: 'Sign in with Example ID' }) });
    expect(h.desktop.acceptSsoReturn('#sso-token=sso-tok')).toBe(true);
    expect(h.storage.get(TOKEN_KEY)).toBe('sso-tok');
    await h.desktop.boot();
    await until(() => h.desktop.state.sso !== null);
    expect(h.desktop.state.sso).toEqual({ label: 'Sign in with Example ID' });
    expect(h.desktop.state.phase).toBe('ready');

    const failed = harness({ ...base, 'GET /sso': () => ({ enabled: false }) });
    expect(failed.desktop.acceptSsoReturn('#sso-error=the%20account%20is%20disabled')).toBe(true);
    expect(failed.storage.get(TOKEN_KEY)).toBeUndefined();
    await failed.desktop.boot();
    expect(failed.desktop.state.phase).toBe('login');
    expect(failed.desktop.state.loginError).toBe('Single sign-on failed: the account is disabled');
    expect(failed.desktop.state.sso).toBeNull();
    expect(failed.desktop.acceptSsoReturn('#conversation-3')).toBe(false);
  });

  it('signs in, keeps the token, alerts each new offer once', async () => {
    const h = harness(base);
    const s = await ready(h);
    expect(h.storage.get(TOKEN_KEY)).toBe('tok');
    expect(h.desktop.state.phase).toBe('ready');
    expect(s.sent[0]).toEqual({ type: 'auth', token: 'tok' });
    s.frame({ type: 'interactions', interactions: [inter('a', 'Offered')] });
    s.frame({ type: 'interactions', interactions: [inter('a', 'Offered')] });
    expect(h.beeps()).toBe(1);
    expect(h.desktop.offers.map((o) => o.id)).toEqual(['a']);
    expect(h.desktop.state.announcement.text).toContain('New chat offer');
    s.frame({ type: 'interactions', interactions: [inter('a', 'Offered'), inter('b', 'Offered')] });
    expect(h.beeps()).toBe(2);
  });

  it('resuming while the server answers 503 keeps the session and retries; it never signs out for a server fault', async () => {
    let unavailable = 2;
    const h = harness({
      ...base,
      'GET /me': () =>
        unavailable-- > 0 ? new Response(JSON.stringify({ status: { code: 'SERVICE_UNAVAILABLE', message: 'retry' } }), { status: 503, headers: { 'retry-after': '2' } }) : base['GET /me'](),
    });
    current = h.desktop;
    h.storage.set(TOKEN_KEY, 'tok');
    // The client's own retries (0.5 s, 1 s) are replaced by quick ones here; the boot loop backs off on top.
    (h.desktop.api as any).retryDelaysMs = [];
    const booting = h.desktop.boot();
    await until(() => h.desktop.state.loginError !== null);
    expect(h.desktop.state.phase).toBe('boot');
    expect(h.desktop.state.loginError).toMatch(/reconnecting/);
    expect(h.storage.get(TOKEN_KEY)).toBe('tok');
    await booting;
    expect(h.desktop.state.phase).toBe('ready');
    expect(h.desktop.state.loginError).toBeNull();
    expect(unavailable).toBeLessThan(0);
  }, 15_000);

  it('the history is what GET /sessions answers; when it fails the error shows and no sessions are made up from interactions', async () => {
    const summary: SessionSummary = {
      id: 's-old',
      deploymentId: 'demo',
      async: true,
      state: 'Active',
      userData: {},
      createdAt: T0,
      endedAt: null,
      customer: { nickname: 'Jonny' },
      interactions: [inter('old', 'Completed', { sessionId: 's-old' })],
    };
    let failing = false;
    const h = harness({
      ...base,
      'GET /sessions': () => (failing ? new Response(JSON.stringify({ status: { code: 'NOT_FOUND', message: 'Route GET:/agent/v1/sessions not found' } }), { status: 404 }) : { sessions: [summary] }),
    });
    const s = await ready(h);
    s.frame({ type: 'interactions', interactions: [inter('a', 'Handling')] });
    await h.desktop.refreshHistory();
    expect(h.desktop.state.history).toEqual([summary]);
    expect(h.desktop.state.historyError).toBeNull();
    failing = true;
    await h.desktop.refreshHistory();
    expect(h.desktop.state.historyError).toMatch(/History could not be loaded/);
    expect(h.desktop.state.history).toEqual([summary]);
  });

  it('logging out tells the server to end the token (POST /logout), then shows the login form', async () => {
    const loggedOut: unknown[] = [];
    const h = harness({ ...base, 'POST /logout': (body) => (loggedOut.push(body), { loggedOut: true }) });
    await ready(h);
    h.desktop.logout();
    await flush();
    expect(loggedOut).toHaveLength(1);
    expect(h.desktop.state.phase).toBe('login');
    expect(h.storage.get(TOKEN_KEY)).toBeUndefined();
  });

  it('an older REST answer never overwrites a newer socket snapshot', async () => {
    let release: (v: unknown) => void = () => {};
    const h = harness({ ...base });
    const s = await ready(h);
    // From now on GET /interactions hangs until released, answering the old state.
    (h as any).desktop.api.request = ((orig) =>
      async function (this: ApiClient, method: string, path: string, ...rest: unknown[]) {
        if (path.startsWith('/interactions?mine')) return new Promise((r) => (release = () => r({ interactions: [] })));
        return (orig as any).call(this, method, path, ...rest);
      })(h.desktop.api.request);
    const pending = h.desktop.refreshInteractions();
    s.frame({ type: 'interactions', interactions: [inter('x', 'Offered')] });
    release(null);
    await pending;
    expect(h.desktop.offers.map((o) => o.id)).toEqual(['x']);
  });

  it('opens a tab for new work, de-duplicates messages, counts unread in tabs not looked at', async () => {
    const details = (id: string) => ({
      session: { id, deploymentId: 'demo', async: false, state: 'Active', userData: {}, createdAt: T0 },
      participants: [{ id: `p-${id}`, type: 'Agent', nickname: 'Demo Agent', accountId: 'me', state: 'Connected' }],
      interactions: [],
    });
    const h = harness({
      ...base,
      'GET /sessions/s-a': () => details('s-a'),
      'GET /sessions/s-b': () => details('s-b'),
      'GET /sessions/s-a/messages': () => ({ messages: [text('hello-a', '1-0')], lastIndex: '1-0', sessionEnded: false }),
      'GET /sessions/s-b/messages': () => ({ messages: [], lastIndex: null, sessionEnded: false }),
    });
    const s = await ready(h);
    s.frame({ type: 'interactions', interactions: [inter('a', 'Handling'), inter('b', 'Handling')] });
    for (let i = 0; i < 10; i++) await flush();
    const d = h.desktop;
    expect(d.state.conversations.map((c) => c.sessionId)).toEqual(['s-a', 's-b']);
    expect(d.state.activeId).toBe('s-a');
    // Subscribed from the last index held.
    expect(s.sent).toContainEqual({ type: 'subscribe', sessionId: 's-a', after: '1-0' });
    expect(s.sent).toContainEqual({ type: 'subscribe', sessionId: 's-b' });
    const a = d.conversation('s-a')!;
    const b = d.conversation('s-b')!;
    expect(a.transcript.unread).toBe(0);
    s.frame({ type: 'message', sessionId: 's-b', message: text('m1', '2-0') });
    s.frame({ type: 'message', sessionId: 's-b', message: text('m1', '2-0') });
    s.frame({ type: 'message', sessionId: 's-b', message: text('mine', '3-0', 'p-s-b') });
    s.frame({ type: 'message', sessionId: 's-a', message: text('m2', '2-0') });
    expect(b.transcript.unread).toBe(1);
    expect(b.transcript.messages.map((m) => m.id)).toEqual(['m1', 'mine']);
    expect(a.transcript.unread).toBe(0);
    d.activate('s-b');
    expect(b.transcript.unread).toBe(0);
    d.setWindowFocused(false);
    s.frame({ type: 'message', sessionId: 's-b', message: text('m3', '4-0') });
    expect(b.transcript.unread).toBe(1);
    d.setWindowFocused(true);
    expect(b.transcript.unread).toBe(0);
  });

  it('a 401 from the server, or close code 4401, brings back the sign-in with "session expired"', async () => {
    const h = harness({ ...base, 'PUT /me/presence': () => new Response(JSON.stringify({ status: { code: 'UNAUTHORIZED', message: 'expired' } }), { status: 401 }) });
    await ready(h);
    await h.desktop.setPresence('NotReady', 'Break');
    expect(h.desktop.state.phase).toBe('login');
    expect(h.desktop.state.loginError).toMatch(/session expired/i);
    expect(h.storage.has(TOKEN_KEY)).toBe(false);

    const h2 = harness(base);
    const s = await ready(h2);
    s.onclose?.({ code: 4401 });
    expect(h2.desktop.state.phase).toBe('login');
    expect(h2.desktop.state.loginError).toMatch(/session expired/i);
  });

  it('a wrong password is reported and nothing is stored', async () => {
    const h = harness({ 'POST /login': () => new Response(JSON.stringify({ status: { code: 'UNAUTHORIZED', message: 'wrong username or password' } }), { status: 401 }) });
    expect(await h.desktop.login('agent', 'nope')).toBe(false);
    expect(h.desktop.state.loginError).toBe('Wrong username or password.');
    expect(h.storage.size).toBe(0);
  });
});
