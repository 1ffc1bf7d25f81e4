import * as oidc from 'openid-client';
import type { IdentityProvider, PendingSignIn, VerifiedIdentity } from '../ports/identity-provider.js';

export interface OpenIdProviderOptions {
  /** The issuer URL; its `/.well-known/openid-configuration` is read on first use. */
  issuer: string;
  clientId: string;
  /** Unset: a public client (PKCE only). */
  clientSecret?: string;
  scopes: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An OpenID Connect provider through openid-client: discovery (cached; retried after a failure),
 * the authorization code flow with PKCE, state and nonce, the ID token checked, and the claims
 * completed from the userinfo endpoint when the provider has one. Plain http is allowed only for a
 * provider on this machine (development, tests).
 */
export class OpenIdProvider implements IdentityProvider {
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(private readonly options: OpenIdProviderOptions) {}

  private config(): Promise<oidc.Configuration> {
    const url = new URL(this.options.issuer);
    const insecure = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
    this.configuration ??= oidc
      .discovery(url, this.options.clientId, this.options.clientSecret, undefined, { timeout: 10, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) })
      .catch((err: unknown) => {
        this.configuration = null;
        throw err;
      });
    return this.configuration;
  }

  async begin(redirectUri: string): Promise<{ url: string; pending: PendingSignIn }> {
    const config = await this.config();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.options.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, pending: { state, nonce, codeVerifier, redirectUri } };
  }

  async finish(callbackUrl: URL, pending: PendingSignIn): Promise<VerifiedIdentity> {
    const config = await this.config();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims()!;
    let userinfo: Record<string, unknown> = {};
    if (config.serverMetadata().userinfo_endpoint && tokens.access_token) userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    return { issuer: idClaims.iss, subject: idClaims.sub, claims: { ...userinfo, ...idClaims } };
  }
}
