import { SignJWT, jwtVerify } from 'jose';
import type { Role } from '../ports/store.js';
import { ExpiringCache } from './expiring-cache.js';

/** Longer than an asynchronous session's idle limit (7 days by default). */
export const DEFAULT_CLIENT_TOKEN_TTL_SECONDS = 8 * 86_400;
/**
 * How long a verified token's claims are reused (never past the token's expiry). A signature that
 * verified once verifies again; staff tokens are revoked through the account (its generation), which
 * is checked on every request, so this lifetime delays no revocation.
 */
export const VERIFIED_TOKEN_CACHE_MS = 60_000;
/** Verified tokens kept per node (a customer's token is about 300 bytes). */
export const VERIFIED_TOKEN_CACHE_ENTRIES = 20_000;

export interface ClientTokenClaims {
  sessionId: string;
  transportId: string;
  participantId: string;
  deploymentId: string;
  /** The client asked for Parley's wire extensions (interaction state changes on GMS and guest chat). */
  ext: boolean;
  /** When the token stops being accepted (a socket opened with it is closed then). */
  expiresAtMs: number;
}

export interface StaffTokenClaims {
  accountId: string;
  role: Role;
  generation: number;
  expiresAtMs: number;
}

type Verified = { kind: 'customer'; claims: ClientTokenClaims } | { kind: 'staff'; claims: StaffTokenClaims };

/**
 * Signs and verifies the JWTs Parley hands out: customer client tokens and staff access tokens. The
 * HMAC key is imported once (WebCrypto import costs more than the verify itself), and a token
 * verified once is answered from memory until it expires or VERIFIED_TOKEN_CACHE_MS passes.
 */
export class TokenService {
  private readonly secret: Uint8Array<ArrayBuffer>;
  private key: Promise<CryptoKey> | null = null;
  private readonly verified: ExpiringCache<string, Verified>;

  private readonly clientTokenTtlSeconds: number;
  private readonly now: () => number;

  /**
   * `clientTokenTtlSeconds`: how long a customer's token (v3 clientToken, GMS secureKey, guest jwt)
   * is accepted after it was issued; a v3 async restore hands out a fresh one. `now`: the clock.
   */
  constructor(
    secret: string,
    private readonly staffTokenTtlSeconds: number,
    opts: { clientTokenTtlSeconds?: number; now?: () => number } = {},
  ) {
    this.secret = new TextEncoder().encode(secret);
    this.clientTokenTtlSeconds = opts.clientTokenTtlSeconds ?? DEFAULT_CLIENT_TOKEN_TTL_SECONDS;
    this.now = opts.now ?? Date.now;
    this.verified = new ExpiringCache({ maxEntries: VERIFIED_TOKEN_CACHE_ENTRIES, now: this.now });
  }

  /** The HMAC key, imported on first use and kept. */
  private hmacKey(): Promise<CryptoKey> {
    this.key ??= crypto.subtle.importKey('raw', this.secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return this.key;
  }

  /** The v3 `clientToken`: the client reads `{sessionId, transportId, participantId}` from it. */
  async signClientToken(claims: { sessionId: string; transportId: string; participantId: string; deploymentId: string; ext?: boolean }): Promise<string> {
    const { ext, ...rest } = claims;
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ ...rest, kind: 'customer', ...(ext ? { ext: 1 } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.clientTokenTtlSeconds)
      .sign(await this.hmacKey());
  }

  /** The claims of a customer's token signed here and not expired, or null. */
  async verifyClientToken(token: string): Promise<ClientTokenClaims | null> {
    const hit = this.verified.get(token);
    if (hit) return hit.kind === 'customer' ? hit.claims : null;
    try {
      // maxTokenAge also ends tokens issued before they carried exp.
      const { payload } = await jwtVerify(token, await this.hmacKey(), { algorithms: ['HS256'], currentDate: new Date(this.now()), maxTokenAge: this.clientTokenTtlSeconds });
      if (payload.kind !== 'customer' || typeof payload.iat !== 'number') return null;
      const { sessionId, transportId, participantId, deploymentId } = payload as Record<string, unknown>;
      if (typeof sessionId !== 'string' || typeof participantId !== 'string' || typeof deploymentId !== 'string' || typeof transportId !== 'string') return null;
      const endsMs = Math.min(typeof payload.exp === 'number' ? payload.exp * 1000 : Infinity, (payload.iat + this.clientTokenTtlSeconds) * 1000);
      const claims = { sessionId, transportId, participantId, deploymentId, ext: payload.ext === 1, expiresAtMs: endsMs };
      this.remember(token, { kind: 'customer', claims }, endsMs);
      return claims;
    } catch {
      return null;
    }
  }

  /** `generation`: the account's token generation; raising it in the store revokes the token. */
  async signStaffToken(accountId: string, role: Role, generation: number): Promise<{ token: string; expiresAt: string }> {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + this.staffTokenTtlSeconds;
    const token = await new SignJWT({ role, kind: 'staff', gen: generation })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(accountId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(await this.hmacKey());
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The claims of a staff token signed here and not expired, or null. Whether the account still grants them is the caller's check. */
  async verifyStaffToken(token: string): Promise<StaffTokenClaims | null> {
    const hit = this.verified.get(token);
    if (hit) return hit.kind === 'staff' ? hit.claims : null;
    try {
      const { payload } = await jwtVerify(token, await this.hmacKey(), { algorithms: ['HS256'], currentDate: new Date(this.now()) });
      if (payload.kind !== 'staff' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return null;
      const role = payload.role;
      if (role !== 'agent' && role !== 'supervisor' && role !== 'admin') return null;
      const generation = typeof payload.gen === 'number' ? payload.gen : 0;
      const claims: StaffTokenClaims = { accountId: payload.sub, role, generation, expiresAtMs: payload.exp * 1000 };
      this.remember(token, { kind: 'staff', claims }, claims.expiresAtMs);
      return claims;
    } catch {
      return null;
    }
  }

  /** Keeps a verified token's claims, at most until the token expires. */
  private remember(token: string, verified: Verified, endsMs: number): void {
    this.verified.set(token, verified, Math.min(endsMs, this.now() + VERIFIED_TOKEN_CACHE_MS));
  }
}
