import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { AuditTrail } from './audit-trail.js';
import type { CustomerData } from './customer-data.js';
import { Leadership } from './leadership.js';

const MAX_SESSIONS_PER_RUN = 10_000;

/**
 * The scheduled retention run. Every node ticks; the one leading `retention` (a store lease held for
 * one interval, core/leadership.ts) runs it, the others skip, so it runs once per interval however
 * many nodes there are.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private readonly leadership: Leadership;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly customers: CustomerData,
    private readonly audit: AuditTrail,
    private readonly everyMs: number,
    /** Delivered and dead webhook outbox rows are kept this long (they hold what was sent). */
    private readonly keepWebhookDeliveriesDays: number,
    /** Idempotency records (operationId) are kept this long: a write retried later is applied again. */
    private readonly keepOperationsHours: number,
    private readonly onError: (msg: string, err: unknown) => void,
  ) {
    this.leadership = new Leadership(store, clock, 'retention', Math.max(everyMs, 60_000) - 1_000);
  }

  start(): void {
    if (this.everyMs <= 0) return;
    this.timer = setInterval(() => {
      this.running = this.tick().catch((err) => this.onError('retention run failed', err));
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs when this node leads `retention`; answers null when another node does. */
  async tick(): Promise<Record<string, number> | null> {
    if (!(await this.leadership.leads())) return null;
    return this.runOnce();
  }

  /**
   * One run: every deployment with a policy (sessions handled per deployment, each recorded in the
   * audit trail), then the webhook outbox's old delivered and dead rows and the idempotency records
   * older than their window (`operations`: one row per write with an operationId).
   */
  async runOnce(): Promise<Record<string, number>> {
    const deployments = await this.store.tx((tx) => tx.listDeployments());
    const out: Record<string, number> = {};
    for (const d of deployments) {
      const policy = d.settings.retention;
      if (!policy) continue;
      const sessions = await this.customers.applyRetention(d, MAX_SESSIONS_PER_RUN);
      out[d.id] = sessions;
      if (sessions > 0) await this.audit.record({ actor: 'system', action: 'retention.run', target: { type: 'deployment', id: d.id }, details: { mode: policy.mode, days: policy.days, sessions } });
    }
    const outboxBefore = new Date(this.clock.now() - this.keepWebhookDeliveriesDays * 86_400_000).toISOString();
    for (let pruned = MAX_SESSIONS_PER_RUN; pruned === MAX_SESSIONS_PER_RUN;) pruned = await this.store.tx((tx) => tx.pruneWebhookDeliveries(outboxBefore, MAX_SESSIONS_PER_RUN));
    const operationsBefore = new Date(this.clock.now() - this.keepOperationsHours * 3_600_000).toISOString();
    // One statement per batch, whole in itself: no transaction around it.
    for (let pruned = MAX_SESSIONS_PER_RUN; pruned === MAX_SESSIONS_PER_RUN;) pruned = await this.store.read((tx) => tx.pruneOperations(operationsBefore, MAX_SESSIONS_PER_RUN));
    return out;
  }
}
