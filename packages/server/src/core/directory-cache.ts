import type { Clock } from '../ports/clock.js';
import { topics, type Fanout } from '../ports/fanout.js';
import type { Account, ApiKeyKind, Deployment, Store } from '../ports/store.js';
import { ExpiringCache } from './expiring-cache.js';

/** How long a deployment or account read from the store is reused by default (AUTH_CACHE_MS). */
export const DEFAULT_DIRECTORY_CACHE_MS = 1_000;
/** Deployments, keys and accounts kept per node. */
const MAX_ENTRIES = 10_000;

/**
 * Who may call, as the store said at most `ttlMs` ago: deployments by API key hash (and kind) and by
 * id, staff accounts by id. Read on every request, they are answered from memory; a change (a key
 * revoked, a deployment replaced, an account's role, password, generation or disabled flag) is
 * announced with `changed()` after its transaction commits, which drops this node's entries at once
 * and every other node's through the fan-out topic `directory`.
 *
 * A lost notification (Redis down) is bounded by the lifetime: entries live at most `ttlMs`, and at
 * most the fan-out's `recheckMs` while it is degraded (300 ms with Redis); a node whose subscriber
 * went down or came back drops everything (wake-all). Unknown keys and accounts are not remembered.
 */
export class DirectoryCache {
  private readonly deployments: ExpiringCache<string, Deployment | null>;
  private readonly accounts: ExpiringCache<string, Account | null>;
  private readonly unlisten: () => void;
  private readonly unwatch: () => void;

  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly clock: Clock,
    private readonly ttlMs: number = DEFAULT_DIRECTORY_CACHE_MS,
  ) {
    const now = () => clock.now();
    this.deployments = new ExpiringCache({ maxEntries: MAX_ENTRIES, now });
    this.accounts = new ExpiringCache({ maxEntries: MAX_ENTRIES, now });
    this.unlisten = fanout.listen(topics.directory, () => this.drop());
    // The fan-out went down or came back: notifications may have been lost meanwhile.
    this.unwatch = fanout.onRecheckChange?.(() => this.drop()) ?? (() => {});
  }

  /** The deployment of an API key of this kind, by the key's hash. */
  deploymentByKeyHash(hash: string, kind: ApiKeyKind): Promise<Deployment | null> {
    return this.deployments.getOrLoad(`key:${kind}:${hash}`, () => this.store.tx((tx) => tx.getDeploymentByApiKeyHash(hash, kind)), this.until);
  }

  deployment(id: string): Promise<Deployment | null> {
    return this.deployments.getOrLoad(`id:${id}`, () => this.store.tx((tx) => tx.getDeployment(id)), this.until);
  }

  /** The account; `fresh` reads the store now (and keeps what it read). */
  account(id: string, opts: { fresh?: boolean } = {}): Promise<Account | null> {
    const load = () => this.store.tx((tx) => tx.getAccount(id));
    return opts.fresh ? this.accounts.refresh(id, load, this.until) : this.accounts.getOrLoad(id, load, this.until);
  }

  /**
   * A deployment, key or account changed (call it after the transaction committed): this node
   * forgets at once, the others when the fan-out reaches them.
   */
  async changed(): Promise<void> {
    this.drop();
    await this.fanout.notify(topics.directory);
  }

  close(): void {
    this.unlisten();
    this.unwatch();
    this.drop();
  }

  private drop(): void {
    this.deployments.clear();
    this.accounts.clear();
  }

  /** Found records live `ttlMs` (less while the fan-out is degraded); "not found" is not kept. */
  private readonly until = (found: Deployment | Account | null): number => (found ? this.clock.now() + Math.min(this.ttlMs, this.fanout.recheckMs) : 0);
}
