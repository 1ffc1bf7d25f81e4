import { createHmac } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { ChatError } from './errors.js';
import { newId } from './ids.js';
import { defaultProfile } from './routing-service.js';
import { hashPassword, randomToken } from './secrets.js';
import { updateStaffAccount } from './staff-accounts.js';
import type { StaffAuth, StaffLogin } from './staff-auth.js';
import type { Clock } from '../ports/clock.js';
import type { IdentityProvider, PendingSignIn } from '../ports/identity-provider.js';
import type { Account, Role, Store } from '../ports/store.js';

/** How claims become a Parley account (SSO_* configuration). */
export interface SsoPolicy {
  /** The claim holding the user's groups or roles: a string or a list of strings; a dotted path reaches into objects (`realm_access.roles`). */
  roleClaim: string;
  /** Claim value → role; of several matching values the strongest role wins. */
  roleMap: ReadonlyMap<string, Role>;
  /** The role of a user none of whose values is mapped; unset: such a user is refused. */
  defaultRole?: Role;
  /** The claim that names a new account (`preferred_username`, `email`…). */
  usernameClaim: string;
  /** A first sign-in whose username is a local account's links to it (only when the provider owns usernames). */
  linkByUsername: boolean;
  /** The button's text on the desktop's login page. */
  label: string;
}

/** How long a started sign-in may take to come back. */
export const SIGN_IN_TTL_SECONDS = 600;
const ROLE_RANK: Record<Role, number> = { agent: 1, supervisor: 2, admin: 3 };

/** The value at a dotted path of the claims (`groups`, `realm_access.roles`). */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path];
  let at: unknown = claims;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The role the claims map to, or null: the strongest mapped value of the role claim, else the default role. */
export function roleFromClaims(claims: Record<string, unknown>, policy: Pick<SsoPolicy, 'roleClaim' | 'roleMap' | 'defaultRole'>): Role | null {
  const raw = claimAt(claims, policy.roleClaim);
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
  let best: Role | null = null;
  for (const v of values) {
    const role = policy.roleMap.get(v);
    if (role && (!best || ROLE_RANK[role] > ROLE_RANK[best])) best = role;
  }
  return best ?? policy.defaultRole ?? null;
}

/** A username for a new account from the claims: the configured claim, trimmed, without control characters, at most 100 characters. */
export function usernameFromClaims(claims: Record<string, unknown>, claim: string): string | null {
  const raw = claimAt(claims, claim);
  if (typeof raw !== 'string') return null;
  const name = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return name && name.length <= 100 ? name : null;
}

/**
 * Staff single sign-on (OpenID Connect). `begin` sends the browser to the provider with the
 * sign-in's secrets (state, nonce, PKCE verifier) in a signed, short-lived value the HTTP layer keeps
 * in a cookie, so the callback may land on any node. `finish` redeems the code, finds the account
 * linked to the identity (issuer, subject), or links or creates one on the first sign-in, keeps its
 * role in line with the claims, refuses disabled accounts and users without a role, and ends with
 * the same staff token a password login gets (`StaffAuth.issue`).
 */
export class StaffSso {
  private readonly key: Uint8Array;

  constructor(
    private readonly store: Store,
    private readonly auth: StaffAuth,
    private readonly provider: IdentityProvider,
    private readonly policy: SsoPolicy,
    private readonly clock: Clock,
    secret: string,
  ) {
    this.key = createHmac('sha256', secret).update('parley sso sign-in').digest();
  }

  get label(): string {
    return this.policy.label;
  }

  /** The provider's address for the browser, and the value to keep (cookie) until the callback. */
  async begin(redirectUri: string): Promise<{ url: string; keep: string }> {
    const { url, pending } = await this.provider.begin(redirectUri);
    const now = Math.floor(this.clock.now() / 1000);
    const keep = await new SignJWT({ ...pending, kind: 'sso-sign-in' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now)
      .setExpirationTime(now + SIGN_IN_TTL_SECONDS)
      .sign(this.key);
    return { url, keep };
  }

  /** The redirect URI the sign-in kept (the callback rebuilds the provider's answer on it). */
  async pending(keep: string | undefined): Promise<PendingSignIn> {
    if (!keep) throw new ChatError('UNAUTHORIZED', 'this sign-in was not started here, or took too long; start again');
    try {
      const { payload } = await jwtVerify(keep, this.key, { algorithms: ['HS256'], currentDate: new Date(this.clock.now()) });
      if (payload.kind !== 'sso-sign-in') throw new Error('not a sign-in');
      const { state, nonce, codeVerifier, redirectUri } = payload as unknown as PendingSignIn;
      return { state, nonce, codeVerifier, redirectUri };
    } catch {
      throw new ChatError('UNAUTHORIZED', 'this sign-in was not started here, or took too long; start again');
    }
  }

  async finish(callbackUrl: URL, pending: PendingSignIn): Promise<StaffLogin> {
    let identity;
    try {
      identity = await this.provider.finish(callbackUrl, pending);
    } catch (err) {
      throw new ChatError('UNAUTHORIZED', `the identity provider's answer was refused: ${(err as Error).message}`);
    }
    const role = roleFromClaims(identity.claims, this.policy);
    if (!role) throw new ChatError('FORBIDDEN', `your account at the identity provider has no Parley role (claim "${this.policy.roleClaim}"); ask an administrator`);
    const nowIso = new Date(this.clock.now()).toISOString();
    const displayName = typeof identity.claims.name === 'string' && identity.claims.name.trim() ? identity.claims.name.trim().slice(0, 200) : undefined;
    const unusablePassword = await hashPassword(randomToken(32));

    let account = await this.store.tx(async (tx) => {
      const linked = await tx.getStaffIdentity(identity.issuer, identity.subject);
      if (linked) return tx.getAccount(linked.accountId);
      const username = usernameFromClaims(identity.claims, this.policy.usernameClaim);
      if (!username) throw new ChatError('FORBIDDEN', `the identity provider sent no usable "${this.policy.usernameClaim}" claim to name your account`);
      const existing = await tx.getAccountByUsername(username);
      if (existing) {
        if (!this.policy.linkByUsername)
          throw new ChatError('CONFLICT', `an account named "${username}" already exists and is not linked to this sign-on; an administrator can allow linking (SSO_LINK_BY_USERNAME)`);
        if ((await tx.listStaffIdentities(existing.id)).some((i) => i.issuer === identity.issuer))
          throw new ChatError('CONFLICT', `the account "${username}" is linked to another user of this identity provider`);
        await tx.insertStaffIdentity({ issuer: identity.issuer, subject: identity.subject, accountId: existing.id, createdAt: nowIso });
        return existing;
      }
      const created: Account = { id: newId(), username, displayName: displayName ?? username, passwordHash: unusablePassword, role, createdAt: nowIso, tokenGeneration: 0, disabled: false };
      await tx.insertAccount(created);
      await tx.upsertProfile(defaultProfile(created.id, nowIso));
      await tx.insertStaffIdentity({ issuer: identity.issuer, subject: identity.subject, accountId: created.id, createdAt: nowIso });
      return created;
    });
    if (!account) throw new ChatError('UNAUTHORIZED', 'the account linked to this sign-on no longer exists');
    if (account.disabled) throw new ChatError('UNAUTHORIZED', 'the account is disabled');
    // The provider decides the role: a change there applies at the next sign-in (and revokes older tokens).
    if (account.role !== role) account = await updateStaffAccount(this.store, this.auth, account.id, { role }, nowIso);
    return this.auth.issue(account);
  }
}
