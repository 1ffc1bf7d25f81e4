import { z } from 'zod';
import { INTERACTION_STATES, MESSAGE_TYPES, PARTICIPANT_TYPES, VISIBILITIES } from './model.js';

/**
 * Outgoing webhooks: the events a deployment can subscribe URLs to, and the body Parley POSTs for
 * each. Signed with `Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the
 * webhook's secret as key). Fields reach this wire only by being named here (strict objects).
 */
export const WEBHOOK_EVENT_TYPES = [
  'session.started',
  'session.ended',
  'message.created',
  'interaction.state_changed',
  'interaction.assigned',
  'interaction.transferred',
  'survey.answered',
  'ticket.closed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_SIGNATURE_HEADER = 'Parley-Signature';

const isoTime = z.string();

export const webhookMessage = z.strictObject({
  id: z.string(),
  index: z.string(),
  utcTime: isoTime,
  visibility: z.enum(VISIBILITIES),
  type: z.enum(MESSAGE_TYPES),
  from: z.strictObject({ participantId: z.string(), type: z.enum(PARTICIPANT_TYPES), nickname: z.string().optional() }),
  text: z.string().optional(),
  url: z.string().optional(),
  /** A file message's attachments, without their links (those are signed per reader; fetch the file through the API you use). */
  attachments: z.array(z.strictObject({ type: z.enum(['image', 'file']), mime: z.string(), name: z.string().optional(), size: z.number().optional() })).optional(),
  event: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  subtype: z.string().optional(),
  interactionId: z.string().optional(),
});
export type WebhookMessage = z.infer<typeof webhookMessage>;

export const webhookInteraction = z.strictObject({
  id: z.string(),
  state: z.enum(INTERACTION_STATES),
  queue: z.string(),
  agentAccountId: z.string().nullable(),
  wrapUpCode: z.string().nullable(),
});
export type WebhookInteraction = z.infer<typeof webhookInteraction>;

const sessionData = z.strictObject({ async: z.boolean(), userData: z.record(z.string(), z.string()) });

/** The data of each event type. */
export const webhookEventData = {
  'session.started': sessionData,
  'session.ended': sessionData.extend({ endedAt: isoTime }),
  'message.created': z.strictObject({ message: webhookMessage }),
  'interaction.state_changed': z.strictObject({ interaction: webhookInteraction, previousState: z.enum(INTERACTION_STATES).nullable() }),
  'interaction.assigned': z.strictObject({ interaction: webhookInteraction }),
  'interaction.transferred': z.strictObject({ interaction: webhookInteraction, fromAccountId: z.string(), toQueue: z.string().nullable(), toAccountId: z.string().nullable() }),
  'survey.answered': z.strictObject({ interactionId: z.string().nullable(), answers: z.record(z.string(), z.unknown()) }),
  'ticket.closed': z.strictObject({ interaction: webhookInteraction, comment: z.string() }),
} satisfies Record<WebhookEventType, z.ZodTypeAny>;

/** The body of one webhook request. `id` is the event's: a replay or a retry carries the same one (receivers deduplicate on it). */
export const webhookEvent = z.strictObject({
  id: z.string(),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  createdAt: isoTime,
  deploymentId: z.string(),
  sessionId: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.infer<typeof webhookEvent>;
export type WebhookEventData<T extends WebhookEventType> = z.infer<(typeof webhookEventData)[T]>;
