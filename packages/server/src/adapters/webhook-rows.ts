import type { Webhook, WebhookDelivery } from '../ports/store/webhooks.js';
import type { Row } from './store-rows.js';

/** Row -> model mapping of the webhook tables (same columns in both SQL adapters). */
export const toWebhook = (r: Row): Webhook => ({
  id: r.id,
  deploymentId: r.deployment_id,
  url: r.url,
  events: JSON.parse(r.events),
  visibilities: JSON.parse(r.visibilities),
  secret: r.secret,
  enabled: r.enabled === 1 || r.enabled === true,
  createdAt: r.created_at,
});

export const toWebhookDelivery = (r: Row): WebhookDelivery => ({
  seq: Number(r.seq),
  id: r.id,
  webhookId: r.webhook_id,
  eventId: r.event_id,
  eventType: r.event_type,
  orderingKey: r.ordering_key,
  payload: r.payload,
  createdAt: r.created_at,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  leaseOwner: r.lease_owner,
  leaseUntil: r.lease_until,
  lastError: r.last_error,
  lastStatus: r.last_status,
  deliveredAt: r.delivered_at,
  replayOf: r.replay_of,
});
