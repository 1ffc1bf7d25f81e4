import type { CommandEvent } from '../bus/cxbus.js';
import { parseSessionData } from './stored-session.js';
import { responseOf, type ChatSession } from './chat-session.js';
import { NAME, TEXT } from './contract.js';

type Options = Record<string, any>;
export type CommandHandler = (o: Options, e: CommandEvent) => unknown;

const isRegExp = (x: unknown): x is RegExp => Object.prototype.toString.call(x) === '[object RegExp]';

/** userData values go as strings; nested values as JSON. */
function flat(o: Options): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in o) if (o[k] != null) out[k] = typeof o[k] === 'object' ? JSON.stringify(o[k]) : String(o[k]);
  return out;
}

/** The page the chat starts from, as Genesys sends it in userData. */
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

/** Files from an <input type=file>, a jQuery object, a FileList, an array or a Blob. */
function toFiles(x: any): Blob[] {
  if (!x || typeof x === 'string') return [];
  if (typeof Blob !== 'undefined' && x instanceof Blob) return [x];
  if (x.files) return toFiles(x.files);
  return typeof x.length === 'number' ? Array.from(x as ArrayLike<unknown>).flatMap(toFiles) : [];
}

/** WebChatService's commands (seed 003), by name. Each resolves with the server's response or rejects with seed 003's text. */
export function createCommands(chat: ChatSession): Record<string, CommandHandler> {
  const { transcript, participants, poller, plugin } = chat;
  const setUserData = (data: Options) => {
    chat.userData = data;
    plugin.data('userData', data);
  };
  const typingInputs = new WeakSet<object>();
  let lastTypingSentAt = 0;
  let lastTypingResponse: unknown;

  return {
    configure(o) {
      if (o && typeof o === 'object') Object.assign(chat.config, o);
      if (o?.transport || o?.dataURL) chat.dropTransport();
      setUserData(o?.userData ? { ...chat.userData, ...o.userData } : chat.userData);
    },

    async startChat(o) {
      if (chat.state !== 'idle') throw TEXT.alreadyActive;
      let ud = o.userData;
      if (typeof ud === 'string') {
        try {
          ud = JSON.parse(ud);
        } catch {
          throw TEXT.badUserData;
        }
      }
      if (ud != null && (typeof ud !== 'object' || Array.isArray(ud))) throw TEXT.badUserData;
      const transport = chat.transport();
      chat.state = 'starting';
      chat.reset();
      const async = o.async != null ? !!o.async : !!chat.asyncConfig().enabled;
      try {
        const { session, response, started } = await transport.start({
          nickname: o.nickname,
          firstname: o.firstname,
          lastname: o.lastname,
          email: o.email,
          subject: o.subject,
          userData: flat({ ...pageInfo(), ...chat.userData, ...ud }),
          async,
        });
        chat.begin(session, async);
        chat.publish('started', started ?? { data: { ...session } });
        poller.start();
        return response;
      } catch (err) {
        chat.state = 'idle';
        chat.publish('error', responseOf(err));
        throw responseOf(err);
      }
    },

    async endChat() {
      if (!chat.active()) throw TEXT.noSession;
      try {
        const r = await chat.transport().leave();
        chat.finish('ended');
        return r;
      } catch (err) {
        if (chat.lost(err)) chat.finish('ended');
        throw responseOf(err);
      }
    },

    async sendMessage(o) {
      if (typeof o.message !== 'string' || !o.message.trim()) throw TEXT.noText;
      if (!chat.active()) throw TEXT.noSession;
      participants.stopClientTyping(false);
      return chat.send(o.message);
    },

    async sendCustomNotice(o) {
      const transport = chat.transport();
      if (!transport.can.customNotice || !transport.customNotice) throw TEXT.noCustomNotice;
      if (!chat.active()) throw TEXT.noSession;
      return chat.call(transport.customNotice(String(o.message ?? '')));
    },

    async sendTyping(o) {
      if (!chat.active()) throw TEXT.noSession;
      const text = o.message ?? o.Message;
      const fresh = participants.clientTyped();
      if (fresh || Date.now() - lastTypingSentAt > 3000) {
        lastTypingSentAt = Date.now();
        lastTypingResponse = await chat.call(chat.transport().typing(true, text == null ? undefined : String(text)));
      }
      return lastTypingResponse;
    },

    async sendFilteredMessage(o) {
      if (!chat.active()) throw TEXT.noActive;
      if (isRegExp(o.regex)) transcript.prefilters.push(o.regex);
      if (typeof o.message !== 'string' || !o.message.trim()) throw TEXT.noText;
      await chat.send(o.message);
    },

    addPrefilter(o) {
      const list = Array.isArray(o.filters) ? o.filters : [o.filters];
      if (!list.length || !list.every(isRegExp)) throw TEXT.badFilters;
      transcript.prefilters.push(...list);
      return transcript.prefilters.slice();
    },

    async updateUserData(o) {
      const added: Options = {};
      for (const k in o) added[k] = o[k];
      if (!chat.active()) {
        setUserData({ ...chat.userData, ...added });
        return chat.userData;
      }
      if (!chat.transport().can.userData) throw TEXT.noUserDataUpdate;
      const r = await chat.call(chat.transport().updateUserData(flat(added)));
      setUserData({ ...chat.userData, ...added });
      return r;
    },

    async poll(_o, e) {
      if (e.commander !== NAME) throw TEXT.pollPrivate;
      if (!chat.transport().can.poll) throw TEXT.noPolling;
      if (!chat.active() || poller.busy) throw TEXT.pollBusy;
      await chat.call(poller.pollOnce());
    },

    startPoll() {
      if (!chat.active()) throw TEXT.noActive;
      if (!chat.transport().can.poll) throw TEXT.noPolling;
      poller.start();
    },

    stopPoll() {
      if (!chat.active()) throw TEXT.noActive;
      if (!chat.transport().can.poll) throw TEXT.noPolling;
      poller.stop();
    },

    resetPollExceptions() {
      if (!chat.transport().can.poll) throw TEXT.noReset;
      poller.errors = 0;
    },

    async restore(o, e) {
      if (!chat.isAsync() && e.commander !== NAME) throw TEXT.restorePrivate;
      if (chat.state === 'restoring') throw TEXT.restoring;
      if (chat.state !== 'idle') throw TEXT.restoreActive;
      const saved = o.sessionData != null ? parseSessionData(o.sessionData) : await chat.stored.load();
      if (!saved) throw undefined;
      try {
        await chat.restore(saved);
      } catch (err) {
        throw responseOf(err);
      }
    },

    getTranscript: () => ({ messages: transcript.messages.slice(), originalMessages: transcript.originals.slice() }),

    getAgents: () => participants.agents,

    getStats: () => ({ agents: participants.agents, startTime: chat.startTime, endTime: chat.endTime, duration: chat.startTime ? (chat.endTime ?? Date.now()) - chat.startTime : 0 }),

    async sendFile(o) {
      if (!chat.transport().can.files) throw TEXT.noFiles;
      if (!chat.active()) throw TEXT.noSession;
      const files = toFiles(o.files ?? o.file);
      if (!files.length) throw 'No file provided.';
      const out: unknown[] = [];
      for (const f of files) {
        const { message, response } = await chat.call(chat.transport().upload(f, (f as File).name));
        if (message) chat.ingest([message]);
        out.push(response);
      }
      return out.length === 1 ? out[0] : out;
    },

    downloadFile(o) {
      const id = String(o.fileId ?? '');
      const hit = transcript.originals.flatMap((m) => (m.content ?? []).map((c) => ({ m, c }))).find(({ m, c }) => id && (m.id === id || (c.url ?? '').includes(id)));
      if (!hit?.c.url) throw 'No file with that fileId in this chat session.';
      const a = document.createElement('a');
      a.href = chat.transport().fileUrl(hit.c.url);
      a.download = o.fileName ?? hit.c.name ?? '';
      a.rel = 'noopener';
      document.body.appendChild(a);
      a.click();
      a.remove();
    },

    getSessionData: () => (chat.session ? { ...chat.session } : {}),

    async fetchHistory() {
      if (!chat.isAsync()) throw TEXT.historyAsync;
      if (!chat.active()) throw TEXT.noSession;
      if (transcript.historyDone) throw TEXT.historyDone;
      const r = await chat.call(chat.transport().history(chat.pageSize(), transcript.oldest));
      if (r.messages.length < chat.pageSize()) transcript.historyDone = true;
      chat.ingest(r.messages, { old: true });
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
          if (chat.active() && el.value) plugin.command(NAME + '.sendTyping', { message: el.value }).fail(() => undefined);
        });
      }
    },

    registerPreProcessor(o) {
      const fn = o.preprocessor;
      if (typeof fn !== 'function') throw TEXT.badPreprocessor(fn === null ? 'null' : typeof fn);
      transcript.preprocessors.push(fn);
      return fn;
    },

    verifySession: () => ({ sessionActive: chat.state !== 'idle' }),

    /** Parley: a request of the transport's own (Transport.request) for the UI's add-ons; the answer's `data`. */
    async parleyRequest(o) {
      const transport = chat.transport();
      if (!transport.request) throw 'This transport does not support it.';
      try {
        return (await transport.request(String(o.method), String(o.path), o.data && { data: o.data }, o.query)).data;
      } catch (err) {
        throw responseOf(err);
      }
    },
  };
}
