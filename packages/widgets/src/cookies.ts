import { mainConfig } from './config.js';

/**
 * Cookies as Genesys Widgets names them: `_genesys.widgets.<plugin>.<key>`, prefixed with
 * `<main.deploymentID>.` when set. Options come from `main.cookieOptions` (path, domain, secure, sameSite).
 */
export interface CookieOptions {
  path?: string;
  domain?: string;
  secure?: boolean;
  sameSite?: string;
  /** seconds; omitted = a session cookie */
  maxAge?: number;
  expires?: Date | string | number;
}

const enc = encodeURIComponent;

export const Cookie = {
  get(name: string): string | undefined {
    if (typeof document === 'undefined') return undefined;
    for (const c of document.cookie.split('; ')) {
      const i = c.indexOf('=');
      if (i > 0 && decodeURIComponent(c.slice(0, i)) === name) return decodeURIComponent(c.slice(i + 1));
    }
    return undefined;
  },
  set(name: string, value: string, o: CookieOptions = {}): void {
    if (typeof document === 'undefined') return;
    document.cookie =
      `${enc(name)}=${enc(value)}; path=${o.path ?? '/'}` +
      (o.domain ? '; domain=' + o.domain : '') +
      (o.maxAge != null ? '; max-age=' + o.maxAge : '') +
      (o.expires != null ? '; expires=' + new Date(o.expires).toUTCString() : '') +
      (o.secure ? '; secure' : '') +
      '; samesite=' +
      (o.sameSite ?? 'Lax');
  },
  remove(name: string, o: CookieOptions = {}): void {
    Cookie.set(name, '', { ...o, maxAge: 0, expires: 0 });
  },
};

/** Full cookie name for a key such as 'webchat.state.keys'. */
export function cookieName(key: string): string {
  const id = mainConfig().deploymentID;
  return (id ? id + '.' : '') + '_genesys.widgets.' + key;
}

export const cookieOptions = (): CookieOptions => ({ ...mainConfig().cookieOptions });
