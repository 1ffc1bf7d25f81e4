import type { Account, Deployment } from '../ports/store.js';
import type { DirectoryCache } from './directory-cache.js';
import { ChatError } from './errors.js';
import { hashApiKey } from './secrets.js';
import type { ClientTokenClaims, TokenService } from './tokens.js';

/** A staff member (agent, supervisor, admin), by their account as stored now. */
export interface StaffPrincipal {
  kind: 'staff';
  account: Account;
}
/** A customer, by the claims of the client token the server signed for their session. */
export interface CustomerPrincipal {
  kind: 'customer';
  claims: ClientTokenClaims;
  /** How the customer's API names the token (`the client key`, `the jwt`, `secureKey`), for refusals. */
  credential: string;
}
/** A deployment's back end (workflows, bots, ticketing), by one of the deployment's server keys. */
export interface BackEndPrincipal {
  kind: 'backEnd';
  deployment: Deployment;
}
/** Who makes a request or holds a socket: established once, then passed to authorize(). */
export type Principal = StaffPrincipal | CustomerPrincipal | BackEndPrincipal;

/** A staff principal from a staff token: with the time the token expires (a socket closes then). */
export interface StaffIdentity extends StaffPrincipal {
  expiresAtMs: number;
}

export const asStaff = (account: Account): StaffPrincipal => ({ kind: 'staff', account });
export const asBackEnd = (deployment: Deployment): BackEndPrincipal => ({ kind: 'backEnd', deployment });

/**
 * Authentication, in one place for every API and socket: a staff token, a customer's client token
 * or a server key becomes a Principal. Tokens are verified by the TokenService (the key imported
 * once, verified tokens remembered); accounts and deployments come from the DirectoryCache, so a
 * request costs no store read, and a revoked key, a raised token generation (logout, password or
 * role change) or a disabled account is refused on every node as soon as the change is announced.
 */
export class Authenticator {
  constructor(
    private readonly directory: DirectoryCache,
    private readonly tokens: TokenService,
  ) {}

  /**
   * The account behind a staff token as stored now (at most the DirectoryCache's lifetime ago;
   * `fresh` reads the store), and when the token expires.
   */
  async staff(token: string | null, opts: { fresh?: boolean } = {}): Promise<StaffIdentity> {
    if (!token) throw new ChatError('UNAUTHORIZED', 'an Authorization: Bearer <token> header is required; get a token from POST /agent/v1/login');
    const claims = await this.tokens.verifyStaffToken(token);
    if (!claims) throw new ChatError('UNAUTHORIZED', 'the token is not valid or has expired; log in again');
    const account = await this.directory.account(claims.accountId, opts);
    if (!account) throw new ChatError('UNAUTHORIZED', 'the account no longer exists');
    if (account.disabled) throw new ChatError('UNAUTHORIZED', 'the account is disabled');
    if (claims.generation !== account.tokenGeneration) throw new ChatError('UNAUTHORIZED', 'the token was revoked (logout, or a password or role change); log in again');
    return { kind: 'staff', account, expiresAtMs: claims.expiresAtMs };
  }

  /** A customer's client token; `credential` is what their API calls it (see CustomerPrincipal). */
  async customer(token: string, credential: string): Promise<CustomerPrincipal> {
    const claims = await this.tokens.verifyClientToken(token);
    if (!claims) throw new ChatError('UNAUTHORIZED', `${credential} is not valid`);
    return { kind: 'customer', claims, credential };
  }

  /** The back end holding one of a deployment's server keys; public page keys are refused. */
  async backEnd(serverKey: string | undefined): Promise<BackEndPrincipal> {
    if (!serverKey) throw new ChatError('UNAUTHORIZED', 'the x-api-key header (a server key) is required');
    const deployment = await this.directory.deploymentByKeyHash(hashApiKey(serverKey), 'server');
    if (!deployment) throw new ChatError('UNAUTHORIZED', 'unknown server key (public page keys are not accepted here)');
    return asBackEnd(deployment);
  }
}
