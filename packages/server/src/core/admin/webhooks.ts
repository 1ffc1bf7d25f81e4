import type { Visibility, WebhookEventType } from '@parley/protocol';
import type { Clock } from '../../ports/clock.js';
import { topics, type Fanout } from '../../ports/fanout.js';
import type { Store } from '../../ports/store.js';
import type { Webhook, WebhookDelivery, WebhookDeliveryState } from '../../ports/store/webhooks.js';
import { ChatError } from '../errors.js';
import { newId } from '../ids.js';
import { randomToken } from '../secrets.js';

export interface WebhookInput {
  deploymentId: string;
  url: string;
  events: WebhookEventType[];
  visibilities: Visibility[];
  enabled: boolean;
}

/** A webhook as listed: never its secret. */
export type WebhookListing = Omit<Webhook, 'secret'>;

const MAX_WEBHOOKS_PER_DEPLOYMENT = 100;
const listing = ({ secret: _secret, ...rest }: Webhook): WebhookListing => rest;
const newSecret = () => `whsec_${randomToken(32)}`;

/** Webhook subscriptions of deployments, and their outbox (visible and re-playable). */
export class WebhookAdmin {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Every node's WebhookSubscriptions hears of a change on it. */
    private readonly fanout: Fanout,
  ) {}

  /** After the change committed: this node's lists are dropped before the caller is answered, the others' when the fan-out reaches them. */
  private changed(): Promise<void> {
    return this.fanout.notify(topics.webhooks);
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async list(deploymentId?: string): Promise<WebhookListing[]> {
    return (await this.store.tx((tx) => tx.listWebhooks(deploymentId))).map(listing);
  }

  /** Creates a subscription; its signing secret is shown this once. */
  async create(input: WebhookInput): Promise<{ webhook: WebhookListing; secret: string }> {
    const webhook: Webhook = { id: newId(), ...input, secret: newSecret(), createdAt: this.nowIso() };
    await this.store.tx(async (tx) => {
      if (!(await tx.getDeployment(input.deploymentId))) throw new ChatError('NOT_FOUND', 'deployment not found');
      if ((await tx.listWebhooks(input.deploymentId)).length >= MAX_WEBHOOKS_PER_DEPLOYMENT) throw new ChatError('CONFLICT', `a deployment has at most ${MAX_WEBHOOKS_PER_DEPLOYMENT} webhooks`);
      await tx.insertWebhook(webhook);
    });
    await this.changed();
    return { webhook: listing(webhook), secret: webhook.secret };
  }

  /** Changes what the patch names; `rotateSecret` makes a new secret (answered once). */
  async update(id: string, patch: Partial<Omit<WebhookInput, 'deploymentId'>> & { rotateSecret?: boolean }): Promise<{ webhook: WebhookListing; secret?: string }> {
    const { rotateSecret, ...fields } = patch;
    const updated = await this.store.tx(async (tx) => {
      const existing = await tx.getWebhook(id);
      if (!existing) throw new ChatError('NOT_FOUND', 'webhook not found');
      const next: Webhook = { ...existing, ...fields, ...(rotateSecret ? { secret: newSecret() } : {}) };
      await tx.updateWebhook(next);
      return next;
    });
    await this.changed();
    return { webhook: listing(updated), ...(rotateSecret ? { secret: updated.secret } : {}) };
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.tx((tx) => tx.deleteWebhook(id)))) throw new ChatError('NOT_FOUND', 'webhook not found');
    await this.changed();
  }

  /** A webhook's outbox, newest first; `before` pages on with the last `seq` seen. */
  async deliveries(webhookId: string, filter: { state?: WebhookDeliveryState; sessionId?: string; before?: number; limit: number }): Promise<WebhookDelivery[]> {
    return this.store.tx(async (tx) => {
      if (!(await tx.getWebhook(webhookId))) throw new ChatError('NOT_FOUND', 'webhook not found');
      return tx.listWebhookDeliveries({
        webhookId,
        limit: filter.limit,
        ...(filter.state ? { state: filter.state } : {}),
        ...(filter.sessionId ? { orderingKey: filter.sessionId } : {}),
        ...(filter.before !== undefined ? { beforeSeq: filter.before } : {}),
      });
    });
  }

  /**
   * Sends a delivery's event again: a new outbox row with the same body and event id, queued after
   * the session's other events (the receiver deduplicates on the event id if it needs to).
   */
  async replay(deliveryId: string): Promise<WebhookDelivery> {
    return this.store.tx(async (tx) => {
      const original = await tx.getWebhookDelivery(deliveryId);
      if (!original) throw new ChatError('NOT_FOUND', 'delivery not found');
      const id = newId();
      const now = this.nowIso();
      await tx.insertWebhookDelivery({
        id,
        webhookId: original.webhookId,
        eventId: original.eventId,
        eventType: original.eventType,
        orderingKey: original.orderingKey,
        payload: original.payload,
        createdAt: now,
        nextAttemptAt: now,
        replayOf: original.id,
      });
      return (await tx.getWebhookDelivery(id))!;
    });
  }
}
