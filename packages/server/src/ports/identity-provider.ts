/** What a sign-in keeps between sending the browser to the provider and its return (in a signed cookie). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

/** The verified outcome of a sign-in: the provider (`iss`), the user there (`sub`) and every claim about them. */
export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

/** An OpenID Connect provider, as staff single sign-on uses it (authorization code flow with PKCE). */
export interface IdentityProvider {
  /** Where to send the browser, and what to keep until it comes back to `redirectUri`. */
  begin(redirectUri: string): Promise<{ url: string; pending: PendingSignIn }>;
  /** Redeems the code the browser brought back to `callbackUrl` (the redirect URI with the provider's query); checks state, nonce, the ID token. */
  finish(callbackUrl: URL, pending: PendingSignIn): Promise<VerifiedIdentity>;
}
