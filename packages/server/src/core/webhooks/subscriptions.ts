import type { Clock } from '../../ports/clock.js';
import { topics, type Fanout } from '../../ports/fanout.js';
import type { StoreTx } from '../../ports/store.js';
import type { Webhook } from '../../ports/store/webhooks.js';
import { ExpiringCache } from '../expiring-cache.js';

/** Deployments whose webhook lists are kept per node. */
const MAX_DEPLOYMENTS = 10_000;

/**
 * The webhooks of each deployment, as the store said at most `ttlMs` ago: every appended message
 * asks (core/webhooks/outbox.ts), and reading them in each write cost two statements per exchange.
 * A webhook created, changed or deleted is announced on the fan-out topic `webhooks` after its
 * transaction commits (`WebhookAdmin`), which drops every node's lists; a deployment changed or
 * deleted (`directory`) does too. A lost notification is bounded as the DirectoryCache's: lists live
 * at most `ttlMs`, and at most the fan-out's `recheckMs` while it is degraded.
 *
 * A list is read in the caller's transaction when it is not known, and kept only if no change was
 * announced while it was read.
 */
export class WebhookSubscriptions {
  private readonly lists: ExpiringCache<string, Webhook[]>;
  private readonly stop: (() => void)[];

  constructor(
    private readonly fanout: Fanout,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {
    this.lists = new ExpiringCache({ maxEntries: MAX_DEPLOYMENTS, now: () => clock.now() });
    const drop = () => this.lists.clear();
    this.stop = [fanout.listen(topics.webhooks, drop), fanout.listen(topics.directory, drop), fanout.onRecheckChange?.(drop) ?? (() => {})];
  }

  /** The deployment's webhooks, enabled or not. */
  async of(tx: StoreTx, deploymentId: string): Promise<Webhook[]> {
    return (
      this.lists.get(deploymentId) ??
      this.lists.refresh(
        deploymentId,
        () => tx.listWebhooks(deploymentId),
        () => this.clock.now() + Math.min(this.ttlMs, this.fanout.recheckMs),
      )
    );
  }

  close(): void {
    for (const stop of this.stop) stop();
    this.lists.clear();
  }
}
