import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { newId } from './ids.js';

/** How long a node leads without renewing; it renews (and the others try) every third of it. */
export const LEADERSHIP_LEASE_MS = 3_000;

/**
 * Which node runs the cluster's periodic passes (routing, idle control, queue position updates under
 * `periodic`; the retention run under `retention`), which read and lock the same rows on every node:
 * the one holding the store lease `name`. The holder renews it every third of its length and the
 * others try as often (one statement each), so when a holder stops (it died, or lost the store)
 * another takes over within `leaseMs`. The passes stay correct if two nodes ran them at once (they
 * lock what they change); leading only spares the others the work.
 */
export class Leadership {
  private heldUntil = Number.NEGATIVE_INFINITY;
  private lastTry = Number.NEGATIVE_INFINITY;
  private taking: Promise<boolean> | null = null;
  readonly owner = `node-${newId()}`;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly name = 'periodic',
    private readonly leaseMs = LEADERSHIP_LEASE_MS,
  ) {}

  /** Whether this node leads now; takes or renews the lease when it is time to. */
  leads(): Promise<boolean> {
    if (this.taking) return this.taking;
    const now = this.clock.now();
    // A clock that went back (tests step it) tries again at once.
    if (now >= this.lastTry && now < this.lastTry + this.leaseMs / 3) return Promise.resolve(now < this.heldUntil);
    return (this.taking = this.take(now).finally(() => (this.taking = null)));
  }

  private async take(now: number): Promise<boolean> {
    this.lastTry = now;
    const iso = (ms: number) => new Date(ms).toISOString();
    try {
      // One statement, whole in itself (an upsert that only wins an expired or own lease).
      const held = await this.store.read((tx) => tx.takeLease(this.name, this.owner, iso(now), iso(now + this.leaseMs)));
      this.heldUntil = held ? now + this.leaseMs : Number.NEGATIVE_INFINITY;
    } catch {
      this.heldUntil = Number.NEGATIVE_INFINITY;
    }
    return this.heldUntil > now;
  }
}
