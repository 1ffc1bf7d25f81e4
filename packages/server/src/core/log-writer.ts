import { SYSTEM_PARTICIPANT_ID, type InteractionState, type Message, type Visibility } from '@parley/protocol';
import type { Clock } from '../ports/clock.js';
import type { Deployment, Interaction, InteractionPatch, MessageDraft, Session, StoreTx } from '../ports/store.js';
import { ChatError } from './errors.js';
import { newId } from './ids.js';
import { canTransition } from './interaction-state.js';
import { enqueueWebhookEvents } from './webhooks/outbox.js';

export interface NewInteraction {
  state: InteractionState;
  queue?: string;
  priority?: number;
  skills?: string[];
  language?: string | null;
  agentAccountId?: string | null;
  preferredAgentId?: string | null;
  preferredUntil?: string | null;
}

/** Writes to a session's log inside a transaction: messages, and interaction changes with their System message. */
export class LogWriter {
  constructor(private readonly clock: Clock) {}

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async append(tx: StoreTx, session: Session, draft: Omit<MessageDraft, 'id'>): Promise<Message> {
    const message = await tx.appendMessage(session.id, { id: newId(), ...draft }, this.clock.now());
    await enqueueWebhookEvents(tx, { type: 'message.created', message, deploymentId: session.deploymentId });
    return message;
  }

  private appendStateChange(tx: StoreTx, session: Session, interaction: Interaction, state: InteractionState, visibility: Visibility = 'All'): Promise<Message> {
    return this.append(tx, session, {
      type: 'System',
      from: { participantId: SYSTEM_PARTICIPANT_ID, type: 'System' },
      visibility,
      event: 'InteractionStateChange',
      data: { interactionState: state },
      interactionId: interaction.id,
    });
  }

  /** Moves an interaction through the state machine (compare-and-set) and records the change in the log. */
  async transition(tx: StoreTx, session: Session, interaction: Interaction, to: InteractionState, patch: InteractionPatch = {}): Promise<Interaction> {
    if (!canTransition(interaction.state, to)) {
      throw new ChatError('CONFLICT', `interaction ${interaction.id} is ${interaction.state}; it cannot become ${to}`);
    }
    const now = this.nowIso();
    const full: InteractionPatch = { offerExpiresAt: null, ...patch, state: to, updatedAt: now };
    if (to === 'Completed') full.completedAt = now;
    if (to === 'Queued' && patch.queuedAt === undefined) full.queuedAt = now;
    if (to === 'Handling' && !interaction.handledAt) full.handledAt = now;
    const ok = await tx.updateInteraction(interaction.id, interaction.state, full);
    if (!ok) throw new ChatError('CONFLICT', `interaction ${interaction.id} was changed by someone else; reload it`);
    await this.appendStateChange(tx, session, interaction, to, await this.stateChangeVisibility(tx, interaction, to));
    const changed = { ...interaction, ...full } as Interaction;
    await enqueueWebhookEvents(tx, { type: 'interaction.state_changed', interaction: changed, previousState: interaction.state, at: now });
    if (to === 'Handling' && changed.agentAccountId) await enqueueWebhookEvents(tx, { type: 'interaction.assigned', interaction: changed, at: now });
    return changed;
  }

  /**
   * The customer follows the session's newest interaction only: the wrap-up of an older one
   * completing while the next is under way is for staff (a page running seed 000's snippet would
   * otherwise show its "chat is over" notice in the middle of the new conversation).
   */
  private async stateChangeVisibility(tx: StoreTx, interaction: Interaction, to: InteractionState): Promise<Visibility> {
    if (interaction.state !== 'Finalizing' || to !== 'Completed') return 'All';
    const latest = await tx.latestInteraction(interaction.sessionId);
    return latest && latest.id !== interaction.id ? 'Int' : 'All';
  }

  async openInteraction(tx: StoreTx, session: Session, deployment: Deployment, init: NewInteraction): Promise<Interaction> {
    const now = this.nowIso();
    const interaction: Interaction = {
      id: newId(),
      sessionId: session.id,
      deploymentId: session.deploymentId,
      state: init.state,
      queue: init.queue ?? deployment.defaultQueue,
      priority: init.priority ?? 0,
      agentAccountId: init.agentAccountId ?? null,
      wrapUpCode: null,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
      skills: init.skills ?? [],
      language: init.language ?? null,
      queuedAt: now,
      handledAt: init.state === 'Handling' ? now : null,
      offerExpiresAt: null,
      declinedBy: [],
      preferredAgentId: init.preferredAgentId ?? null,
      preferredUntil: init.preferredUntil ?? null,
    };
    await tx.insertInteraction(interaction);
    await this.appendStateChange(tx, session, interaction, init.state);
    await enqueueWebhookEvents(tx, { type: 'interaction.state_changed', interaction, previousState: null, at: now });
    if (interaction.state === 'Handling' && interaction.agentAccountId) await enqueueWebhookEvents(tx, { type: 'interaction.assigned', interaction, at: now });
    return interaction;
  }
}
