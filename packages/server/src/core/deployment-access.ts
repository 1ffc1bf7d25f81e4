import type { Clock } from '../ports/clock.js';
import type { Deployment, Store } from '../ports/store.js';
import type { DirectoryCache } from './directory-cache.js';
import { ExpiringCache } from './expiring-cache.js';
import { hashApiKey } from './secrets.js';

/** Page API keys whose hashes are remembered. */
const PAGE_KEY_HASHES = 256;

/** How long the union of allowed origins (answering CORS preflights) is reused before it is read again. */
export const ORIGINS_CACHE_MS = 5_000;

/**
 * How a customer's client reaches its deployment: by API key, by deployment id (guest chat's
 * `deploymentId` may be either), both answered from the DirectoryCache, and which queues and page
 * origins the deployment allows.
 */
export class DeploymentAccess {
  private origins: { at: number; origins: Set<string> } | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly directory: DirectoryCache,
  ) {
    this.pageKeyHashes = new ExpiringCache({ maxEntries: PAGE_KEY_HASHES, now: () => clock.now() });
  }

  /**
   * Hashes of the page keys seen lately: every request of a page presents its key, and a deployment
   * has few. Only public keys (they are in every page's source); server keys are hashed each time.
   * Bounded, the least recently used out first: a flood of unknown keys costs hashing again, nothing else.
   */
  private readonly pageKeyHashes: ExpiringCache<string, string>;

  /** The deployment whose public (page) API key this is, or null. Server keys are for the workflow API only. */
  byApiKey(key: string): Promise<Deployment | null> {
    let hash = this.pageKeyHashes.get(key);
    if (hash === undefined) this.pageKeyHashes.set(key, (hash = hashApiKey(key)), Number.POSITIVE_INFINITY);
    return this.directory.deploymentByKeyHash(hash, 'public');
  }

  byId(id: string): Promise<Deployment | null> {
    return this.directory.deployment(id);
  }

  /** A deployment named by its id or by one of its public API keys. */
  async byIdOrApiKey(idOrKey: string): Promise<Deployment | null> {
    return (await this.byId(idOrKey)) ?? (await this.byApiKey(idOrKey));
  }

  /** The deployment's queue names, its default queue first, each once. */
  async queueNames(deployment: Deployment): Promise<string[]> {
    const queues = await this.store.tx((tx) => tx.listQueues(deployment.id));
    return [...new Set([deployment.defaultQueue, ...queues.map((q) => q.name)])];
  }

  /** The deployment's queue with this name in any case (its default queue if that is the one), or null. */
  async findQueue(deployment: Deployment, name: string): Promise<string | null> {
    const wanted = name.toLowerCase();
    return (await this.queueNames(deployment)).find((n) => n.toLowerCase() === wanted) ?? null;
  }

  /** Every origin some deployment allows ('*' included), read again after ORIGINS_CACHE_MS. */
  async knownOrigins(): Promise<Set<string>> {
    const now = this.clock.now();
    if (this.origins && now - this.origins.at < ORIGINS_CACHE_MS) return this.origins.origins;
    const deployments = await this.store.tx((tx) => tx.listDeployments());
    this.origins = { at: now, origins: new Set(deployments.flatMap((d) => d.allowedOrigins)) };
    return this.origins.origins;
  }
}
