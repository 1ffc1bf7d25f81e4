import { SignJWT, jwtVerify } from 'jose';
import type { Role } from '../ports/store.js';

/** Longer than an asynchronous session's idle limit (7 days by default). */
export const DEFAULT_CLIENT_TOKEN_TTL_SECONDS = 8 * 86_400;

/** Signs and verifies the JWTs Parley hands out: customer client tokens and staff access tokens. */
export class TokenService {
  private readonly key: Uint8Array;

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
    this.key = new TextEncoder().encode(secret);
    this.clientTokenTtlSeconds = opts.clientTokenTtlSeconds ?? DEFAULT_CLIENT_TOKEN_TTL_SECONDS;
    this.now = opts.now ?? Date.now;
  }

  /** The v3 `clientToken`: the client reads `{sessionId, transportId, participantId}` from it. */
  async signClientToken(claims: { sessionId: string; transportId: string; participantId: string; deploymentId: string; ext?: boolean }): Promise<string> {
    const { ext, ...rest } = claims;
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ ...rest, kind: 'customer', ...(ext ? { ext: 1 } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.clientTokenTtlSeconds)
      .sign(this.key);
  }

  /** `ext`: the client asked for Parley's wire extensions (interaction state changes on GMS and guest chat). */
  async verifyClientToken(token: string): Promise<{ sessionId: string; transportId: string; participantId: string; deploymentId: string; ext: boolean } | null> {
    try {
      // maxTokenAge also ends tokens issued before they carried exp.
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], currentDate: new Date(this.now()), maxTokenAge: this.clientTokenTtlSeconds });
      if (payload.kind !== 'customer') return null;
      const { sessionId, transportId, participantId, deploymentId } = payload as Record<string, unknown>;
      if (typeof sessionId !== 'string' || typeof participantId !== 'string' || typeof deploymentId !== 'string' || typeof transportId !== 'string') return null;
      return { sessionId, transportId, participantId, deploymentId, ext: payload.ext === 1 };
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
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  async verifyStaffToken(token: string): Promise<{ accountId: string; role: Role; generation: number; expiresAtMs: number } | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], currentDate: new Date(this.now()) });
      if (payload.kind !== 'staff' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return null;
      const role = payload.role;
      if (role !== 'agent' && role !== 'supervisor' && role !== 'admin') return null;
      const generation = typeof payload.gen === 'number' ? payload.gen : 0;
      return { accountId: payload.sub, role, generation, expiresAtMs: payload.exp * 1000 };
    } catch {
      return null;
    }
  }
}
