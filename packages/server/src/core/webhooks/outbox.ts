import type { InteractionState, Message, WebhookEvent, WebhookEventData, WebhookEventType, WebhookInteraction, WebhookMessage } from '@parley/protocol';
import type { Interaction, Session, StoreTx } from '../../ports/store.js';
import type { Webhook } from '../../ports/store/webhooks.js';
import { newId } from '../ids.js';

/** A change worth telling webhooks about, as the code that made it knows it. */
export type WebhookSourceEvent =
  | { type: 'session.started'; session: Session; at: string }
  | { type: 'session.ended'; session: Session; at: string }
  | { type: 'message.created'; message: Message; deploymentId: string }
  | { type: 'interaction.state_changed'; interaction: Interaction; previousState: InteractionState | null; at: string }
  | { type: 'interaction.assigned'; interaction: Interaction; at: string }
  | { type: 'interaction.transferred'; interaction: Interaction; fromAccountId: string; toQueue: string | null; toAccountId: string | null; at: string }
  | { type: 'survey.answered'; deploymentId: string; sessionId: string; interactionId: string | null; answers: Record<string, unknown>; at: string }
  | { type: 'ticket.closed'; interaction: Interaction; comment: string; at: string };

/** Typing indicators are not events anyone subscribes to. */
const SILENT_MESSAGE_TYPES = new Set(['TypingStarted', 'TypingStopped']);

/**
 * Writes one outbox row per webhook of the deployment subscribed to the event, in the caller's
 * transaction: the event is stored if and only if the change is. Callers hold the session's row
 * lock (they appended to its log or created it), so a session's rows get `seq` in commit order.
 * `webhooksOf` is where the deployment's webhooks come from: the log writer's WebhookSubscriptions
 * (kept per node), else a read in `tx`.
 */
export async function enqueueWebhookEvents(tx: StoreTx, event: WebhookSourceEvent, webhooksOf: (deploymentId: string) => Promise<Webhook[]> = (id) => tx.listWebhooks(id)): Promise<void> {
  if (event.type === 'message.created' && SILENT_MESSAGE_TYPES.has(event.message.type)) return;
  const { deploymentId, sessionId } = scopeOf(event);
  const hooks = (await webhooksOf(deploymentId)).filter((w) => subscribed(w, event));
  if (!hooks.length) return;
  const body: WebhookEvent = { id: newId(), type: event.type, createdAt: timeOf(event), deploymentId, sessionId, data: dataOf(event) };
  const payload = JSON.stringify(body);
  for (const w of hooks) {
    await tx.insertWebhookDelivery({
      id: newId(),
      webhookId: w.id,
      eventId: body.id,
      eventType: event.type,
      orderingKey: sessionId,
      payload,
      createdAt: body.createdAt,
      nextAttemptAt: body.createdAt,
      replayOf: null,
    });
  }
}

function subscribed(w: Webhook, event: WebhookSourceEvent): boolean {
  if (!w.enabled || !w.events.includes(event.type)) return false;
  return event.type !== 'message.created' || w.visibilities.includes(event.message.visibility);
}

function scopeOf(event: WebhookSourceEvent): { deploymentId: string; sessionId: string } {
  switch (event.type) {
    case 'session.started':
    case 'session.ended':
      return { deploymentId: event.session.deploymentId, sessionId: event.session.id };
    case 'message.created':
      return { deploymentId: event.deploymentId, sessionId: event.message.sessionId };
    case 'survey.answered':
      return { deploymentId: event.deploymentId, sessionId: event.sessionId };
    default:
      return { deploymentId: event.interaction.deploymentId, sessionId: event.interaction.sessionId };
  }
}

const timeOf = (event: WebhookSourceEvent): string => (event.type === 'message.created' ? event.message.utcTime : event.at);

function dataOf(event: WebhookSourceEvent): WebhookEventData<WebhookEventType> {
  switch (event.type) {
    case 'session.started':
      return { async: event.session.async, userData: event.session.userData };
    case 'session.ended':
      return { async: event.session.async, userData: event.session.userData, endedAt: event.at };
    case 'message.created':
      return { message: toWebhookMessage(event.message) };
    case 'interaction.state_changed':
      return { interaction: toWebhookInteraction(event.interaction), previousState: event.previousState };
    case 'interaction.assigned':
      return { interaction: toWebhookInteraction(event.interaction) };
    case 'interaction.transferred':
      return { interaction: toWebhookInteraction(event.interaction), fromAccountId: event.fromAccountId, toQueue: event.toQueue, toAccountId: event.toAccountId };
    case 'survey.answered':
      return { interactionId: event.interactionId, answers: event.answers };
    case 'ticket.closed':
      return { interaction: toWebhookInteraction(event.interaction), comment: event.comment };
  }
}

/** Names every field that goes out: an internal one (a whisper's audience, attachments' signed links) stays in. */
export function toWebhookMessage(m: Message): WebhookMessage {
  return {
    id: m.id,
    index: m.index,
    utcTime: m.utcTime,
    visibility: m.visibility,
    type: m.type,
    from: { participantId: m.from.participantId, type: m.from.type, ...(m.from.nickname !== undefined ? { nickname: m.from.nickname } : {}) },
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.url !== undefined ? { url: m.url } : {}),
    ...(m.content?.length
      ? { attachments: m.content.map((a) => ({ type: a.type, mime: a.mime, ...(a.name !== undefined ? { name: a.name } : {}), ...(a.size !== undefined ? { size: a.size } : {}) })) }
      : {}),
    ...(m.event !== undefined ? { event: m.event } : {}),
    ...(m.data !== undefined ? { data: m.data } : {}),
    ...(m.subtype !== undefined ? { subtype: m.subtype } : {}),
    ...(m.interactionId !== undefined ? { interactionId: m.interactionId } : {}),
  };
}

export function toWebhookInteraction(i: Interaction): WebhookInteraction {
  return { id: i.id, state: i.state, queue: i.queue, agentAccountId: i.agentAccountId, wrapUpCode: i.wrapUpCode };
}
