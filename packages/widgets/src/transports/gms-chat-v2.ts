import { mainConfig } from '../config.js';
import { defineTransport, GMS, newOperationId, retryableWrite, TransportError, writeRetryDelays, type RawMessage, type ReadResult, type SessionData, type Transport } from './transport.js';

/**
 * GMS chat API v2 (reference §2), the Genesys client's legacy transport: no `transport.type`, the
 * service at `webchat.dataURL` (`<base>/genesys/2/chat/<serviceName>`). Every call is a form POST
 * with the `apikey` header and alias/userId/secureKey; the start goes to `{dataURL}/` (trailing slash
 * unless `webchat.enableUrlTrailingSlash` is false). `refresh` is polled every 0.5-3 s (sooner after
 * activity) with `transcriptPosition` = highest index seen + 1; every response may carry messages,
 * and all of them are delivered through poll() in index order.
 */
const MIN_DELAY = 500;
const MAX_DELAY = 3000;

type Any = Record<string, any>;

/** {a: 1, userData: {k: 'v'}} -> 'a=1&userData%5Bk%5D=v' */
export function gmsForm(o: Any, prefix = '', out: string[] = []): string {
  for (const k in o) {
    const v = o[k];
    const key = prefix ? `${prefix}[${k}]` : k;
    if (v === undefined || v === null) continue;
    if (typeof v === 'object') gmsForm(v, key, out);
    else out.push(encodeURIComponent(key) + '=' + encodeURIComponent(String(v)));
  }
  return out.join('&');
}

/**
 * A FileUploaded message's attachment (GMS puts the file's metadata in `userData`). Its link is
 * `file/{fileId}/download` with the chat's keys in the query, so a plain link can open it.
 */
function attachment(m: Any, base: string, keys: SessionData): Any[] | undefined {
  const u = m.userData ?? {};
  const id = u['file-id'] ?? u.fileId;
  if (m.type !== 'FileUploaded' || id == null) return undefined;
  const q = gmsForm({ alias: keys.alias, userId: keys.userId, secureKey: keys.secureKey });
  const url = `${base}/${encodeURIComponent(keys.sessionID)}/file/${encodeURIComponent(id)}/download?${q}`;
  return [{ type: 'file', name: u['file-name'], mime: u['file-type'], size: u['file-size'] != null ? +u['file-size'] : undefined, fileId: String(id), url }];
}

export function createGmsTransport(_transport: Any, webchat: Any): Transport {
  const base = String(webchat.dataURL || '').replace(/\/+$/, '');
  const timeoutMs = +webchat.ajaxTimeout || 20_000;
  let session: SessionData = {};
  let top = 0; // highest message index seen
  let buf: RawMessage[] = []; // messages any response brought, not yet handed out by poll()
  let ended = false;
  let delay = MIN_DELAY;
  let pollers = new Set<AbortController>(); // refreshes in flight (abort() cancels them)
  let wake: (() => void) | undefined;
  let stopped = false;
  let lastRefresh = 0;
  let sleeper: { resolve: () => void; timer: ReturnType<typeof setTimeout> } | undefined;

  const aborted = () => new TransportError('The request was cancelled.', 0, 'ABORTED', { statusCode: 2, errors: [{ code: 'ABORTED', advice: 'The request was cancelled.' }] });

  /** Every response's messages go to the buffer (a send's answer may hold the agent's reply). */
  function absorb(r: Any) {
    for (const m of Array.isArray(r.messages) ? r.messages : []) {
      if (!m || m.index == null) continue;
      top = Math.max(top, +m.index);
      const content = attachment(m, base, session);
      // a PushUrl carries its URL in `text`; `url` is where the other transports (and the UI) have it
      buf.push(content ? { ...m, content } : m.type === 'PushUrl' && m.url == null ? { ...m, url: m.text } : m);
    }
    if (r.chatEnded) ended = true;
    if (buf.length || ended) wake?.();
  }

  /**
   * Writes (not polls, not uploads) carry an operationId (a Parley extension; GMS ignores unknown
   * fields) and are sent again with it after no answer or a 502/503/504, so a retry is stored once.
   */
  async function call(path: string, fields: Any = {}, o: { poll?: boolean; form?: FormData } = {}): Promise<Any> {
    if (o.poll || o.form || path === '' || path === '/') return attempt(path, fields, o);
    const withId = { ...fields, operationId: newOperationId() };
    for (let n = 0; ; n++) {
      try {
        return await attempt(path, withId, o);
      } catch (err) {
        const wait = writeRetryDelays(_transport)[n];
        if (wait === undefined || !retryableWrite(err)) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  async function attempt(path: string, fields: Any = {}, o: { poll?: boolean; form?: FormData } = {}): Promise<Any> {
    // Parley extension: interaction state changes come through too (seed 000's page code needs them).
    const headers: Record<string, string> = { 'x-parley-extensions': 'interaction-state' };
    if (webchat.apikey) headers.apikey = String(webchat.apikey);
    const keys = { alias: session.alias ?? '', secureKey: session.secureKey ?? '', userId: session.userId ?? '' };
    let body: BodyInit;
    if (o.form) {
      for (const [k, v] of Object.entries(keys)) o.form.append(k, String(v));
      body = o.form;
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = gmsForm({ ...keys, ...fields });
    }
    const ctl = new AbortController();
    if (o.poll) pollers.add(ctl);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, timeoutMs);
    let res: Response;
    try {
      res = await fetch(base + path, { method: 'POST', headers, body, signal: ctl.signal });
    } catch {
      if (ctl.signal.aborted && !timedOut) throw aborted();
      const code = timedOut ? 'TIMEOUT' : 'NETWORK_ERROR';
      const message = timedOut ? 'The request timed out.' : 'The chat server could not be reached.';
      throw new TransportError(message, 0, code, { statusCode: 1, errors: [{ code, advice: message }], status: { code, message } });
    } finally {
      clearTimeout(timer);
      pollers.delete(ctl);
    }
    const json: Any = await res.json().catch(() => ({}));
    if (!res.ok || json.statusCode !== 0) {
      const e = (Array.isArray(json.errors) && json.errors[0]) || {};
      // 404, chatEnded or "chat not found" (102), or a refresh refused for these keys: the chat is gone
      const gone = res.status === 404 || json.chatEnded === true || e.code === 102 || (o.poll && json.statusCode === 2 && (res.status === 401 || res.status === 403));
      const code = gone ? 'INVALID_SESSION' : e.code != null ? String(e.code) : 'HTTP_' + res.status;
      const message = e.advice || e.message || res.statusText || 'Request failed';
      throw new TransportError(message, res.status, code, { ...json, status: { code, message }, httpStatus: res.status });
    }
    absorb(json);
    return json;
  }

  const chat = (op: string) => '/' + encodeURIComponent(session.sessionID) + '/' + op;
  const position = () => ({ transcriptPosition: top + 1 });
  const drain = (response: Any): ReadResult => {
    const messages = buf.sort((a, b) => +a.index - +b.index);
    buf = [];
    return { messages, chatEnded: ended, response };
  };
  const adopt = (d: SessionData): SessionData => {
    session = { sessionID: String(d.sessionID ?? d.chatId), userId: d.userId, secureKey: d.secureKey, alias: d.alias };
    top = 0;
    buf = [];
    ended = false;
    stopped = false;
    delay = MIN_DELAY;
    return { ...session };
  };

  /** Waits `ms`, or less when a response brings messages; rejects when aborted. */
  const pause = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(sleeper?.timer);
        sleeper = undefined;
        wake = undefined;
        if (stopped) reject(aborted());
        else resolve();
      }
      wake = done;
      sleeper = { resolve: done, timer };
    });

  /** After the customer did something: refresh soon (0.5 s after the last refresh), then often. */
  function kick() {
    delay = MIN_DELAY;
    if (!sleeper) return;
    clearTimeout(sleeper.timer);
    sleeper.timer = setTimeout(sleeper.resolve, Math.max(0, lastRefresh + MIN_DELAY - Date.now()));
  }

  return {
    can: { poll: true, customNotice: true, userData: true, files: true, history: true },
    selfTimed: true,
    async start(info) {
      adopt({});
      const r = await call(webchat.enableUrlTrailingSlash === false ? '' : '/', {
        nickname: info.nickname || info.firstname || '',
        firstName: info.firstname,
        lastName: info.lastname,
        emailAddress: info.email,
        subject: info.subject,
        text: '',
        userData: { GCTI_LanguageCode: mainConfig().lang, ...info.userData },
      });
      const keys = adopt(r);
      absorb(r);
      return { session: keys, response: r, started: { ...keys } };
    },
    async resume(data) {
      return adopt(data);
    },
    async poll() {
      stopped = false;
      let response: Any = {};
      if (!buf.length && !ended) {
        await pause(delay);
        if (!buf.length && !ended) {
          lastRefresh = Date.now();
          response = await call(chat('refresh'), { ...position(), message: '' }, { poll: true });
        }
      }
      const r = drain(response);
      delay = r.messages.length ? MIN_DELAY : Math.min(MAX_DELAY, Math.round(delay * 1.5));
      return r;
    },
    async history(_count, before) {
      // GMS has no paging: a restore reads the whole transcript from position 1
      if (before != null) return { messages: [], chatEnded: ended, response: {} };
      const r = await call(chat('refresh'), { transcriptPosition: 1, message: '' }, { poll: true });
      return drain(r);
    },
    async send(text) {
      const r = await call(chat('send'), { message: text, messageType: 'text' });
      kick();
      const mine = (r.messages ?? []).filter((m: Any) => m.type === 'Message' && m.from?.type === 'Client' && m.text === text).pop();
      return { message: mine, response: r };
    },
    customNotice(text) {
      return call(chat('customNotice'), { message: text });
    },
    typing(started, text) {
      return call(chat(started ? 'startTyping' : 'stopTyping'), { ...position(), message: text ?? '' });
    },
    updateUserData(data) {
      return call(chat('updateData'), { userData: data });
    },
    async leave() {
      const r = await call(chat('disconnect'));
      ended = true;
      return r;
    },
    async upload(file, name) {
      const form = new FormData();
      form.append('file', file, name ?? (file as File).name ?? 'file');
      const r = await call(chat('file'), {}, { form });
      kick();
      return { response: r };
    },
    fileUrl: (u) => (/^[a-z][a-z0-9+.-]*:/i.test(u) || u.startsWith(base) ? u : base + u),
    abort() {
      stopped = true;
      for (const c of pollers) c.abort();
      pollers = new Set();
      wake?.();
    },
  };
}

defineTransport(GMS, createGmsTransport);
