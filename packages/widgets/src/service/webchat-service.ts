import type { CommandEvent, CXBusApi, Plugin } from '../bus/cxbus.js';
import { pluginConfig } from '../config.js';
import { Cookie, cookieName, cookieOptions } from '../cookies.js';
import { createTransport, TransportError, type RawMessage, type SessionData, type Transport } from '../transports/transport.js';
import '../transports/index.js';
import { indexNum, normalize, type ChatMessage } from './messages.js';

/**
 * The WebChatService plugin (seed 003): chat sessions over a transport, as bus commands and events.
 * Commands resolve with the server's response and reject with it, or with seed 003's exact texts.
 * The session is kept in cookies (`_genesys.widgets.webchat.state.*`) or, in async mode, through
 * `transport.async.getSessionData/setSessionData`, and restored after a page load.
 */
export const NAME = 'WebChatService';

export const TEXT = {
  alreadyActive: 'There is already an active chat session.',
  noSession: 'There is no active chat session.',
  noActive: 'No active chat session.',
  noText: 'No message text provided.',
  badUserData: 'malformed data object provided in userData property.',
  noCustomNotice: "This transport doesn't support sendCustomNotice command.",
  noUserDataUpdate: "This transport doesn't support updating userData during an active chat session.",
  pollPrivate: 'Access Denied to private command. Only WebChatService is allowed to invoke this command.',
  pollBusy: 'previous poll has not finished.',
  noPolling: "This transport doesn't support polling.",
  noReset: "This transport doesn't support resetPollExceptions command.",
  restoring: 'Already restoring. Ignoring request.',
  restoreActive: 'Chat session is already active, ignoring restore command.',
  restorePrivate: 'Access Denied to private command. Only WebChatService is allowed to invoke this command in Non-Async mode.',
  noFiles: "This transport doesn't support file uploads.",
  historyAsync: 'Fetching history messages applies only to Asynchronous chat.',
  historyDone: 'No more messages to fetch.',
  badFilters: 'Missing or invalid filters provided. Please provide a regular expression or an array of regular expressions.',
  badInput: 'Invalid value provided for the input property. An HTML element reference to a textarea or text input is required.',
  badPreprocessor: (t: string) => `No preprocessor function provided. Type provided was '${t}'.`,
} as const;

export const EVENTS = [
  'ready',
  'started',
  'restored',
  'restoreTimeout',
  'restoreFailed',
  'restoredOffline',
  'sessionLost',
  'reconnected',
  'disconnected',
  'messageReceived',
  'error',
  'ended',
  'clientTypingStarted',
  'clientTypingStopped',
  'clientConnected',
  'clientDisconnected',
  'agentConnected',
  'agentDisconnected',
  'agentTypingStarted',
  'agentTypingStopped',
  'agentTypingTimeout',
  'supervisorConnected',
  'supervisorDisconnected',
  'botConnected',
  'botDisconnected',
  'pollingStarted',
  'pollingStopped',
  'chatServerWentOffline',
  'chatServerBackOnline',
  'uiEvent',
  'ui-event-update-promotion',
  'ui-event-close-promotion',
];

const KEYS = 'webchat.state.keys';
const PING = 'webchat.state.ping';
const AGENT_TYPING_MS = 3000;
const CLIENT_TYPING_MS = 5000;
const ASYNC_COOKIE_SECONDS = 30 * 86400;

interface Agent {
  name: string;
  connected: boolean;
  supervisor: boolean;
  connectedTime?: number;
  disconnectedTime?: number;
}

type Any = Record<string, any>;
type Handler = (o: Any, e: CommandEvent) => unknown;

const isRegExp = (x: unknown): x is RegExp => Object.prototype.toString.call(x) === '[object RegExp]';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const responseOf = (e: unknown) => (e instanceof TransportError ? e.response : e instanceof Error ? e.message : e);

/** userData values go as strings; nested values as JSON. */
function flat(o: Any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in o) if (o[k] != null) out[k] = typeof o[k] === 'object' ? JSON.stringify(o[k]) : String(o[k]);
  return out;
}

function pageInfo(): Record<string, string> {
  if (typeof document === 'undefined') return { _genesys_source: 'web' };
  const ua = navigator.userAgent;
  const pick = (list: string[], names: Record<string, string>) => {
    const k = list.find((x) => ua.includes(x));
    return k ? (names[k] ?? k) : 'Other';
  };
  return {
    _genesys_source: 'web',
    _genesys_referrer: document.referrer,
    _genesys_url: location.href,
    _genesys_pageTitle: document.title,
    _genesys_browser: pick(['Edg', 'Firefox', 'Chrome', 'Safari'], { Edg: 'Edge' }),
    _genesys_OS: pick(['Windows', 'Android', 'iPhone', 'iPad', 'Mac', 'Linux'], { iPhone: 'iOS', iPad: 'iOS', Mac: 'Mac OS' }),
  };
}

/** Registers WebChatService on the bus (once: a second call is a no-op) and returns its plugin interface. */
export function registerWebChatService(bus: CXBusApi, config: Any = pluginConfig('webchat')): Plugin | false {
  const P = bus.registerPlugin(NAME);
  if (!P) return false;
  const cfg: Any = config;
  const tcfg = (): Any => cfg.transport ?? {};
  const acfg = (): Any => tcfg().async ?? {};
  const pageSize = () => Math.max(16, +tcfg().maxMessagePageSize || 20);

  let transport: Transport | undefined;
  let state: 'idle' | 'starting' | 'restoring' | 'active' = 'idle';
  let session: SessionData | null = null;
  let sessionAsync = false;
  let userData: Any = { ...cfg.userData };
  let transcript: ChatMessage[] = [];
  let originals: RawMessage[] = [];
  let seen = new Set<number>();
  let agents: Record<string, Agent> = {};
  let cursor: string | undefined; // newest index delivered by polls or restore
  let oldest: string | undefined; // oldest index held (fetchHistory pages before it)
  let historyDone = true;
  let startTime: number | undefined;
  let endTime: number | undefined;
  let polling = false;
  let pollBusy = false;
  let pollGen = 0;
  let pollErrors = 0;
  let offline: '' | 'network' | 'server' = '';
  let agentTyping: ReturnType<typeof setTimeout> | undefined;
  let clientTyping: ReturnType<typeof setTimeout> | undefined;
  let clientTypingSent = 0;
  let lastTypingResponse: unknown;
  const prefilters: RegExp[] = [];
  const preprocessors: ((m: ChatMessage) => ChatMessage)[] = [];
  const typingInputs = new WeakSet<object>();

  const tp = (): Transport => (transport ??= createTransport(tcfg(), cfg));
  const active = () => state === 'active';
  const isAsync = () => !!acfg().enabled || sessionAsync;
  const publish = (e: string, d?: unknown) => P.publish(e, d);
  const setData = (k: string, v: unknown) => P.data(k, v);
  const lost = (e: unknown) => e instanceof TransportError && (e.code === 'INVALID_SESSION' || e.httpStatus === 404 || (state === 'restoring' && e.httpStatus === 401));

  // ---- stored session ----
  const ping = () => Cookie.set(cookieName(PING), String(Date.now()), cookieOptions());
  function save() {
    const a = acfg();
    if (isAsync() && typeof a.getSessionData === 'function') {
      try {
        a.getSessionData(session!.token ?? { ...session }, Cookie, cookieOptions());
      } catch (err) {
        console.error('[WebChatService] getSessionData failed', err);
      }
    } else {
      // v3 keeps its token; GMS {sessionID, userId, secureKey, alias}; guest v2 {conversationId, memberId, jwt, eventStreamUri}
      const keys = session!.token ? { token: session!.token } : session;
      Cookie.set(cookieName(KEYS), JSON.stringify({ ...keys, async: sessionAsync }), { ...cookieOptions(), maxAge: isAsync() ? ASYNC_COOKIE_SECONDS : undefined });
    }
    ping();
  }
  async function load(): Promise<SessionData | null> {
    const a = acfg();
    let v: unknown = isAsync() && typeof a.setSessionData === 'function' ? await a.setSessionData(!!bus.data('WebChat.open'), Cookie, cookieOptions()) : Cookie.get(cookieName(KEYS));
    return parseSessionData(v);
  }
  function parseSessionData(v: unknown): SessionData | null {
    if (typeof v === 'string') {
      try {
        v = JSON.parse(v);
      } catch {
        v = { token: v };
      }
    }
    if (!v || typeof v !== 'object') return null;
    const o = v as Any;
    return (typeof o.token === 'string' && o.token) || o.secureKey || o.jwt ? (o as SessionData) : null;
  }
  function forget() {
    const o = cookieOptions();
    Cookie.remove(cookieName(KEYS), o);
    Cookie.remove(cookieName(PING), o);
    const del = acfg().deleteSessionData;
    if (isAsync() && typeof del === 'function') {
      try {
        del(Cookie, o);
      } catch (err) {
        console.error('[WebChatService] deleteSessionData failed', err);
      }
    }
  }

  // ---- messages ----
  function ingest(raws: RawMessage[], how: { restoring?: boolean; old?: boolean; polled?: boolean } = {}) {
    if (how.polled || how.restoring) {
      const newest = raws.reduce<RawMessage | undefined>((a, r) => (!a || indexNum(r.index) > indexNum(a.index) ? r : a), undefined);
      if (newest && (cursor === undefined || indexNum(newest.index) > indexNum(cursor))) cursor = String(newest.index);
    }
    if ((how.old || how.restoring) && raws[0] && (oldest === undefined || indexNum(raws[0].index) < indexNum(oldest))) oldest = String(raws[0].index);
    const fresh = raws.filter((r) => r && !seen.has(indexNum(r.index)) && seen.add(indexNum(r.index)));
    if (!fresh.length) return;
    originals = [...originals, ...fresh].sort((a, b) => indexNum(a.index) - indexNum(b.index));
    let msgs = fresh.map((r) => normalize(r, (u) => tp().fileUrl(u)));
    msgs = msgs.filter((m) => !(typeof m.text === 'string' && prefilters.some((re) => ((re.lastIndex = 0), re.test(m.text!)))));
    for (const p of preprocessors) {
      msgs = msgs.map((m) => {
        try {
          return p(m) ?? m;
        } catch (err) {
          console.error('[WebChatService] preprocessor failed', err);
          return m;
        }
      });
    }
    transcript = [...transcript, ...msgs.filter((m) => !/^Typing/.test(m.type))].sort((a, b) => a.index - b.index);
    publish('messageReceived', { originalMessages: fresh, messages: msgs, restoring: !!how.restoring, sessionData: session && { ...session }, oldMessages: !!how.old });
    if (!how.old)
      for (const m of msgs) {
        participantEvents(m, !how.restoring);
        uiEvent(m, !!how.restoring);
      }
  }

  /** Seed 004: a message whose `event` is `ui-event-*` is published as `uiEvent` and as the event's own name. */
  function uiEvent(m: ChatMessage, restoring: boolean) {
    if (typeof m.event !== 'string' || !m.event.startsWith('ui-event-')) return;
    const data = m.data && typeof m.data === 'object' ? m.data : {};
    publish('uiEvent', { name: m.event, data, restoring, message: m });
    publish(m.event, data);
  }

  function participantEvents(m: ChatMessage, live: boolean) {
    const ft = m.from.type;
    const role = ft === 'Agent' ? 'agent' : ft === 'Supervisor' ? 'supervisor' : ft === 'Client' ? 'client' : ft === 'Bot' || ft === 'External' ? 'bot' : '';
    const joined = m.type === 'ParticipantJoined';
    if (role && (joined || m.type === 'ParticipantLeft')) {
      const pid = m.from.participantId ?? m.from.name;
      const t = m.timestamp ? Date.parse(String(m.timestamp)) || Date.now() : Date.now();
      if (role === 'agent' || role === 'supervisor') {
        const a = (agents[pid] ??= { name: m.from.name, connected: false, supervisor: role === 'supervisor' });
        a.connected = joined;
        if (joined) a.connectedTime = t;
        else a.disconnectedTime = t;
      }
      const numAgentsConnected = Object.values(agents).filter((a) => a.connected).length;
      publish(role + (joined ? 'Connected' : 'Disconnected'), { message: m, agents, numAgentsConnected });
    }
    if (role === 'agent' && live) {
      if (m.type === 'TypingStarted') {
        clearTimeout(agentTyping);
        setData('agentTyping', true);
        publish('agentTypingStarted', m);
        agentTyping = setTimeout(() => {
          agentTyping = undefined;
          setData('agentTyping', false);
          publish('agentTypingTimeout', m);
        }, AGENT_TYPING_MS);
      } else if (agentTyping && (m.type === 'TypingStopped' || m.type === 'Message')) stopAgentTyping(m);
    }
  }

  function stopAgentTyping(m?: ChatMessage) {
    if (!agentTyping) return;
    clearTimeout(agentTyping);
    agentTyping = undefined;
    setData('agentTyping', false);
    publish('agentTypingStopped', m);
  }

  function stopClientTyping(send: boolean) {
    if (!clientTyping) return;
    clearTimeout(clientTyping);
    clientTyping = undefined;
    if (send && active())
      tp()
        .typing(false)
        .catch(() => undefined);
    publish('clientTypingStopped');
  }

  // ---- session lifecycle ----
  function reset() {
    transcript = [];
    originals = [];
    seen = new Set();
    agents = {};
    cursor = oldest = undefined;
    historyDone = true;
    startTime = endTime = undefined;
    pollErrors = 0;
    offline = '';
  }

  /** The session is over (ended, lost or left): stop everything and forget it. */
  function finish(event: 'ended' | 'sessionLost') {
    if (state === 'idle' && !session) return;
    stopPolling();
    stopAgentTyping();
    stopClientTyping(false);
    state = 'idle';
    session = null;
    sessionAsync = false;
    endTime = Date.now();
    forget();
    setData('sessionActive', false);
    if (event === 'sessionLost') publish('sessionLost');
    publish('ended');
  }

  function begin(s: SessionData, async: boolean) {
    session = s;
    sessionAsync = async;
    state = 'active';
    startTime ??= Date.now();
    save();
    setData('sessionActive', true);
  }

  async function restore(saved: SessionData) {
    state = 'restoring';
    try {
      const s = await tp().resume(saved);
      session = s;
      let raws: RawMessage[] = [];
      let ended = false;
      if (isAsync() || saved.async) {
        const r = await tp().history(pageSize());
        raws = r.messages;
        ended = r.chatEnded;
        historyDone = raws.length < pageSize();
      } else {
        // the whole transcript, from the start
        for (let before: string | undefined; ;) {
          const r = await tp().history(500, before);
          raws = [...r.messages, ...raws];
          ended = ended || r.chatEnded;
          if (r.messages.length < 500) break;
          before = String(r.messages[0]!.index);
        }
      }
      begin(s, isAsync() || !!saved.async);
      startTime = raws[0]?.utcTime ? Date.parse(String(raws[0].utcTime)) || Date.now() : Date.now();
      publish('restored');
      ingest(raws, { restoring: true });
      if (ended) finish('ended');
      else startPolling();
    } catch (err) {
      const wasLost = lost(err);
      state = 'idle';
      session = null;
      forget();
      setData('sessionActive', false);
      if (wasLost) publish('sessionLost');
      publish('restoreFailed', responseOf(err));
      throw err;
    }
  }

  /** At page load: resume a stored session unless the visitor was away longer than restoreTimeout. */
  async function autoRestore() {
    let saved: SessionData | null = null;
    try {
      saved = await load();
    } catch (err) {
      console.error('[WebChatService] setSessionData failed', err);
    }
    if (!saved || state !== 'idle') return;
    const last = Number(Cookie.get(cookieName(PING)));
    const limit = +cfg.restoreTimeout || 60_000;
    if (!isAsync() && !saved.async && last && Date.now() - last > limit) {
      tp()
        .resume(saved)
        .then(() => tp().leave())
        .catch(() => undefined);
      forget();
      publish('restoreTimeout');
      return;
    }
    await restore(saved).catch(() => undefined);
  }

  // ---- polling ----
  async function pollOnce(): Promise<boolean> {
    pollBusy = true;
    try {
      const r = await tp().poll(cursor);
      if (offline) publish(offline === 'network' ? 'reconnected' : 'chatServerBackOnline');
      offline = '';
      pollErrors = 0;
      ping();
      ingest(r.messages, { polled: true });
      if (r.chatEnded) finish('ended');
      return r.messages.length > 0;
    } finally {
      pollBusy = false;
    }
  }

  async function pollLoop(gen: number) {
    /** Failed polls in a row: the backoff. A 503 (the server asks to retry) backs off too, but is not an exception to count. */
    let failures = 0;
    while (gen === pollGen && active()) {
      const t0 = Date.now();
      let got = false;
      try {
        got = await pollOnce();
        failures = 0;
      } catch (err) {
        if (gen !== pollGen || !(err instanceof TransportError) || err.code === 'ABORTED') return;
        if (lost(err)) return finish('sessionLost');
        failures++;
        if (err.httpStatus !== 503) pollErrors++;
        if (err.httpStatus === 0) {
          if (offline !== 'network') publish('disconnected');
          offline = 'network';
        } else if (err.httpStatus >= 500) {
          if (!offline) publish('chatServerWentOffline');
          offline ||= 'server';
        }
        if (pollErrors >= (+tcfg().pollExceptionLimit || 10)) {
          publish('error', err.response);
          return stopPolling();
        }
        await sleep(Math.min(1000 * 2 ** (failures - 1), 10_000));
        continue;
      }
      // A server that answers at once with nothing is polled every pollTimeout; a long poll is re-issued at once.
      const wait = got || transport?.selfTimed ? 0 : Math.max(100, +tcfg().pollTimeout || 3000) - (Date.now() - t0);
      if (wait > 0) await sleep(wait);
    }
  }

  function startPolling() {
    if (polling) return;
    polling = true;
    if (tp().can.poll) publish('pollingStarted');
    void pollLoop(++pollGen);
  }

  function stopPolling() {
    if (!polling) return;
    polling = false;
    pollGen++;
    transport?.abort();
    if (transport?.can.poll) publish('pollingStopped');
  }

  // ---- commands ----
  const commands: Record<string, Handler> = {
    configure(o) {
      if (o && typeof o === 'object') Object.assign(cfg, o);
      if (o?.transport || o?.dataURL) transport = undefined;
      if (o?.userData) userData = { ...userData, ...o.userData };
      setData('userData', userData);
    },

    async startChat(o) {
      if (state !== 'idle') throw TEXT.alreadyActive;
      let ud = o.userData;
      if (typeof ud === 'string') {
        try {
          ud = JSON.parse(ud);
        } catch {
          throw TEXT.badUserData;
        }
      }
      if (ud != null && (typeof ud !== 'object' || Array.isArray(ud))) throw TEXT.badUserData;
      const t = tp();
      state = 'starting';
      reset();
      const async = o.async != null ? !!o.async : !!acfg().enabled;
      try {
        const {
          session: s,
          response,
          started,
        } = await t.start({
          nickname: o.nickname,
          firstname: o.firstname,
          lastname: o.lastname,
          email: o.email,
          subject: o.subject,
          userData: flat({ ...pageInfo(), ...userData, ...ud }),
          async,
        });
        begin(s, async);
        publish('started', started ?? { data: { ...s } });
        startPolling();
        return response;
      } catch (err) {
        state = 'idle';
        publish('error', responseOf(err));
        throw responseOf(err);
      }
    },

    async endChat() {
      if (!active()) throw TEXT.noSession;
      try {
        const r = await tp().leave();
        finish('ended');
        return r;
      } catch (err) {
        if (lost(err)) finish('ended');
        throw responseOf(err);
      }
    },

    async sendMessage(o) {
      if (typeof o.message !== 'string' || !o.message.trim()) throw TEXT.noText;
      if (!active()) throw TEXT.noSession;
      stopClientTyping(false);
      return send(o.message);
    },

    async sendCustomNotice(o) {
      const t = tp();
      if (!t.can.customNotice || !t.customNotice) throw TEXT.noCustomNotice;
      if (!active()) throw TEXT.noSession;
      return call(t.customNotice(String(o.message ?? '')));
    },

    async sendTyping(o) {
      if (!active()) throw TEXT.noSession;
      const text = o.message ?? o.Message;
      clearTimeout(clientTyping);
      const fresh = !clientTyping;
      clientTyping = setTimeout(() => stopClientTyping(true), CLIENT_TYPING_MS);
      if (fresh) publish('clientTypingStarted');
      if (fresh || Date.now() - clientTypingSent > 3000) {
        clientTypingSent = Date.now();
        lastTypingResponse = await call(tp().typing(true, text == null ? undefined : String(text)));
      }
      return lastTypingResponse;
    },

    async sendFilteredMessage(o) {
      if (!active()) throw TEXT.noActive;
      if (isRegExp(o.regex)) prefilters.push(o.regex);
      if (typeof o.message !== 'string' || !o.message.trim()) throw TEXT.noText;
      await send(o.message);
    },

    addPrefilter(o) {
      const list = Array.isArray(o.filters) ? o.filters : [o.filters];
      if (!list.length || !list.every(isRegExp)) throw TEXT.badFilters;
      prefilters.push(...list);
      return prefilters.slice();
    },

    async updateUserData(o) {
      const add: Any = {};
      for (const k in o) add[k] = o[k];
      if (!active()) {
        userData = { ...userData, ...add };
        setData('userData', userData);
        return userData;
      }
      if (!tp().can.userData) throw TEXT.noUserDataUpdate;
      const r = await call(tp().updateUserData(flat(add)));
      userData = { ...userData, ...add };
      setData('userData', userData);
      return r;
    },

    async poll(_o, e) {
      if (e.commander !== NAME) throw TEXT.pollPrivate;
      if (!tp().can.poll) throw TEXT.noPolling;
      if (!active() || pollBusy) throw TEXT.pollBusy;
      await call(pollOnce());
    },

    startPoll() {
      if (!active()) throw TEXT.noActive;
      if (!tp().can.poll) throw TEXT.noPolling;
      startPolling();
    },

    stopPoll() {
      if (!active()) throw TEXT.noActive;
      if (!tp().can.poll) throw TEXT.noPolling;
      stopPolling();
    },

    resetPollExceptions() {
      if (!tp().can.poll) throw TEXT.noReset;
      pollErrors = 0;
    },

    async restore(o, e) {
      if (!isAsync() && e.commander !== NAME) throw TEXT.restorePrivate;
      if (state === 'restoring') throw TEXT.restoring;
      if (state !== 'idle') throw TEXT.restoreActive;
      const saved = o.sessionData != null ? parseSessionData(o.sessionData) : await load();
      if (!saved) throw undefined;
      try {
        await restore(saved);
      } catch (err) {
        throw responseOf(err);
      }
    },

    getTranscript: () => ({ messages: transcript.slice(), originalMessages: originals.slice() }),

    getAgents: () => agents,

    getStats: () => ({ agents, startTime, endTime, duration: startTime ? (endTime ?? Date.now()) - startTime : 0 }),

    async sendFile(o) {
      if (!tp().can.files) throw TEXT.noFiles;
      if (!active()) throw TEXT.noSession;
      const files = toFiles(o.files ?? o.file);
      if (!files.length) throw 'No file provided.';
      const out: unknown[] = [];
      for (const f of files) {
        const { message, response } = await call(tp().upload(f, (f as File).name));
        if (message) ingest([message]);
        out.push(response);
      }
      return out.length === 1 ? out[0] : out;
    },

    downloadFile(o) {
      const id = String(o.fileId ?? '');
      const hit = originals.flatMap((m) => (m.content ?? []).map((c) => ({ m, c }))).find(({ m, c }) => id && (m.id === id || (c.url ?? '').includes(id)));
      if (!hit?.c.url) throw 'No file with that fileId in this chat session.';
      const a = document.createElement('a');
      a.href = tp().fileUrl(hit.c.url);
      a.download = o.fileName ?? hit.c.name ?? '';
      a.rel = 'noopener';
      document.body.appendChild(a);
      a.click();
      a.remove();
    },

    getSessionData: () => (session ? { ...session } : {}),

    async fetchHistory() {
      if (!isAsync()) throw TEXT.historyAsync;
      if (!active()) throw TEXT.noSession;
      if (historyDone) throw TEXT.historyDone;
      const r = await call(tp().history(pageSize(), oldest));
      if (r.messages.length < pageSize()) historyDone = true;
      ingest(r.messages, { old: true });
      return r.response;
    },

    registerTypingPreviewInput(o) {
      let el = o.input;
      if (el && !el.tagName && typeof el.length === 'number') el = el[0];
      const ok = el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && /^(text|search|)$/i.test(el.getAttribute('type') ?? '')));
      if (!ok) throw TEXT.badInput;
      if (!typingInputs.has(el)) {
        typingInputs.add(el);
        el.addEventListener('input', () => {
          if (active() && el.value) P.command(NAME + '.sendTyping', { message: el.value }).fail(() => undefined);
        });
      }
    },

    registerPreProcessor(o) {
      const fn = o.preprocessor;
      if (typeof fn !== 'function') throw TEXT.badPreprocessor(fn === null ? 'null' : typeof fn);
      preprocessors.push(fn);
      return fn;
    },

    verifySession: () => ({ sessionActive: state !== 'idle' }),
  };

  /** Awaits a transport call; a lost session ends the chat. Rejects with the response object. */
  async function call<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if (lost(err)) finish('sessionLost');
      throw responseOf(err);
    }
  }

  async function send(text: string) {
    const { message, response } = await call(tp().send(text));
    if (message) ingest([message]);
    return response;
  }

  for (const name in commands) {
    P.registerCommand(name, (e) => {
      Promise.resolve()
        .then(() => commands[name]!(e.data ?? {}, e))
        .then(
          (v) => e.deferred.resolve(v),
          (r) => e.deferred.reject(r instanceof Error ? r.message : r),
        );
    });
  }
  P.registerEvents(EVENTS);
  setData('sessionActive', false);
  setData('agentTyping', false);
  setData('userData', userData);
  if (typeof addEventListener === 'function') addEventListener('pagehide', () => session && ping());
  P.ready();
  P.republish('ready');
  setTimeout(autoRestore);
  return P;
}

/** Files from an <input type=file>, a jQuery object, a FileList, an array or a Blob. */
function toFiles(x: any): Blob[] {
  if (!x || typeof x === 'string') return [];
  if (typeof Blob !== 'undefined' && x instanceof Blob) return [x];
  if (x.files) return toFiles(x.files);
  return typeof x.length === 'number' ? Array.from(x as ArrayLike<unknown>).flatMap(toFiles) : [];
}
