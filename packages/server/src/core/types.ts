/**
 * The domain records the HTTP layer reads and maps onto its wire formats. They are defined with the
 * store port; http imports them from here so that it never depends on the store itself.
 */
export type { Account, CannedResponse, Deployment, Interaction, Participant, Role, Session, StoredFile, Survey, WrapUpCode } from '../ports/store.js';
export type { Webhook, WebhookDelivery, WebhookDeliveryState } from '../ports/store/webhooks.js';
export type { AuditEntry } from '../ports/store/audit.js';
