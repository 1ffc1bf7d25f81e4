import { SYSTEM_PARTICIPANT_ID, type InteractionState, type Message, type ParticipantType, type Visibility } from '@parley/protocol';
import type { Clock } from '../ports/clock.js';
import { topics, type Fanout } from '../ports/fanout.js';
import type { Account, Deployment, Interaction, InteractionPatch, MessageDraft, Participant, Session, Store, StoreTx } from '../ports/store.js';
import type { DomainEvent, DomainEvents } from './domain-events.js';
import { ChatError } from './errors.js';
import { newId } from './ids.js';
import { appendMessage } from './log-append.js';
import type { LocalWrite } from './session-versions.js';
import type { WriteNotes } from './write-notes.js';
import { canTransition } from './interaction-state.js';
import { indexAppended } from './append-indexes.js';
import { enqueueWebhookEvents, type WebhookSourceEvent } from './webhooks/outbox.js';
import type { WebhookSubscriptions } from './webhooks/subscriptions.js';

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

/**
 * A write applied once per `operationId`: the first result is recorded under `scope` in the same
 * transaction, and a repeat returns it without writing, publishing or notifying anything.
 */
export interface Once {
  scope: string;
  operationId?: string | undefined;
  /** The session the write locks first (its `liveSession`): the lookup may take that lock with it. */
  sessionId?: string;
  /**
   * Hand the recorded result back only to this requester within `windowMs`; anyone else repeating
   * the id gets a write of their own, which is not recorded (a start's session and token).
   */
  requester?: { id: string | undefined; windowMs: number };
}

/**
 * A write to one session applied once per `operationId`, scoped to one use case by one writer
 * (participant or account); the lookup may take the session's lock with it.
 */
export function sessionOnce(kind: string, sessionId: string, writerId: string, operationId: string | undefined): Once {
  return { scope: `${kind}:${sessionId}:${writerId}`, sessionId, operationId };
}

/** A log draft from the System participant. */
export type SystemDraft = Omit<MessageDraft, 'id' | 'from'>;

/**
 * THE write path to sessions: every change to a session's log, participants or interactions, from
 * every caller (customer APIs, agent API, workflow API, flows, routing, presence, idle control), is
 * made in `write`: one transaction, the operationId record (`Once`), the changes through `LogTx`,
 * and once it committed the fan-out notifications the changes call for, then the domain events.
 * See docs/design.md "One write path".
 */
export class LogWriter {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly clock: Clock,
    readonly events: DomainEvents,
    /** Several nodes: each write's notification carries what it appended (core/write-notes.ts). */
    readonly notes: WriteNotes | null = null,
    /** The deployments' webhooks kept per node; without it each write reads them. */
    private readonly webhooks: WebhookSubscriptions | null = null,
  ) {}

  private readonly committedHooks: ((writes: LocalWrite[]) => void)[] = [];

  /** Calls `fn` with what each committed write did to session logs, before its notifications go out. */
  onCommitted(fn: (writes: LocalWrite[]) => void): void {
    this.committedHooks.push(fn);
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async write<T>(fn: (w: LogTx) => Promise<T>, once?: Once): Promise<T> {
    // A fresh LogTx per attempt: a retried transaction publishes only what its committed attempt did.
    const done = await this.store.tx(async (tx) => {
      const operationId = once?.operationId;
      if (once && operationId) {
        const prior = await tx.getOperation(once.scope, operationId, once.sessionId);
        if (prior !== null) {
          const replayed = once.requester ? this.replayFor(prior, once.requester) : { result: prior as T };
          if (replayed) return { result: replayed.result as T, changes: null };
          return this.attempt(tx, fn);
        }
      }
      const attempt = await this.attempt(tx, fn);
      if (once && operationId) {
        const record = once.requester ? { ...(attempt.result as object), requester: once.requester.id, at: this.nowIso() } : attempt.result;
        await tx.putOperation(once.scope, operationId, record, this.nowIso());
      }
      return attempt;
    });
    if (done.changes) await this.publish(done.changes);
    return done.result;
  }

  private async attempt<T>(tx: StoreTx, fn: (w: LogTx) => Promise<T>): Promise<{ result: T; changes: Changes }> {
    const w = new LogTx(tx, this.clock, this.webhooks);
    const result = await fn(w);
    return { result, changes: w.changes() };
  }

  /** The recorded result, if it goes back to this requester (same one, within the window). */
  private replayFor(prior: unknown, requester: { id: string | undefined; windowMs: number }): { result: unknown } | null {
    const { requester: recordedFor, at, ...result } = prior as { requester?: string; at?: string };
    const same = requester.id !== undefined && recordedFor === requester.id && this.clock.now() - Date.parse(at ?? '') <= requester.windowMs;
    return same ? { result } : null;
  }

  private async publish(changes: Changes): Promise<void> {
    const notes = new Map<string, string>();
    for (const write of changes.writes) {
      const note = this.notes?.encode(write);
      if (note === undefined) continue;
      write.note = note;
      notes.set(topics.session(write.sessionId), note);
    }
    if (changes.writes.length) for (const hook of this.committedHooks) hook(changes.writes);
    for (const topic of changes.topics) await this.fanout.notify(topic, notes.get(topic));
    for (const event of changes.events) this.events.publish(event);
  }
}

interface Changes {
  topics: Set<string>;
  events: DomainEvent[];
  /** Per session whose log grew: the messages, in order, from the head before to the head after. */
  writes: LocalWrite[];
}

/** Who must re-read after an event: the fan-out topics it wakes. */
function wakes(e: DomainEvent): string[] {
  switch (e.type) {
    case 'MessageAppended':
      return [topics.session(e.sessionId)];
    case 'SessionStarted':
    case 'SessionEnded':
      return [topics.session(e.sessionId), topics.deploymentQueue(e.deploymentId), topics.supervisors];
    case 'ParticipantJoined':
    case 'ParticipantLeft':
      return [topics.session(e.sessionId), ...(e.participant.accountId ? [topics.agent(e.participant.accountId)] : [])];
    case 'InteractionStateChanged': {
      const agents = new Set([e.previousAgentAccountId, e.interaction.agentAccountId, e.interaction.state === 'Queued' ? e.interaction.preferredAgentId : null]);
      return [
        topics.session(e.sessionId),
        topics.deploymentQueue(e.deploymentId),
        ...(e.interaction.state === 'Queued' || freesAgent(e.from, e.interaction.state) ? [topics.routing] : []),
        ...[...agents].filter((a): a is string => a !== null).map((a) => topics.agent(a)),
        topics.supervisors,
      ];
    }
    case 'CustomerTextReceived':
    case 'InteractionAssigned':
      // Use-case events: the changes they sum up wake their readers already.
      return [];
  }
}

/** Offered, Handling and Finalizing count against an agent's capacity (StoreTx.agentLoads). */
const LOADED: readonly (InteractionState | null)[] = ['Offered', 'Handling', 'Finalizing'];

/** The change gives an agent room for another interaction: routing may offer them queued work. */
function freesAgent(from: InteractionState | null, to: InteractionState): boolean {
  return LOADED.includes(from) && !LOADED.includes(to);
}

/**
 * The changes of one write, inside its transaction. Each method changes the store and records the
 * domain event (and so the notifications) it stands for; nothing leaves the transaction before it
 * commits. `tx` is there for reads and for records that are not a session's (profiles, flow runs,
 * files).
 */
export class LogTx {
  private readonly events: DomainEvent[] = [];
  private readonly topics = new Set<string>();
  private readonly writes = new Map<string, LocalWrite>();
  /** Log heads of the sessions this transaction has locked (liveSession), kept up to date by append. */
  private readonly lockedHeads = new Map<string, number>();

  constructor(
    readonly tx: StoreTx,
    private readonly clock: Clock,
    private readonly webhooks: WebhookSubscriptions | null = null,
  ) {}

  private enqueueWebhookEvents(event: WebhookSourceEvent): Promise<void> {
    const webhooks = this.webhooks;
    return enqueueWebhookEvents(this.tx, event, webhooks ? (id) => webhooks.of(this.tx, id) : undefined);
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** Records a use-case event (published after commit). */
  emit(event: DomainEvent): void {
    this.events.push(event);
    for (const topic of wakes(event)) this.topics.add(topic);
    // Who may read the session, or whether it is live, changed: readers must look at the store again.
    if (event.type === 'ParticipantJoined' || event.type === 'ParticipantLeft' || event.type === 'InteractionStateChanged' || event.type === 'SessionEnded') {
      this.written(event.sessionId).changedAccess = true;
    }
  }

  private written(sessionId: string): LocalWrite {
    let write = this.writes.get(sessionId);
    if (!write) this.writes.set(sessionId, (write = { sessionId, fromNum: -1, toNum: -1, messages: [], changedAccess: false }));
    return write;
  }

  /** Wakes a topic after commit for a change that is not a session's (a profile, presence). */
  notify(topic: string): void {
    this.topics.add(topic);
  }

  changes(): Changes {
    return { topics: this.topics, events: this.events, writes: [...this.writes.values()] };
  }

  /** The session, locked for the rest of the transaction; a session that ended (or never was) is refused. */
  async liveSession(sessionId: string, refusal?: string): Promise<Session> {
    const session = await this.tx.getSession(sessionId, true);
    if (!session || session.state !== 'Active') throw new ChatError('INVALID_SESSION', refusal ?? (session ? 'session has ended' : 'session not found'));
    if (!this.lockedHeads.has(sessionId)) this.lockedHeads.set(sessionId, session.lastIndexNum);
    return session;
  }

  /** The account's connected participant in the session: staff write only where they joined. */
  async connectedStaff(sessionId: string, account: Account): Promise<Participant> {
    const p = (await this.tx.listParticipants(sessionId)).find((x) => x.accountId === account.id && x.state === 'Connected');
    if (!p) throw new ChatError('FORBIDDEN', 'you are not connected to this session; accept an interaction first');
    return p;
  }

  async append(session: Session, draft: Omit<MessageDraft, 'id'>): Promise<Message> {
    const { message, indexNum, previousNum } = await appendMessage(this.tx, session.id, { id: newId(), ...draft }, this.clock.now(), this.lockedHeads.get(session.id));
    if (this.lockedHeads.has(session.id)) this.lockedHeads.set(session.id, indexNum);
    const write = this.written(session.id);
    if (write.messages.length === 0) write.fromNum = previousNum;
    write.toNum = indexNum;
    // As a reader gets it back from the store (JSON: no undefined fields).
    write.messages.push(JSON.parse(JSON.stringify(message)) as Message);
    await indexAppended(this.tx, session, message);
    await this.enqueueWebhookEvents({ type: 'message.created', message, deploymentId: session.deploymentId });
    this.emit({ type: 'MessageAppended', sessionId: session.id, deploymentId: session.deploymentId, message });
    return message;
  }

  /** A message from the System participant (notices of idle control, presence, tickets; UI events; state changes). */
  appendSystem(session: Session, draft: SystemDraft): Promise<Message> {
    const { type, ...rest } = draft;
    return this.append(session, { type, from: { participantId: SYSTEM_PARTICIPANT_ID, type: 'System' }, ...rest });
  }

  /** Inserts the session with its customer and first interaction. */
  async openSession(session: Session, customer: Participant, deployment: Deployment, first: NewInteraction): Promise<Interaction> {
    await this.tx.insertSession(session);
    await this.enqueueWebhookEvents({ type: 'session.started', session, at: session.createdAt });
    await this.addParticipant(session, customer);
    const interaction = await this.openInteraction(session, deployment, first);
    this.emit({ type: 'SessionStarted', sessionId: session.id, deploymentId: session.deploymentId, session, deployment, interaction });
    return interaction;
  }

  /** Replaces the session's user data (the caller merges); its readers are woken. */
  async setUserData(session: Session, userData: Record<string, string>): Promise<void> {
    await this.tx.updateSession(session.id, { userData });
    this.notify(topics.session(session.id));
  }

  /** Ends the session: an interaction no agent handles yet is completed, the customer leaves. */
  async endSession(session: Session): Promise<void> {
    const latest = await this.tx.latestInteraction(session.id);
    if (latest && (latest.state === 'Workflow' || latest.state === 'Queued' || latest.state === 'Offered')) {
      await this.transition(session, latest, 'Completed');
    }
    const customer = await this.tx.getParticipant(session.customerParticipantId);
    if (customer && customer.state === 'Connected') await this.leave(session, customer);
    const endedAt = this.nowIso();
    await this.tx.updateSession(session.id, { state: 'Ended', endedAt });
    await this.enqueueWebhookEvents({ type: 'session.ended', session: { ...session, state: 'Ended', endedAt }, at: endedAt });
    this.emit({ type: 'SessionEnded', sessionId: session.id, deploymentId: session.deploymentId });
  }

  /** Adds a participant; the log shows the join unless it is a silent monitor. */
  async addParticipant(session: Session, participant: Participant): Promise<Participant> {
    await this.tx.insertParticipant(participant);
    if (participant.state !== 'Monitoring') {
      await this.append(session, { type: 'ParticipantJoined', from: { participantId: participant.id, type: participant.type, nickname: participant.nickname }, visibility: 'All' });
    }
    this.emit({ type: 'ParticipantJoined', sessionId: session.id, deploymentId: session.deploymentId, participant });
    return participant;
  }

  /** A participant leaves; the log shows it unless it was a silent monitor. */
  async leave(session: Session, participant: Participant): Promise<void> {
    const leftAt = this.nowIso();
    await this.tx.updateParticipant(participant.id, { state: 'Left', leftAt });
    if (participant.state !== 'Monitoring') {
      await this.append(session, { type: 'ParticipantLeft', from: { participantId: participant.id, type: participant.type, nickname: participant.nickname }, visibility: 'All' });
    }
    this.emit({ type: 'ParticipantLeft', sessionId: session.id, deploymentId: session.deploymentId, participant: { ...participant, state: 'Left', leftAt } });
  }

  /** A staff member joins as a visible participant (Agent or Supervisor by role); one already connected stays as they are. */
  async joinStaff(session: Session, account: Account): Promise<Participant> {
    const existing = (await this.tx.listParticipants(session.id)).find((p) => p.accountId === account.id && p.state === 'Connected');
    if (existing) return existing;
    const type: ParticipantType = account.role === 'agent' ? 'Agent' : 'Supervisor';
    return this.addParticipant(session, {
      id: newId(),
      sessionId: session.id,
      type,
      nickname: account.displayName,
      accountId: account.id,
      state: 'Connected',
      joinedAt: this.nowIso(),
      leftAt: null,
      cursorNum: session.lastIndexNum,
    });
  }

  /** The account leaves the session if it is connected to it; returns whether it was. */
  async leaveIfConnected(session: Session, account: Account): Promise<boolean> {
    const p = (await this.tx.listParticipants(session.id)).find((x) => x.accountId === account.id && x.state === 'Connected');
    if (!p) return false;
    await this.leave(session, p);
    return true;
  }

  /** Moves an interaction through the state machine (compare-and-set) and records the change in the log. */
  async transition(session: Session, interaction: Interaction, to: InteractionState, patch: InteractionPatch = {}): Promise<Interaction> {
    if (!canTransition(interaction.state, to)) {
      throw new ChatError('CONFLICT', `interaction ${interaction.id} is ${interaction.state}; it cannot become ${to}`);
    }
    const now = this.nowIso();
    const full: InteractionPatch = { offerExpiresAt: null, ...patch, state: to, updatedAt: now };
    if (to === 'Completed') full.completedAt = now;
    if (to === 'Queued' && patch.queuedAt === undefined) full.queuedAt = now;
    if (to === 'Handling' && !interaction.handledAt) full.handledAt = now;
    const ok = await this.tx.updateInteraction(interaction.id, interaction.state, full);
    if (!ok) throw new ChatError('CONFLICT', `interaction ${interaction.id} was changed by someone else; reload it`);
    const changed = { ...interaction, ...full } as Interaction;
    await this.appendStateChange(session, changed, await this.stateChangeVisibility(interaction, to));
    this.emit({
      type: 'InteractionStateChanged',
      sessionId: session.id,
      deploymentId: session.deploymentId,
      interaction: changed,
      from: interaction.state,
      previousAgentAccountId: interaction.agentAccountId,
    });
    await this.enqueueWebhookEvents({ type: 'interaction.state_changed', interaction: changed, previousState: interaction.state, at: now });
    if (to === 'Handling' && changed.agentAccountId) await this.enqueueWebhookEvents({ type: 'interaction.assigned', interaction: changed, at: now });
    return changed;
  }

  async openInteraction(session: Session, deployment: Deployment, init: NewInteraction): Promise<Interaction> {
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
    await this.tx.insertInteraction(interaction);
    await this.appendStateChange(session, interaction, 'All');
    this.emit({ type: 'InteractionStateChanged', sessionId: session.id, deploymentId: session.deploymentId, interaction, from: null, previousAgentAccountId: null });
    await this.enqueueWebhookEvents({ type: 'interaction.state_changed', interaction, previousState: null, at: now });
    if (interaction.state === 'Handling' && interaction.agentAccountId) await this.enqueueWebhookEvents({ type: 'interaction.assigned', interaction, at: now });
    return interaction;
  }

  private appendStateChange(session: Session, interaction: Interaction, visibility: Visibility): Promise<Message> {
    return this.appendSystem(session, { type: 'System', visibility, event: 'InteractionStateChange', data: { interactionState: interaction.state }, interactionId: interaction.id });
  }

  /**
   * The customer follows the session's newest interaction only: the wrap-up of an older one
   * completing while the next is under way is for staff (a page running seed 000's snippet would
   * otherwise show its "chat is over" notice in the middle of the new conversation).
   */
  private async stateChangeVisibility(interaction: Interaction, to: InteractionState): Promise<Visibility> {
    if (interaction.state !== 'Finalizing' || to !== 'Completed') return 'All';
    const latest = await this.tx.latestInteraction(interaction.sessionId);
    return latest && latest.id !== interaction.id ? 'Int' : 'All';
  }
}
