import { Cookie, cookieName, cookieOptions } from '../cookies.js';
import type { SessionData } from '../transports/transport.js';

/**
 * Where a session is kept between page loads: cookies (`_genesys.widgets.webchat.state.keys` and
 * `.ping`, the time the page last heard from the server) or, in async mode, the page's own
 * `transport.async.getSessionData/setSessionData/deleteSessionData`.
 */
const KEYS = 'webchat.state.keys';
const PING = 'webchat.state.ping';
const ASYNC_COOKIE_SECONDS = 30 * 86400;

type Options = Record<string, any>;

export interface StoredSession {
  save(session: SessionData, sessionAsync: boolean): void;
  load(): Promise<SessionData | null>;
  forget(): void;
  /** Notes that the session is alive now. */
  touch(): void;
  /** When the session was last alive (ms), 0 if unknown. */
  lastTouched(): number;
}

export function parseSessionData(v: unknown): SessionData | null {
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      v = { token: v };
    }
  }
  if (!v || typeof v !== 'object') return null;
  const o = v as Options;
  return (typeof o.token === 'string' && o.token) || o.secureKey || o.jwt ? (o as SessionData) : null;
}

/** `asyncConfig` is `transport.async`; `isAsync` whether the current (or configured) session is async; `windowOpen` the WebChat.open bus data. */
export function createStoredSession(asyncConfig: () => Options, isAsync: () => boolean, windowOpen: () => boolean): StoredSession {
  const touch = () => Cookie.set(cookieName(PING), String(Date.now()), cookieOptions());
  return {
    touch,
    lastTouched: () => Number(Cookie.get(cookieName(PING))) || 0,
    save(session, sessionAsync) {
      const a = asyncConfig();
      if (isAsync() && typeof a.getSessionData === 'function') {
        try {
          a.getSessionData(session.token ?? { ...session }, Cookie, cookieOptions());
        } catch (err) {
          console.error('[WebChatService] getSessionData failed', err);
        }
      } else {
        // v3 keeps its token; GMS {sessionID, userId, secureKey, alias}; guest v2 {conversationId, memberId, jwt, eventStreamUri}
        const keys = session.token ? { token: session.token } : session;
        Cookie.set(cookieName(KEYS), JSON.stringify({ ...keys, async: sessionAsync }), { ...cookieOptions(), maxAge: isAsync() ? ASYNC_COOKIE_SECONDS : undefined });
      }
      touch();
    },
    async load() {
      const a = asyncConfig();
      const v: unknown = isAsync() && typeof a.setSessionData === 'function' ? await a.setSessionData(windowOpen(), Cookie, cookieOptions()) : Cookie.get(cookieName(KEYS));
      return parseSessionData(v);
    },
    forget() {
      const o = cookieOptions();
      Cookie.remove(cookieName(KEYS), o);
      Cookie.remove(cookieName(PING), o);
      const remove = asyncConfig().deleteSessionData;
      if (isAsync() && typeof remove === 'function') {
        try {
          remove(Cookie, o);
        } catch (err) {
          console.error('[WebChatService] deleteSessionData failed', err);
        }
      }
    },
  };
}
