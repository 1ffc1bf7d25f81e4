import type { FastifyInstance, FastifyRequest } from 'fastify';
import { agentResponses } from '@parley/protocol';
import { ChatError, StoreUnavailableError } from '../../core/errors.js';
import type { StaffSso } from '../../core/sso.js';
import { errorReply } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';

export const SSO_PREFIX = '/agent/v1/sso';
const COOKIE = 'parley_sso';

export interface StaffSsoDeps {
  /** Null when SSO is not configured: the login page shows no button, start and callback are 404. */
  sso: StaffSso | null;
  openapi: OpenApiRegistry;
  /** Where the desktop lives; the callback returns the browser there with the token (or the error) in the fragment. */
  desktopPath: string;
  /** SSO_REDIRECT_URI; unset: this path on the request's own origin. */
  redirectUri?: string;
  loginLimitPerMinute: number;
}

/**
 * Staff single sign-on for the desktop (OpenID Connect, authorization code flow). `start` sends the
 * browser to the provider, keeping the sign-in's secrets in a signed cookie scoped to the callback;
 * `callback` finishes it and returns the browser to the desktop with the staff token in the URL
 * fragment (never sent to a server, removed by the desktop at once), or with the reason it failed.
 */
export function registerStaffSso(app: FastifyInstance, deps: StaffSsoDeps): void {
  const { sso, openapi } = deps;
  const limit = { rateLimit: { max: deps.loginLimitPerMinute, timeWindow: 60_000 } };
  const doc = (d: Parameters<OpenApiRegistry['add']>[0]) => openapi.add(d);
  // The cookie goes only to the callback (as the provider calls it: a proxy may add a prefix).
  const cookiePath = deps.redirectUri ? new URL(deps.redirectUri).pathname : `${SSO_PREFIX}/callback`;

  doc({ method: 'get', path: SSO_PREFIX, tag: 'agent', summary: 'Whether the login page offers single sign-on, and the button text', response: agentResponses.sso });
  app.get(SSO_PREFIX, async () => (sso ? { enabled: true, label: sso.label } : { enabled: false }));
  if (!sso) return;

  doc({
    method: 'get',
    path: `${SSO_PREFIX}/start`,
    tag: 'agent',
    summary: 'Start a single sign-on: 302 to the identity provider',
    responses: { '302': 'to the provider', '503': 'the provider cannot be reached' },
  });
  app.get(`${SSO_PREFIX}/start`, { config: limit }, async (req, reply) => {
    try {
      const redirectUri = deps.redirectUri ?? `${req.protocol}://${req.host}${SSO_PREFIX}/callback`;
      let begun;
      try {
        begun = await sso.begin(redirectUri);
      } catch (err) {
        if (err instanceof ChatError || err instanceof StoreUnavailableError) throw err;
        req.log.warn({ err }, 'single sign-on: the identity provider cannot be reached');
        return reply
          .code(503)
          .header('retry-after', '5')
          .send({ status: { code: 'SERVICE_UNAVAILABLE', message: 'the identity provider cannot be reached; try again shortly' }, referenceId: String(req.id) });
      }
      const secure = new URL(redirectUri).protocol === 'https:' ? '; Secure' : '';
      return reply.header('cache-control', 'no-store').header('set-cookie', `${COOKIE}=${begun.keep}; Path=${cookiePath}; Max-Age=600; HttpOnly; SameSite=Lax${secure}`).redirect(begun.url, 302);
    } catch (err) {
      return errorReply(req, reply, err);
    }
  });

  doc({
    method: 'get',
    path: `${SSO_PREFIX}/callback`,
    tag: 'agent',
    summary: "The identity provider's return: 303 to the desktop with the staff token (#sso-token=) or the reason (#sso-error=) in the fragment",
    responses: { '303': 'to the desktop' },
  });
  // The query carries the one-time code and state: keep the request line out of the log.
  app.get(`${SSO_PREFIX}/callback`, { config: limit, logLevel: 'warn' }, async (req, reply) => {
    const back = (fragment: string) =>
      reply.header('cache-control', 'no-store').header('set-cookie', `${COOKIE}=; Path=${cookiePath}; Max-Age=0; HttpOnly; SameSite=Lax`).redirect(`${deps.desktopPath}#${fragment}`, 303);
    try {
      const query = req.query as Record<string, unknown>;
      if (typeof query.error === 'string') {
        const why = typeof query.error_description === 'string' ? query.error_description : query.error;
        throw new ChatError('UNAUTHORIZED', `the identity provider did not sign you in: ${why.slice(0, 200)}`);
      }
      const pending = await sso.pending(cookieValue(req, COOKIE));
      const callbackUrl = new URL(pending.redirectUri);
      callbackUrl.search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      const login = await sso.finish(callbackUrl, pending);
      return back(`sso-token=${encodeURIComponent(login.token)}`);
    } catch (err) {
      return back(`sso-error=${encodeURIComponent(failureText(req, err))}`);
    }
  });
}

function failureText(req: FastifyRequest, err: unknown): string {
  if (err instanceof ChatError) return err.message;
  if (err instanceof StoreUnavailableError) return 'the service is briefly unavailable; try again shortly';
  req.log.error({ err }, 'single sign-on failed');
  return 'single sign-on failed; try again or ask an administrator';
}

function cookieValue(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
