import { ChatError } from './errors.js';
import { MemoryLoginThrottle, type LoginThrottle } from './login-throttle.js';
import { hashPassword, verifyPassword } from './secrets.js';
import type { TokenService } from './tokens.js';
import type { Clock } from '../ports/clock.js';
import { topics, type Fanout } from '../ports/fanout.js';
import type { Account, Store, StoreTx } from '../ports/store.js';

export interface StaffLogin {
  token: string;
  expiresAt: string;
  account: Account;
}

/**
 * Staff logins (with a per-username lockout, and the same password-hashing work whether or not the
 * username exists) and the revocation of all of an account's tokens (logout, password, role or
 * disabled changes). Checking a token on a request is the Authenticator's (core/request-context.ts).
 */
export class StaffAuth {
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly throttle: LoginThrottle = new MemoryLoginThrottle(),
  ) {}

  async login(username: string, password: string): Promise<StaffLogin> {
    const now = this.clock.now();
    const lockedMs = await this.throttle.lockedFor(username, now);
    if (lockedMs > 0) throw new ChatError('RATE_LIMITED', `too many wrong passwords for this username; retry in ${Math.ceil(lockedMs / 1000)} s`);
    const account = await this.store.tx((tx) => tx.getAccountByUsername(username));
    // An unknown username costs the same hashing as a known one, so timing does not tell them apart.
    const ok = await verifyPassword(password, account?.passwordHash ?? (await this.dummy()));
    if (!account || !ok || account.disabled) {
      await this.throttle.recordFailure(username, this.clock.now());
      throw new ChatError('UNAUTHORIZED', 'wrong username or password');
    }
    await this.throttle.recordSuccess(username);
    const { token, expiresAt } = await this.tokens.signStaffToken(account.id, account.role, account.tokenGeneration);
    return { token, expiresAt, account };
  }

  /** A staff token for an account another sign-in (single sign-on, core/sso.ts) has verified. */
  async issue(account: Account): Promise<StaffLogin> {
    if (account.disabled) throw new ChatError('UNAUTHORIZED', 'the account is disabled');
    const { token, expiresAt } = await this.tokens.signStaffToken(account.id, account.role, account.tokenGeneration);
    return { token, expiresAt, account };
  }

  /** Logout: every token of the account stops working, on every node. */
  async logout(accountId: string): Promise<void> {
    await this.store.tx((tx) => revokeTokens(tx, accountId));
    await this.announce(accountId);
  }

  /**
   * Tells every node that an account changed (after the transaction committed): their
   * DirectoryCache forgets it (this node's at once: the fan-out calls its own listeners), then the
   * account's open sockets re-check their access.
   */
  async announce(accountId: string): Promise<void> {
    await this.fanout.notify(topics.directory);
    await this.fanout.notify(topics.account(accountId));
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword('no account has this password: it only costs the same time');
    return this.dummyHash;
  }
}

/** Raises the account's token generation inside `tx`: all tokens signed before stop working. */
export async function revokeTokens(tx: StoreTx, accountId: string): Promise<void> {
  const a = await tx.getAccount(accountId);
  if (a) await tx.updateAccount(accountId, { tokenGeneration: a.tokenGeneration + 1 });
}
