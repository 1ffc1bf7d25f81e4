import { SignJWT, jwtVerify } from 'jose';
import type { Role } from '../ports/store.js';

/** Signs and verifies the JWTs Parley hands out: customer client tokens and staff access tokens. */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly staffTokenTtlSeconds: number) {
    this.key = new TextEncoder().encode(secret);
  }

  /** The v3 `clientToken`: the client reads `{sessionId, transportId, participantId}` from it. */
  async signClientToken(claims: { sessionId: string; transportId: string; participantId: string; deploymentId: string; ext?: boolean }): Promise<string> {
    const { ext, ...rest } = claims;
    return new SignJWT({ ...rest, kind: 'customer', ...(ext ? { ext: 1 } : {}) }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().sign(this.key);
  }

  /** `ext`: the client asked for Parley's wire extensions (interaction state changes on GMS and guest chat). */
  async verifyClientToken(token: string): Promise<{ sessionId: string; transportId: string; participantId: string; deploymentId: string; ext: boolean } | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
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
    const exp = Math.floor(Date.now() / 1000) + this.staffTokenTtlSeconds;
    const token = await new SignJWT({ role, kind: 'staff', gen: generation })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(accountId)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  async verifyStaffToken(token: string): Promise<{ accountId: string; role: Role; generation: number; expiresAtMs: number } | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      if (payload.kind !== 'staff' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return null;
      const role = payload.role;
      if (role !== 'agent' && role !== 'supervisor' && role !== 'admin') return null;
      const generation = typeof payload.gen === 'number' ? payload.gen : 0;
      return { accountId: payload.sub, role, generation, expiresAtMs: payload.exp * 1000 };
    } catch {
      return null;
    }
  }

  /** A short signature that lets `<img src>` fetch one file without the client header. */
  async signFileUrl(fileId: string, sessionId: string): Promise<string> {
    return new SignJWT({ f: fileId, s: sessionId, kind: 'file' }).setProtectedHeader({ alg: 'HS256' }).sign(this.key);
  }

  async verifyFileUrl(sig: string, fileId: string, sessionId: string): Promise<boolean> {
    try {
      const { payload } = await jwtVerify(sig, this.key, { algorithms: ['HS256'] });
      return payload.kind === 'file' && payload.f === fileId && payload.s === sessionId;
    } catch {
      return false;
    }
  }
}
