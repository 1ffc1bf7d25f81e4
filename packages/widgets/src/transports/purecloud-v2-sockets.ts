import { defineTransport, GUEST, TransportError, type RawMessage, type ReadResult, type SessionData, type Transport } from './transport.js';

/**
 * Genesys Cloud guest chat v2 (reference §3, `transport.type: 'purecloud-v2-sockets'`): JSON REST at
 * `{dataURL}/api/v2/webchat/guest/conversations` with `Authorization: Bearer <jwt>` after the create,
 * and a WebSocket at the create's `eventStreamUri` that pushes messages, member changes and typing.
 *
 * Frames are queued as they arrive and turned into messages in order when WebChatService reads them
 * (poll() resolves when there is something to show): `member-join` -> ParticipantJoined,
 * `member-leave` -> ParticipantLeft, `standard`/`notice` -> Message, `typing-indicator` ->
 * TypingStarted. On `member-join`/`member-change` the member is fetched by id to learn its role and
 * name; an AGENT that becomes CONNECTED joins once (agentConnected), a DISCONNECTED one leaves; the
 * customer's own member DISCONNECTED ends the chat. The customer's own messages are shown from the
 * stream. A dropped socket is reopened after 2 s and the messages missed meanwhile are read back
 * over REST; heartbeats arrive as `channel.metadata` frames.
 *
 * Guest messages have ids and timestamps but no index: each gets `index` = timestamp (ms) * 1000 +
 * a tie-breaker, stable per id, so de-duplication and ordering work as with the other transports.
 */
const RECONNECT_MS = 2000;
/** No frame at all (heartbeats included) for this long: the socket is presumed dead and reopened. */
const SILENCE_MS = 75_000;
const TIMEOUT = 20_000;

type Any = Record<string, any>;
type Item = { k: 'frame'; f: Any } | { k: 'open' } | { k: 'down' };

const ROLE: Record<string, string> = { CUSTOMER: 'Client', AGENT: 'Agent', WORKFLOW: 'Bot', ACD: 'System' };

export interface GuestMember {
  id: string;
  displayName?: string;
  role?: string;
  state?: string;
  [k: string]: unknown;
}

/** The create body of the Genesys client (reference §3): routing from transport.interactionData.routing. */
export function createBody(t: Any, info: { firstname?: string; lastname?: string; nickname?: string; email?: string; subject?: string; userData: Any }): Any {
  const r: Any = t.interactionData?.routing ?? {};
  const customFields: Any = { firstName: info.firstname, lastName: info.lastname, ...info.userData, email: info.email, subject: info.subject };
  for (const k in customFields) if (customFields[k] == null) delete customFields[k];
  return {
    deploymentId: t.deploymentKey,
    organizationId: t.orgGuid,
    routingTarget: { targetAddress: r.targetAddress, targetType: r.targetType ?? 'QUEUE', skills: r.skills, priority: r.priority, language: r.language },
    memberInfo: {
      displayName: [info.firstname, info.lastname].filter(Boolean).join(' ') || info.nickname || 'Guest',
      role: 'CUSTOMER',
      customFields,
    },
    ...(t.interactionData?.journeyContext ? { journeyContext: t.interactionData.journeyContext } : {}),
  };
}

export function createGuestTransport(t: Any): Transport {
  const api = String(t.dataURL || '').replace(/\/+$/, '') + '/api/v2/webchat/guest/conversations';
  const pageSize = Math.min(100, Math.max(1, +t.maxMessagePageSize || 100));
  const paged = t.pagination !== false;

  let s: SessionData = {};
  let ws: WebSocket | undefined;
  let stopped = true;
  let opened = false; // the stream was opened for this session (abort() closes it for good)
  let reconnect: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setInterval> | undefined;
  let heard = 0; // last frame
  let queue: Item[] = [];
  let wake: ((stop?: boolean) => void) | undefined;
  let members = new Map<string, Promise<GuestMember | undefined>>();
  let joined = new Set<string>();
  let done = new Set<string>(); // message ids already turned into messages
  let indexes = new Map<string, number>();
  let ids = new Map<number, string>();
  let used = new Set<number>();
  let ended = false;
  let newest: { id: string; index: number } | undefined; // the newest chat message held

  const stopError = () => new TransportError('The request was cancelled.', 0, 'ABORTED', { status: { code: 'ABORTED', message: 'The request was cancelled.' } });

  async function call(method: string, path: string, body?: unknown, auth = true): Promise<Any> {
    // Parley extension: interaction state changes on the stream (seed 000's page code needs them).
    const headers: Record<string, string> = { 'x-parley-extensions': 'interaction-state' };
    if (auth && s.jwt) headers.authorization = 'Bearer ' + s.jwt;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), TIMEOUT);
    let res: Response;
    try {
      res = await fetch(api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: ctl.signal });
    } catch {
      const code = ctl.signal.aborted ? 'TIMEOUT' : 'NETWORK_ERROR';
      const message = ctl.signal.aborted ? 'The request timed out.' : 'The chat server could not be reached.';
      throw new TransportError(message, 0, code, { status: { code, message }, message, code });
    } finally {
      clearTimeout(timer);
    }
    const text = await res.text().catch(() => '');
    let json: Any = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { message: text };
    }
    if (!res.ok) {
      const code = res.status === 404 ? 'INVALID_SESSION' : String(json.code ?? 'HTTP_' + res.status);
      const message = String(json.message || res.statusText || 'Request failed');
      throw new TransportError(message, res.status, code, { ...json, status: { code, message }, httpStatus: res.status });
    }
    return json;
  }

  const conv = () => '/' + encodeURIComponent(s.conversationId);
  const me = () => conv() + '/members/' + encodeURIComponent(s.memberId);

  /** The member by id (GET with the jwt); `fresh` asks again (member-join / member-change). */
  function member(id: string, fresh = false): Promise<GuestMember | undefined> {
    let p = members.get(id);
    if (!p || fresh) {
      p = call('GET', conv() + '/members/' + encodeURIComponent(id)).then(
        (m) => m as GuestMember,
        () => undefined,
      );
      members.set(id, p);
    }
    return p;
  }

  /** A stable, unique, increasing-with-time index for a message id. */
  function indexOf(id: string, time: unknown): number {
    let i = indexes.get(id);
    if (i === undefined) {
      const ms = Date.parse(String(time)) || Date.now();
      for (i = ms * 1000; used.has(i); i++);
      used.add(i);
      indexes.set(id, i);
      ids.set(i, id);
    }
    return i;
  }

  function raw(id: string, time: unknown, type: string, sender: string, m: GuestMember | undefined, wire: Any, text?: string): RawMessage {
    const role = m?.role ?? (sender === s.memberId ? 'CUSTOMER' : 'AGENT');
    return {
      ...wire,
      id,
      index: indexOf(id, time),
      type,
      text,
      utcTime: time as string,
      from: { participantId: sender, type: ROLE[role] ?? 'Agent', nickname: m?.displayName },
    };
  }

  function join(id: string, time: unknown, sender: string, m: GuestMember | undefined, wire: Any): RawMessage[] {
    if (joined.has(sender)) return [];
    joined.add(sender);
    return [raw(id, time, 'ParticipantJoined', sender, m, wire)];
  }

  function leave(id: string, time: unknown, sender: string, m: GuestMember | undefined, wire: Any): RawMessage[] {
    if (sender === s.memberId) ended = true;
    if (!joined.delete(sender)) return [];
    return [raw(id, time, 'ParticipantLeft', sender, m, wire)];
  }

  /** One chat message (from the stream or the history) -> what WebChatService shows. */
  async function fromMessage(e: Any, live = false): Promise<RawMessage[]> {
    const id = String(e.id ?? '');
    if (!id || done.has(id)) return [];
    done.add(id);
    const at = indexOf(id, e.timestamp);
    if (!newest || at > newest.index) newest = { id, index: at };
    const sender = String(e.sender?.id ?? '');
    // A notice carrying a v3-style event (Parley's opt-in InteractionStateChange): a System message for page code (seed 000).
    if (typeof e.event === 'string') return [{ ...e, id, index: at, type: 'System', event: e.event, data: e.data ?? {}, utcTime: e.timestamp, from: { participantId: sender, type: 'System' } }];
    switch (e.bodyType) {
      case 'member-join': {
        const m = await member(sender, true);
        // an agent still ALERTING joins when its member-change says CONNECTED
        if (live && m?.state && m.state !== 'CONNECTED' && m.role !== 'CUSTOMER') return [];
        return join(id, e.timestamp, sender, m, e);
      }
      case 'member-leave':
        return leave(id, e.timestamp, sender, await member(sender), e);
      case 'standard':
      case 'notice':
        return [raw(id, e.timestamp, 'Message', sender, await member(sender), e, e.body)];
      default:
        return [];
    }
  }

  async function fromFrame(f: Any): Promise<RawMessage[]> {
    heard = Date.now();
    const type = f.metadata?.type;
    const b: Any = f.eventBody ?? {};
    if (f.topicName === 'channel.metadata' || (b.conversation?.id && b.conversation.id !== s.conversationId)) return [];
    if (type === 'message') return fromMessage(b, true);
    if (type === 'member-change' && b.member?.id) {
      const id = String(b.member.id);
      const m = await member(id, true);
      const state = b.member.state ?? m?.state;
      // the server's own time of the change (the member's joinDate/leaveDate) orders it among the messages
      const time = b.timestamp ?? (state === 'DISCONNECTED' ? m?.leaveDate : m?.joinDate) ?? new Date().toISOString();
      const key = `member-change:${id}:${state}:${time}`;
      const wire = { ...b, metadata: f.metadata };
      const customer = id === s.memberId || m?.role === 'CUSTOMER';
      if (state === 'CONNECTED' && !customer) return join(key, time, id, m, wire);
      if (state === 'DISCONNECTED') return leave(key, time, id, m, wire);
      return [];
    }
    if (type === 'typing-indicator') {
      const sender = String(b.sender?.id ?? '');
      if (!sender || sender === s.memberId) return [];
      const time = b.timestamp ?? new Date().toISOString();
      return [raw(`typing:${sender}:${time}:${b.id ?? ''}`, time, 'TypingStarted', sender, await member(sender), b)];
    }
    return [];
  }

  /** Newest-first pages of the REST history, read back until `count` (or all) or the message `before`. */
  async function readHistory(count: number, before?: string, stopAt?: Set<string>): Promise<RawMessage[]> {
    const all: Any[] = [];
    let cursor = before;
    for (;;) {
      const q = new URLSearchParams({ maxResults: String(paged ? pageSize : 100), sortOrder: 'descending' });
      if (cursor) q.set('before', cursor);
      const page = await call('GET', conv() + '/messages?' + q);
      const list: Any[] = (Array.isArray(page.entities) ? page.entities : []).slice();
      list.sort((a, b) => (Date.parse(b.timestamp) || 0) - (Date.parse(a.timestamp) || 0));
      all.push(...list);
      const oldest = list[list.length - 1]?.id;
      if (!list.length || !oldest || oldest === cursor || all.length >= count || (!page.next && list.length < (paged ? pageSize : 100))) break;
      if (stopAt && list.some((m) => stopAt.has(String(m.id)))) break;
      cursor = String(oldest);
    }
    const out: RawMessage[] = [];
    // oldest first, so joins come before leaves and indexes follow time
    for (const e of all.reverse()) out.push(...(await fromMessage(e)));
    return out;
  }

  /** After the stream (re)opened: what was said meanwhile, read after the newest message held. */
  async function catchUp(): Promise<RawMessage[]> {
    if (!newest) return readHistory(pageSize, undefined, done);
    const out: RawMessage[] = [];
    for (let after = newest.id, n = 0; n < 10; n++) {
      const q = new URLSearchParams({ after, maxResults: '100', sortOrder: 'ascending' });
      const list: Any[] = (await call('GET', conv() + '/messages?' + q)).entities ?? [];
      list.sort((a, b) => (Date.parse(a.timestamp) || 0) - (Date.parse(b.timestamp) || 0));
      for (const e of list) out.push(...(await fromMessage(e)));
      if (list.length < 100) break;
      after = String(list[list.length - 1].id);
    }
    return out;
  }

  // ---- the event stream ----
  function push(item: Item) {
    // one pending "down" is enough: it reports the outage (and a failed reopen) once
    if (item.k === 'down' && queue[queue.length - 1]?.k === 'down') return;
    queue.push(item);
    wake?.();
  }

  function connect() {
    clearTimeout(reconnect);
    reconnect = undefined;
    if (stopped || ws || !s.eventStreamUri) return;
    const W = (globalThis as any).WebSocket as typeof WebSocket | undefined;
    if (!W) return push({ k: 'down' });
    let sock: WebSocket;
    try {
      sock = new W(String(s.eventStreamUri));
    } catch {
      push({ k: 'down' });
      reconnect = setTimeout(connect, RECONNECT_MS);
      return;
    }
    ws = sock;
    heard = Date.now();
    sock.onopen = () => {
      heard = Date.now();
      push({ k: 'open' });
    };
    sock.onmessage = (ev: MessageEvent) => {
      heard = Date.now();
      try {
        push({ k: 'frame', f: JSON.parse(String(ev.data)) });
      } catch {
        // not JSON: ignored
      }
    };
    sock.onclose = () => dropped(sock);
    sock.onerror = () => undefined;
  }

  /** The socket is gone (closed, or silent too long): say so once, and open a new one in 2 s. */
  function dropped(sock: WebSocket) {
    if (ws !== sock) return;
    ws = undefined;
    sock.onclose = sock.onmessage = sock.onopen = null;
    try {
      sock.close();
    } catch {
      // already closed
    }
    if (stopped) return;
    push({ k: 'down' });
    reconnect = setTimeout(connect, RECONNECT_MS);
  }

  function open() {
    opened = true;
    stopped = false;
    connect();
    clearInterval(watchdog);
    watchdog = setInterval(() => {
      if (ws && ws.readyState === 1 && Date.now() - heard > SILENCE_MS) dropped(ws);
    }, 5000);
  }

  function stop() {
    stopped = true;
    clearTimeout(reconnect);
    clearInterval(watchdog);
    const sock = ws;
    ws = undefined;
    try {
      sock?.close();
    } catch {
      // already closed
    }
    wake?.(true);
  }

  function adopt(d: SessionData): SessionData {
    stop();
    s = { conversationId: String(d.conversationId ?? d.id), memberId: String(d.memberId ?? d.member?.id), jwt: d.jwt, eventStreamUri: d.eventStreamUri };
    opened = false;
    queue = [];
    members = new Map();
    joined = new Set();
    done = new Set();
    indexes = new Map();
    ids = new Map();
    used = new Set();
    ended = false;
    newest = undefined;
    return { ...s };
  }

  const next = (): Promise<Item | undefined> =>
    queue.length
      ? Promise.resolve(queue.shift())
      : new Promise((resolve) => {
          wake = (halt) => {
            wake = undefined;
            resolve(halt ? undefined : queue.shift());
          };
        });

  const unsupported = (what: string) => Promise.reject(new TransportError(`This transport doesn't support ${what}.`, 0, 'UNSUPPORTED', `This transport doesn't support ${what}.`));

  return {
    can: { poll: false, customNotice: false, userData: false, files: false, history: true },
    selfTimed: true,
    async start(info) {
      adopt({});
      const r = await call('POST', '', createBody(t, info), false);
      const session = adopt({ conversationId: r.id, memberId: r.member?.id, jwt: r.jwt, eventStreamUri: r.eventStreamUri });
      open();
      return { session, response: r, started: r };
    },
    // the stream opens with the first poll, after the restore read the history (nothing opens if that fails)
    resume: async (data) => adopt(data),
    /** Resolves when the stream brings something to show; rejects once per outage (NETWORK_ERROR). */
    async poll() {
      if (!opened) open();
      if (stopped && !ended) throw stopError();
      const out: RawMessage[] = [];
      while (!ended) {
        const item = out.length && !queue.length ? undefined : await next();
        if (!item) {
          if (out.length) break;
          throw stopError();
        }
        if (item.k === 'down') {
          if (out.length) {
            queue.unshift(item);
            break;
          }
          throw new TransportError('The chat server could not be reached.', 0, 'NETWORK_ERROR', { status: { code: 'NETWORK_ERROR', message: 'The event stream is closed.' } });
        }
        if (item.k === 'open') {
          // (re)connected: read back what was said while the socket was closed, and say so
          out.push(...(await catchUp().catch(() => [])));
          break;
        }
        out.push(...(await fromFrame(item.f)));
      }
      return { messages: out, chatEnded: ended, response: {} } as ReadResult;
    },
    async history(count, before) {
      const msgs = await readHistory(count, before == null ? undefined : (ids.get(Number(before)) ?? String(before)));
      return { messages: msgs, chatEnded: ended, response: {} };
    },
    async send(text) {
      // shown when it comes back on the stream
      return { response: await call('POST', me() + '/messages', { body: text, bodyType: 'standard' }) };
    },
    async typing(started) {
      return started ? call('POST', me() + '/typing') : {};
    },
    updateUserData: () => unsupported('updating userData during an active chat session'),
    async leave() {
      const r = await call('DELETE', me());
      ended = true;
      stop();
      return r;
    },
    upload: () => unsupported('file uploads'),
    fileUrl: (u) => u,
    abort: stop,
  };
}

defineTransport(GUEST, createGuestTransport);
