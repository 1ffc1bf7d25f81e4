/**
 * A real OpenID Connect provider for tests (oidc-provider), on a free loopback port. Its login and
 * consent step signs in whoever the test names with `signInAs` (the one interaction a person would
 * do in a browser); everything else — discovery, PKCE, state, nonce, signed ID tokens, userinfo —
 * is the provider's own.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Users by subject: their claims (preferred_username, name, email, groups). */
  users: Map<string, Record<string, unknown>>;
  /** The subject the next sign-in is for. */
  signInAs(subject: string): void;
  /** Registers the client with the relying party's redirect URI (known once the server under test listens). */
  register(redirectUri: string): void;
  close(): Promise<void>;
}

export async function startOidcProvider(): Promise<TestIdp> {
  const users = new Map<string, Record<string, unknown>>();
  let current = '';
  let provider: Provider | null = null;
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'parley-desktop';
  const clientSecret = 'parley-test-client-secret-0123456789';

  const interaction = async (req: IncomingMessage, res: ServerResponse) => {
    const p = provider!;
    const details = await p.interactionDetails(req, res);
    const grant = new p.Grant({ accountId: current, clientId });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await p.interactionFinished(req, res, { login: { accountId: current }, consent: { grantId } }, { mergeWithLastSubmission: false });
  };

  return {
    issuer,
    clientId,
    clientSecret,
    users,
    signInAs(subject) {
      current = subject;
    },
    register(redirectUri) {
      provider = new Provider(issuer, {
        clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
        async findAccount(_ctx, sub) {
          const claims = users.get(sub);
          return claims ? { accountId: sub, claims: async () => ({ sub, ...claims }) } : undefined;
        },
        claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], groups: ['groups'] },
        interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
        features: { devInteractions: { enabled: false } },
        cookies: { keys: ['test-cookie-key-0123456789'] },
        ttl: { Interaction: 600, Grant: 3600, Session: 3600, AccessToken: 600, IdToken: 600 },
      });
      const callback = provider.callback();
      handle = (req, res) => {
        if (req.url?.startsWith('/interaction/')) {
          interaction(req, res).catch((err: unknown) => {
            res.statusCode = 500;
            res.end(String(err));
          });
          return;
        }
        callback(req, res);
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A browser's way through redirects: follows them (keeping cookies per host name, as browsers do:
 * not per port, nor here per path) until one leads to `stopAt` (an origin + path prefix), and
 * returns that URL.
 */
export async function followRedirects(start: string, stopAt: string, maxHops = 20): Promise<URL> {
  const jar = new Map<string, Map<string, string>>();
  let url = new URL(start);
  for (let hop = 0; hop < maxHops; hop++) {
    const cookies = jar.get(url.hostname) ?? new Map<string, string>();
    const res = await fetch(url, { redirect: 'manual', headers: cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {} });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expired = /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line) || value === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
    jar.set(url.hostname, cookies);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) throw new Error(`${url.href} answered ${res.status} without a redirect: ${(await res.text()).slice(0, 300)}`);
    await res.body?.cancel();
    url = new URL(location, url);
    if (url.href.startsWith(stopAt)) return url;
  }
  throw new Error(`more than ${maxHops} redirects`);
}
