import {
  createTransport,
  defineTransport,
  loadTransportFile,
  newOperationId,
  retryableWrite,
  TransportError,
  writeRetryDelays,
  type RawMessage,
  type ReadResult,
  type SessionData,
  type Transport,
} from './transport.js';

/**
 * Chat API v3 ("Consumer Messaging API", reference §1): form-urlencoded bodies with bracket nesting,
 * a random operationId on every request (kept across the retries of one write, so the server
 * stores it once), the configured `headers` on every request and
 * `x-nexus-client-key: <clientToken>` once a session exists. Polls are long polls that resume after
 * the last index the client holds, so nothing is lost or shown twice after a reconnect. A Parley
 * server offers its message stream (a WebSocket, v3-message-stream.ts, loaded on first use) to a
 * start that asks with `x-parley-extensions: message-stream` (`transport.messageStream: false` does
 * not ask): polls then read it, and fall back to long polls from the same index while it is down,
 * trying it again after `transport.messageStreamRetryMs` (30 s).
 */
const POLL_TIMEOUT = 15_000;
const STREAM_RETRY_MS = 30_000;
const STREAM = 'v3-message-stream';
const TIMEOUT = 20_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const enc = encodeURIComponent;

/** {data: {userData: {a: 1}}} -> 'data%5BuserData%5D%5Ba%5D=1' */
export function formEncode(value: Record<string, unknown>, prefix = '', out: string[] = []): string {
  for (const k in value) {
    const v = value[k];
    const key = prefix ? `${prefix}[${k}]` : k;
    if (v == null) continue;
    if (typeof v === 'object') formEncode(v as Record<string, unknown>, key, out);
    else out.push(enc(key) + '=' + enc(String(v)));
  }
  return out.join('&');
}

export const operationId = newOperationId;

/** The payload of a JWT, not verified (the server verifies it). */
export function jwtPayload(token: string): Record<string, any> {
  try {
    return JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}

export function createV3Transport(cfg: Record<string, any>): Transport {
  const base = String(cfg.dataURL || '/nexus/v3/chat/sessions').replace(/\/+$/, '');
  let session: SessionData = {};
  let poller: AbortController | undefined;
  let stream: Pick<Transport, 'poll' | 'abort'> | undefined;
  let streamRetryAt = 0;
  const dropStream = () => {
    if (stream) stream.abort();
    stream = undefined;
  };

  /** Polls are retried by the poll loop; writes here, with the same operationId, a few times. */
  async function call(method: string, path: string, body?: Record<string, unknown> | FormData, query?: Record<string, unknown>, poll?: boolean): Promise<any> {
    const op = operationId();
    for (let attempt = 0; ; attempt++) {
      try {
        return await attemptCall(op, method, path, body, query, poll);
      } catch (err) {
        const delay = writeRetryDelays(cfg)[attempt];
        if (poll || method === 'GET' || delay === undefined || !retryableWrite(err)) throw err;
        await sleep(delay);
      }
    }
  }

  async function attemptCall(op: string, method: string, path: string, body?: Record<string, unknown> | FormData, query?: Record<string, unknown>, poll?: boolean): Promise<any> {
    const headers: Record<string, string> = { ...cfg.headers };
    if (session.token) headers['x-nexus-client-key'] = session.token;
    // A start asks a Parley server for its message stream (a Genesys server is never asked anything else).
    if (!path && method === 'POST' && cfg.messageStream !== false) headers['x-parley-extensions'] = 'message-stream';
    let url = base + path;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) {
      body.set('operationId', op);
      payload = body;
    } else if (body) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = formEncode({ ...body, operationId: op });
    } else url += '?' + formEncode({ ...query, operationId: op });
    const ctl = new AbortController();
    if (poll) poller = ctl;
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        ctl.abort();
      },
      poll ? POLL_TIMEOUT : TIMEOUT,
    );
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: payload, signal: ctl.signal });
    } catch (err) {
      const code = timedOut ? 'TIMEOUT' : ctl.signal.aborted ? 'ABORTED' : 'NETWORK_ERROR';
      const message = timedOut ? 'The request timed out.' : ctl.signal.aborted ? 'The request was cancelled.' : 'The chat server could not be reached.';
      throw new TransportError(message, 0, code, { status: { code, message } });
    } finally {
      clearTimeout(timer);
      if (poller === ctl) poller = undefined;
    }
    const json = await res.json().catch(() => ({}));
    const code = json?.status?.code;
    if (!res.ok || code !== 'SUCCESS') {
      const err = code ? json : { ...json, status: { code: res.status === 404 ? 'INVALID_SESSION' : 'HTTP_' + res.status, message: res.statusText } };
      throw new TransportError(err.status.message || 'Request failed', res.status, err.status.code, { ...err, httpStatus: res.status });
    }
    return json;
  }

  const sid = () => '/' + enc(session.sessionId);
  const read = (r: any): ReadResult => ({ messages: r.data?.messages ?? [], chatEnded: !!r.data?.chatEnded, response: r });
  const adopt = (data: SessionData): SessionData => {
    const p = jwtPayload(data.token);
    dropStream();
    session = {
      sessionId: p.sessionId ?? data.sessionId,
      transportId: p.transportId ?? data.transportId,
      participantId: p.participantId ?? data.participantId,
      token: data.token,
      // Offered at start; the token says so too (a session restored from its token alone).
      stream: data.messageStream || p.ext,
    };
    return { ...session };
  };

  return {
    can: { poll: true, customNotice: false, userData: true, files: true, history: true },
    async start(info) {
      const r = await call('POST', '', {
        data: {
          firstName: info.firstname,
          lastName: info.lastname,
          nickname: info.nickname || info.firstname,
          email: info.email,
          subject: info.subject,
          endpoint: cfg.endpoint ?? 'default',
          stream: cfg.stream ?? 'live',
          async: info.async,
          userData: info.userData,
        },
      });
      return { session: adopt({ ...r.data, token: r.data.clientToken }), response: r };
    },
    async resume(data) {
      return adopt(data);
    },
    async poll(after) {
      if (session.stream && Date.now() >= streamRetryAt) {
        try {
          if (!stream) {
            await loadTransportFile(STREAM);
            stream = createTransport({ type: STREAM, base, headers: cfg.headers, session }) as any;
          }
          return await stream!.poll(after);
        } catch (err) {
          if ((err as TransportError).code === 'ABORTED') throw err;
          dropStream();
          streamRetryAt = Date.now() + (cfg.messageStreamRetryMs || STREAM_RETRY_MS);
        }
      }
      return read(await call('GET', sid() + '/messages', undefined, { index: after }, true));
    },
    async history(count, before) {
      return read(await call('GET', sid() + '/messages', undefined, { count, index: before }));
    },
    async send(text) {
      const r = await call('POST', sid() + '/messages', { data: { type: 'Text', text } });
      return { message: r.data?.message as RawMessage | undefined, response: r };
    },
    typing(started, text) {
      return call('POST', sid() + '/messages', { data: { type: started ? 'TypingStarted' : 'TypingStopped', text } });
    },
    updateUserData(data) {
      return call('PUT', sid() + '/userdata', { data });
    },
    leave() {
      return call('DELETE', sid() + '/participants/' + enc(session.participantId));
    },
    async upload(file, name) {
      const form = new FormData();
      form.append('file', file, name ?? (file as File).name ?? 'file');
      const r = await call('POST', sid() + '/images', form);
      return { message: r.data?.message as RawMessage | undefined, response: r };
    },
    fileUrl: (u) => (/^[a-z][a-z0-9+.-]*:/i.test(u) || u.startsWith(base) ? u : base.replace(/\/sessions$/, '') + u),
    abort() {
      poller?.abort();
      dropStream();
    },
    request: (method, path, body, query) => call(method, path.replace('/{session}', sid()), body, query),
  };
}

defineTransport('pureengage-v3-rest', createV3Transport);
