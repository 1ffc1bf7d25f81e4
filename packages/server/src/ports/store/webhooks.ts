import type { Visibility, WebhookEventType } from '@parley/protocol';

/** A URL a deployment subscribed to some events. The secret signs every request (kept readable: it is an HMAC key). */
export interface Webhook {
  id: string;
  deploymentId: string;
  url: string;
  events: WebhookEventType[];
  /** Which messages `message.created` carries, by visibility. */
  visibilities: Visibility[];
  secret: string;
  /** A disabled webhook gets no new events, and what is waiting for it stays waiting until it is enabled again. */
  enabled: boolean;
  createdAt: string;
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'dead';

/**
 * One event for one webhook: a row of the outbox, written in the transaction of the change. Rows of
 * one webhook with the same `orderingKey` (the session) are delivered one at a time in `seq` order.
 */
export interface WebhookDelivery {
  /** Insertion order (assigned by the store). */
  seq: number;
  id: string;
  webhookId: string;
  eventId: string;
  eventType: WebhookEventType;
  orderingKey: string;
  /** The JSON body sent (a WebhookEvent). */
  payload: string;
  createdAt: string;
  state: WebhookDeliveryState;
  attempts: number;
  nextAttemptAt: string;
  leaseOwner: string | null;
  leaseUntil: string | null;
  lastError: string | null;
  lastStatus: number | null;
  deliveredAt: string | null;
  /** The delivery this one replays, when an admin asked for it again. */
  replayOf: string | null;
}

export type NewWebhookDelivery = Omit<WebhookDelivery, 'seq' | 'state' | 'attempts' | 'leaseOwner' | 'leaseUntil' | 'lastError' | 'lastStatus' | 'deliveredAt'>;

export interface WebhookDeliveryFilter {
  webhookId?: string;
  state?: WebhookDeliveryState;
  orderingKey?: string;
  /** Only rows with a smaller seq (paging backwards, newest first). */
  beforeSeq?: number;
  limit: number;
}

/** What a delivery attempt came to. */
export type WebhookAttemptOutcome =
  { delivered: true; atIso: string; status: number } | { delivered: false; atIso: string; status: number | null; error: string; nextAttemptAt: string; dead: boolean };

export interface WebhookStore {
  insertWebhook(w: Webhook): Promise<void>;
  getWebhook(id: string): Promise<Webhook | null>;
  /** All webhooks, or a deployment's, oldest first. */
  listWebhooks(deploymentId?: string): Promise<Webhook[]>;
  updateWebhook(w: Webhook): Promise<void>;
  /** Deletes a webhook with its outbox rows. */
  deleteWebhook(id: string): Promise<boolean>;

  insertWebhookDelivery(d: NewWebhookDelivery): Promise<void>;
  getWebhookDelivery(id: string): Promise<WebhookDelivery | null>;
  /** Newest first. */
  listWebhookDeliveries(filter: WebhookDeliveryFilter): Promise<WebhookDelivery[]>;
  /**
   * Leases up to `limit` deliveries that are due: pending, not leased (or the lease ran out), of an
   * enabled webhook, and the oldest pending row of their webhook and ordering key. Rows another
   * node is claiming at the same moment are skipped, never waited for.
   */
  claimWebhookDeliveries(claim: { nowIso: string; owner: string; leaseUntil: string; limit: number }): Promise<WebhookDelivery[]>;
  /** Records an attempt and frees the lease; false when the lease was no longer this owner's. */
  finishWebhookDelivery(id: string, owner: string, outcome: WebhookAttemptOutcome): Promise<boolean>;
  /** Deletes up to `limit` delivered or dead rows made before `beforeIso`; answers how many. */
  pruneWebhookDeliveries(beforeIso: string, limit: number): Promise<number>;
}
