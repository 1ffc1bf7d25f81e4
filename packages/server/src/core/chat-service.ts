import { setMaxListeners } from 'node:events';
import { SYSTEM_PARTICIPANT_ID, type InteractionState, type Message, type MessageType, type ParticipantType, type Visibility, isWebUrl, visibleTo } from '@parley/protocol';
import type { Clock } from '../ports/clock.js';
import { topics, type Fanout } from '../ports/fanout.js';
import type { Account, Deployment, Interaction, InteractionPatch, MessageDraft, Participant, Session, Store, StoreTx } from '../ports/store.js';
import { decideAsync } from './async-decision.js';
import { ChatError } from './errors.js';
import { newId } from './ids.js';
import { LogWriter } from './log-writer.js';
import { FileLinks } from './file-links.js';
import { formatIndex, parseIndex } from './message-index.js';
import { afterCustomerText } from './segments.js';
import { manualAcceptRefusal } from './router.js';

export interface ChatLimits {
  maxMessageLength: number;
  maxUserDataKeys: number;
  maxUserDataBytes: number;
  /** Reads of an ended session are still answered (with chatEnded) for this long. */
  endedReadGraceMs: number;
}

/** Seed 002's answer to a workflow writing into an ended chat. */
export const WORKFLOW_OFFLINE = 'the chat is offline (IsOnline is 0): nothing can be sent into it';

/** How long a repeated start (same operationId, same requester) gets the first session back. */
export const START_REPLAY_MS = 5 * 60_000;

export const defaultLimits: ChatLimits = {
  maxMessageLength: 10_000,
  maxUserDataKeys: 100,
  maxUserDataBytes: 32 * 1024,
  endedReadGraceMs: 10 * 60_000,
};

export interface CustomerInfo {
  nickname?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  subject?: string;
  userData?: Record<string, string>;
  /** The start asks for an asynchronous session (only a deployment in `client` mode listens). */
  async?: boolean;
  /** The chat endpoint the start names (v3 `data[endpoint]`, GMS service name, guest target queue). */
  endpoint?: string;
  routing?: { queue?: string; priority?: number; skills?: string[]; language?: string | null };
  /** A message left while no one can chat (core/offline-messages.ts): asynchronous, and queued for agents without a flow first. */
  leaveMessage?: boolean;
}

export interface ReadResult {
  messages: Message[];
  lastDeliveredIndex: string | null;
  chatEnded: boolean;
  /**
   * Set when the read would move the reader's delivery cursor: the caller calls `complete()` once
   * the answer is handed over whole (written and flushed), `abandon()` when it was not.
   */
  handover?: Handover;
}

/** A delivery-cursor move that waits until its answer has reached the client's connection. */
export interface Handover {
  complete(): void;
  abandon(): void;
}

/**
 * How long a cursor-only read waits for the previous answer's handover (its write, then the
 * cursor's move) before reading anyway: a bound, never reached unless the store is slow.
 */
const HANDOVER_WAIT_MS = 10_000;
/** Failed cursor moves remembered for the next read (an outage's worth of active readers). */
const MAX_UNSAVED_CURSORS = 100_000;

/** Called after a write commits; the flow engine listens here. Failures are logged, never undo the write. */
export interface ChatHooks {
  sessionStarted?(sessionId: string): Promise<void>;
  customerText?(sessionId: string, message: Message): Promise<void>;
  agentJoined?(sessionId: string, interactionId: string): Promise<void>;
}

export interface StartResult {
  session: Session;
  participant: Participant;
  interaction: Interaction;
}

/** The chat domain: sessions, their message log, interactions and participants. */
export class ChatService {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly clock: Clock,
    readonly limits: ChatLimits = defaultLimits,
    /** Signs file links on every read; without it links go out as stored (unsigned). */
    private readonly fileLinks: FileLinks | null = null,
  ) {
    this.log = new LogWriter(clock);
  }

  private signed<R extends { messages: Message[] }>(r: R): R {
    const links = this.fileLinks;
    return links ? { ...r, messages: r.messages.map((m) => links.fresh(m)) } : r;
  }

  readonly log: LogWriter;
  hooks: ChatHooks = {};
  onHookError: (err: unknown) => void = () => {};

  private async runHook(fn: (() => Promise<void>) | undefined): Promise<void> {
    if (!fn) return;
    try {
      await fn();
    } catch (err) {
      this.onHookError(err);
    }
  }
  private readonly stopping = (() => {
    const c = new AbortController();
    try {
      setMaxListeners(0, c.signal);
    } catch {
      // Not Node's AbortSignal (a test DOM replaced it): the default listener limit only warns.
    }
    return c;
  })();

  /** Shutdown: every waiting long poll answers now with what it has. */
  stopWaiting(): void {
    this.stopping.abort();
  }

  private nowIso(): string {
    return this.log.nowIso();
  }

  /** Runs a write once per operationId: a retried write returns the first result. */
  private async once<T>(scope: string, operationId: string | undefined, fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.store.tx(async (tx) => {
      if (operationId) {
        const prior = await tx.getOperation(scope, operationId);
        if (prior !== null) return prior as T;
      }
      const result = await fn(tx);
      if (operationId) await tx.putOperation(scope, operationId, result, this.nowIso());
      return result;
    });
  }

  /**
   * Like `once`, but the stored result is handed back only to the requester that caused it, and
   * only within `windowMs`; any other repeat runs `fn` anew (and is not recorded).
   */
  private async onceFor<T extends object>(scope: string, replay: { operationId?: string; requester?: string }, windowMs: number, fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const { operationId, requester } = replay;
    return this.store.tx(async (tx) => {
      if (operationId) {
        const prior = (await tx.getOperation(scope, operationId)) as (T & { requester?: string; at?: string }) | null;
        if (prior !== null) {
          const same = requester !== undefined && prior.requester === requester && this.clock.now() - Date.parse(prior.at ?? '') <= windowMs;
          if (!same) return fn(tx);
          const { requester: _r, at: _a, ...result } = prior;
          return result as unknown as T;
        }
      }
      const result = await fn(tx);
      if (operationId) await tx.putOperation(scope, operationId, { ...result, requester, at: this.nowIso() }, this.nowIso());
      return result;
    });
  }

  private append(tx: StoreTx, session: Session, draft: Omit<MessageDraft, 'id'>): Promise<Message> {
    return this.log.append(tx, session, draft);
  }

  private transition(tx: StoreTx, session: Session, interaction: Interaction, to: InteractionState, patch: InteractionPatch = {}): Promise<Interaction> {
    return this.log.transition(tx, session, interaction, to, patch);
  }

  async notifySession(sessionId: string, queueOf?: string, agentAccountId?: string | null): Promise<void> {
    await this.fanout.notify(topics.session(sessionId));
    if (queueOf) {
      await this.fanout.notify(topics.deploymentQueue(queueOf));
      await this.fanout.notify(topics.routing);
    }
    if (agentAccountId) await this.fanout.notify(topics.agent(agentAccountId));
    await this.fanout.notify(topics.supervisors);
  }

  // ---- customer side -------------------------------------------------------------------------

  /**
   * Starts a session. A start repeated with the same `operationId` (a retry after a lost answer)
   * returns the first session only to the same requester (`replay.requester`: a fingerprint of the
   * client and the request, see http/auth-customer.ts) within START_REPLAY_MS; anyone else
   * repeating the id gets a session of their own, never the first client's token.
   */
  async startSession(deployment: Deployment, info: CustomerInfo, replay: { operationId?: string; requester?: string } = {}): Promise<StartResult> {
    this.checkUserData(info.userData ?? {});
    const isAsync = info.leaveMessage === true || decideAsync(deployment.asyncPolicy, { endpoint: info.endpoint, asked: info.async });
    const result = await this.onceFor(`start:${deployment.id}`, replay, START_REPLAY_MS, async (tx) => {
      const now = this.nowIso();
      const sessionId = newId();
      const participantId = newId();
      const nickname = (info.nickname || [info.firstName, info.lastName].filter(Boolean).join(' ') || 'Customer').slice(0, 256);
      const userData: Record<string, string> = { ...(info.userData ?? {}) };
      for (const [k, v] of [
        ['FirstName', info.firstName],
        ['LastName', info.lastName],
        ['EmailAddress', info.email],
        ['Subject', info.subject],
      ] as const) {
        if (v) userData[k] = v;
      }
      const session: Session = {
        id: sessionId,
        deploymentId: deployment.id,
        async: isAsync,
        state: 'Active',
        customerParticipantId: participantId,
        transportId: newId(),
        userData,
        createdAt: now,
        endedAt: null,
        lastIndexNum: 0,
        lastCustomerAt: now,
        lastActivityAt: now,
      };
      await tx.insertSession(session);
      const participant: Participant = {
        id: participantId,
        sessionId,
        type: 'Customer',
        nickname,
        accountId: null,
        state: 'Connected',
        joinedAt: now,
        leftAt: null,
        cursorNum: 0,
      };
      await tx.insertParticipant(participant);
      await this.append(tx, session, {
        type: 'ParticipantJoined',
        from: { participantId, type: 'Customer', nickname },
        visibility: 'All',
      });
      const interaction = await this.log.openInteraction(tx, session, deployment, { state: deployment.settings?.flow && !info.leaveMessage ? 'Workflow' : 'Queued', ...(info.routing ?? {}) });
      return { session, participant, interaction };
    });
    await this.notifySession(result.session.id, deployment.id);
    await this.runHook(this.hooks.sessionStarted && (() => this.hooks.sessionStarted!(result.session.id)));
    return result;
  }

  /** Loads a session for a customer request; ended sessions are readable only during the grace period. */
  async customerSession(sessionId: string, participantId: string, purpose: 'read' | 'write'): Promise<{ session: Session; participant: Participant }> {
    const found = await this.store.tx(async (tx) => {
      const session = await tx.getSession(sessionId);
      const participant = await tx.getParticipant(participantId);
      return { session, participant };
    });
    const { session, participant } = found;
    if (!session || !participant || participant.sessionId !== session.id || session.customerParticipantId !== participant.id) {
      throw new ChatError('INVALID_SESSION', 'session not found');
    }
    if (session.state === 'Ended') {
      const endedAt = session.endedAt ? Date.parse(session.endedAt) : 0;
      if (purpose === 'write' || this.clock.now() - endedAt > this.limits.endedReadGraceMs) {
        throw new ChatError('INVALID_SESSION', 'session has ended');
      }
    }
    return { session, participant };
  }

  /** Whether the session exists and has not ended (an async customer coming back resumes it). */
  async isActive(sessionId: string): Promise<boolean> {
    const session = await this.store.tx((tx) => tx.getSession(sessionId));
    return session?.state === 'Active';
  }

  async customerSend(sessionId: string, participantId: string, input: { type: 'Text' | 'TypingStarted' | 'TypingStopped'; text?: string }, operationId?: string): Promise<Message> {
    if (input.type === 'Text') {
      if (!input.text || input.text.trim() === '') throw new ChatError('INVALID_REQUEST', 'data[text] is required for a Text message');
      this.checkText(input.text);
    }
    let queueOf: string | undefined;
    const message = await this.once(`send:${sessionId}`, operationId, async (tx) => {
      const session = await this.liveSession(tx, sessionId);
      const participant = await tx.getParticipant(participantId);
      if (!participant || participant.sessionId !== sessionId) throw new ChatError('INVALID_SESSION', 'session not found');
      const msg = await this.append(tx, session, {
        type: input.type,
        from: { participantId, type: 'Customer', nickname: participant.nickname },
        visibility: 'All',
        ...(input.type === 'Text' ? { text: input.text } : input.text ? { text: input.text.slice(0, 256) } : {}),
      });
      if (input.type === 'Text' && session.async) {
        queueOf = await this.afterCustomerText(tx, session);
      }
      return msg;
    });
    await this.notifySession(sessionId, queueOf);
    if (message.type === 'Text') await this.runHook(this.hooks.customerText && (() => this.hooks.customerText!(sessionId, message)));
    return message;
  }

  /**
   * A notice from the customer's page to the agents (GMS `customNotice`): a `Notice` with subtype
   * `CustomNotice` from the customer, visible to all. It does not count as the customer writing.
   */
  async customerNotice(sessionId: string, participantId: string, text: string, operationId?: string): Promise<Message> {
    this.checkText(text);
    const message = await this.once(`notice:${sessionId}`, operationId, async (tx) => {
      const session = await this.liveSession(tx, sessionId);
      const participant = await tx.getParticipant(participantId);
      if (!participant || participant.sessionId !== sessionId || participant.id !== session.customerParticipantId) throw new ChatError('INVALID_SESSION', 'session not found');
      return this.append(tx, session, {
        type: 'Notice',
        from: { participantId, type: 'Customer', nickname: participant.nickname },
        visibility: 'All',
        text,
        subtype: 'CustomNotice',
      });
    });
    await this.notifySession(sessionId);
    return message;
  }

  /**
   * A routing workflow, bot or back end writes into a live session (the workflow API, seed 002):
   * the same write path as every other writer, applied once per `operationId` (scope
   * `workflow:<session>`: a retried POST returns the first message), then the session's readers are
   * woken. No after-write hook listens to these (flows react to the customer, not to workflows).
   */
  async workflowAppend(sessionId: string, draft: Omit<MessageDraft, 'id'>, operationId?: string): Promise<Message> {
    const message = await this.once(`workflow:${sessionId}`, operationId, async (tx) => {
      const session = await tx.getSession(sessionId, true);
      if (!session || session.state !== 'Active') throw new ChatError('INVALID_SESSION', WORKFLOW_OFFLINE);
      return this.append(tx, session, draft);
    });
    await this.notifySession(sessionId);
    return message;
  }

  /**
   * Async mode (seed 000's segments): a customer message after the agent closed the segment
   * (Finalizing or Completed) starts the next interaction, offered first to that agent, or gets the
   * policy's notice. A Finalizing interaction stays with its agent for wrap-up.
   */
  private async afterCustomerText(tx: StoreTx, session: Session): Promise<string | undefined> {
    const latest = await tx.latestInteraction(session.id);
    const deployment = await tx.getDeployment(session.deploymentId);
    if (!deployment) throw new ChatError('INVALID_SESSION', 'deployment no longer exists');
    const policy = deployment.asyncPolicy;
    const next = afterCustomerText(latest, policy, this.clock.now());
    if (next === 'continue') return undefined;
    if (next === 'notice') {
      await this.append(tx, session, {
        type: 'Notice',
        from: { participantId: SYSTEM_PARTICIPANT_ID, type: 'System' },
        visibility: 'All',
        text: policy.noticeText,
        subtype: 'AfterCompletion',
      });
      return undefined;
    }
    const lastAgent = latest?.agentAccountId ?? null;
    const queue = latest?.queue ?? deployment.defaultQueue;
    const sticky = lastAgent ? ((await tx.getQueue(deployment.id, queue))?.stickySeconds ?? 0) : 0;
    await this.log.openInteraction(tx, session, deployment, {
      state: deployment.settings?.flow ? 'Workflow' : 'Queued',
      queue,
      priority: latest?.priority ?? 0,
      skills: latest?.skills ?? [],
      language: latest?.language ?? null,
      ...(sticky > 0 ? { preferredAgentId: lastAgent, preferredUntil: new Date(this.clock.now() + sticky * 1000).toISOString() } : {}),
    });
    return deployment.id;
  }

  async updateUserData(sessionId: string, data: Record<string, string>, operationId?: string): Promise<Record<string, string>> {
    const result = await this.once(`userdata:${sessionId}`, operationId, async (tx) => {
      const session = await this.liveSession(tx, sessionId);
      const merged = { ...session.userData, ...data };
      this.checkUserData(merged);
      await tx.updateSession(sessionId, { userData: merged });
      return merged;
    });
    await this.notifySession(sessionId);
    return result;
  }

  /** The customer leaves: the session ends; interactions no agent handles yet are completed. */
  async customerLeave(sessionId: string, participantId: string, operationId?: string): Promise<void> {
    await this.once(`leave:${sessionId}`, operationId, async (tx) => {
      const session = await this.liveSession(tx, sessionId);
      const participant = await tx.getParticipant(participantId);
      if (!participant || participant.sessionId !== sessionId || participant.id !== session.customerParticipantId) {
        throw new ChatError('FORBIDDEN', 'a customer can only remove their own participant');
      }
      await this.endSession(tx, session);
      return true;
    });
    await this.notifySession(sessionId);
  }

  async endSession(tx: StoreTx, session: Session): Promise<void> {
    const latest = await tx.latestInteraction(session.id);
    if (latest && (latest.state === 'Workflow' || latest.state === 'Queued' || latest.state === 'Offered')) {
      await this.transition(tx, session, latest, 'Completed');
    }
    const customer = await tx.getParticipant(session.customerParticipantId);
    if (customer && customer.state === 'Connected') {
      await tx.updateParticipant(customer.id, { state: 'Left', leftAt: this.nowIso() });
      await this.append(tx, session, {
        type: 'ParticipantLeft',
        from: { participantId: customer.id, type: 'Customer', nickname: customer.nickname },
        visibility: 'All',
      });
    }
    await tx.updateSession(session.id, { state: 'Ended', endedAt: this.nowIso() });
  }

  async liveSession(tx: StoreTx, sessionId: string): Promise<Session> {
    const session = await tx.getSession(sessionId, true);
    if (!session || session.state !== 'Active') throw new ChatError('INVALID_SESSION', session ? 'session has ended' : 'session not found');
    return session;
  }

  // ---- reading -------------------------------------------------------------------------------

  /**
   * Messages after the participant's delivery cursor, or after `afterIndex` when the client names
   * its own position. A client that names its position moves the cursor at once (it holds what it
   * names); otherwise (`advance: 'on-handover'`, the default without `afterIndex`) the cursor moves
   * only when the caller completes the result's handover, so an answer lost on the wire is served
   * again (see docs/design.md, Delivery).
   */
  async readNew(
    sessionId: string,
    participantId: string,
    readerType: ParticipantType,
    afterIndex?: string,
    limit = 100,
    advance: 'now' | 'on-handover' = afterIndex === undefined ? 'on-handover' : 'now',
  ): Promise<ReadResult> {
    const afterGiven = afterIndex !== undefined ? parseIndex(afterIndex) : null;
    if (afterIndex !== undefined && afterGiven === null) throw new ChatError('INVALID_REQUEST', 'index must look like "<ms>-<seq>"');
    if (advance === 'on-handover' && afterGiven === null) await this.previousHandover(participantId);
    // Handed over, but the cursor's move failed (the store was down): this read makes it.
    const unsaved = afterGiven === null ? (this.unsavedCursors.get(participantId) ?? 0) : 0;
    const result = await this.store.tx(async (tx) => {
      const session = await tx.getSession(sessionId);
      // Locked: reads and cursor moves of one participant take turns.
      const participant = await tx.getParticipant(participantId, true);
      if (!session || !participant) throw new ChatError('INVALID_SESSION', 'session not found');
      let cursorNum = participant.cursorNum;
      if (unsaved > cursorNum) {
        cursorNum = unsaved;
        await tx.updateParticipant(participantId, { cursorNum });
      }
      const after = afterGiven ?? cursorNum;
      const messages = await tx.listMessages(sessionId, { afterNum: after, visibilities: visibleTo(readerType), limit });
      const lastNum = messages.length ? parseIndex(messages[messages.length - 1]!.index)! : after;
      if (advance === 'now' && lastNum > cursorNum) await tx.updateParticipant(participantId, { cursorNum: lastNum });
      const delivered = Math.max(lastNum, afterGiven === null ? cursorNum : lastNum);
      const caughtUp = messages.length < limit;
      return {
        read: this.signed({
          messages,
          lastDeliveredIndex: delivered > 0 ? formatIndex(delivered) : null,
          chatEnded: session.state === 'Ended' && caughtUp,
        } as ReadResult),
        moveTo: advance === 'on-handover' && lastNum > cursorNum ? lastNum : 0,
      };
    });
    if (unsaved > 0 && this.unsavedCursors.get(participantId) === unsaved) this.unsavedCursors.delete(participantId);
    if (result.moveTo > 0) result.read.handover = this.handover(participantId, result.moveTo);
    return result.read;
  }

  /** Cursor moves that failed after their answer was handed over (the store was down), per participant. */
  private readonly unsavedCursors = new Map<string, number>();

  /** Handovers not yet completed or abandoned, per participant (on this node). */
  private readonly handovers = new Map<string, Promise<void>>();

  /** A cursor-only read waits for the previous answer's handover, so it does not serve it twice. */
  private async previousHandover(participantId: string): Promise<void> {
    const pending = this.handovers.get(participantId);
    if (!pending) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pending, new Promise<void>((resolve) => (timer = setTimeout(resolve, HANDOVER_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private handover(participantId: string, cursorNum: number): Handover {
    let settle: () => void = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const previous = this.handovers.get(participantId);
    const chained = previous ? Promise.all([previous, settled]).then(() => undefined) : settled;
    this.handovers.set(participantId, chained);
    let done = false;
    const finish = (move: boolean) => {
      if (done) return;
      done = true;
      const moved = move ? this.moveCursor(participantId, cursorNum) : Promise.resolve();
      void moved.finally(() => {
        settle();
        if (this.handovers.get(participantId) === chained) this.handovers.delete(participantId);
      });
    };
    return { complete: () => finish(true), abandon: () => finish(false) };
  }

  /** Moves a delivery cursor forward (never back): the client has been handed everything up to it. */
  private async moveCursor(participantId: string, cursorNum: number): Promise<void> {
    try {
      await this.store.tx(async (tx) => {
        const p = await tx.getParticipant(participantId, true);
        if (p && cursorNum > p.cursorNum) await tx.updateParticipant(participantId, { cursorNum });
      });
    } catch (err) {
      // Not moved now: the next read on this node moves it first. (On another node, or after a
      // restart, those messages are served again: at least once, nothing lost.)
      this.unsavedCursors.set(participantId, Math.max(cursorNum, this.unsavedCursors.get(participantId) ?? 0));
      if (this.unsavedCursors.size > MAX_UNSAVED_CURSORS) this.unsavedCursors.delete(this.unsavedCursors.keys().next().value!);
      this.onHookError(err);
    }
  }

  /** Runs `read` until it returns something, the session ends, or `holdMs` passes (long poll). */
  /** Long polls waiting in waitFor on this node. */
  get openLongPolls(): number {
    return this.waiting;
  }
  private waiting = 0;

  /** Called with the time (ms) from a message's write to its read by a long poll that was waiting for it. */
  onWaitedDelivery: (lagMs: number) => void = () => {};

  async waitFor(sessionId: string, holdMs: number, read: () => Promise<ReadResult>, signal?: AbortSignal): Promise<ReadResult> {
    this.waiting++;
    const since = this.clock.now();
    try {
      const result = await this.waitForMessages(sessionId, holdMs, read, signal);
      const now = this.clock.now();
      for (const m of result.messages) {
        const written = Date.parse(m.utcTime);
        if (written >= since) this.onWaitedDelivery(Math.max(0, now - written));
      }
      return result;
    } finally {
      this.waiting--;
    }
  }

  private async waitForMessages(sessionId: string, holdMs: number, read: () => Promise<ReadResult>, signal?: AbortSignal): Promise<ReadResult> {
    let wake: () => void = () => {};
    let woken = false;
    const stop = this.fanout.listen(topics.session(sessionId), () => {
      woken = true;
      wake();
    });
    const deadline = this.clock.now() + holdMs;
    let last: ReadResult | null = null;
    try {
      for (;;) {
        // Shutting down: answer with what the last read found, without touching the store again.
        if (last && this.stopping.signal.aborted) return last;
        woken = false;
        const result = await read();
        last = result;
        const remaining = deadline - this.clock.now();
        if (result.messages.length > 0 || result.chatEnded || remaining <= 0 || signal?.aborted || this.stopping.signal.aborted) return result;
        if (!woken) {
          // Woken by the fan-out (or, as a safety net, after the fan-out's re-check interval).
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              signal?.removeEventListener('abort', done);
              this.stopping.signal.removeEventListener('abort', done);
              resolve();
            };
            const timer = setTimeout(done, Math.min(remaining, this.fanout.recheckMs));
            wake = done;
            signal?.addEventListener('abort', done, { once: true });
            this.stopping.signal.addEventListener('abort', done, { once: true });
          });
        }
      }
    } finally {
      stop();
    }
  }

  /** Staff read the log after a position they name (they are not always participants). */
  async readAfter(sessionId: string, visibilities: Visibility[], afterIndex: string | undefined, limit = 200, audienceAccountId?: string): Promise<ReadResult> {
    const after = afterIndex === undefined ? 0 : parseIndex(afterIndex);
    if (after === null) throw new ChatError('INVALID_REQUEST', 'after must look like "<ms>-<seq>"');
    return this.store.tx(async (tx) => {
      const session = await tx.getSession(sessionId);
      if (!session) throw new ChatError('NOT_FOUND', 'session not found');
      const messages = await tx.listMessages(sessionId, { afterNum: after, visibilities, limit, ...(audienceAccountId ? { audienceAccountId } : {}) });
      const last = messages.length ? messages[messages.length - 1]!.index : after > 0 ? formatIndex(after) : null;
      return this.signed({ messages, lastDeliveredIndex: last, chatEnded: session.state === 'Ended' });
    });
  }

  /** History: the newest `count` messages before `beforeIndex` (or the newest overall), in log order. */
  async history(sessionId: string, participantId: string, readerType: ParticipantType, count: number, beforeIndex?: string): Promise<ReadResult> {
    const before = beforeIndex !== undefined ? parseIndex(beforeIndex) : undefined;
    if (before === null) throw new ChatError('INVALID_REQUEST', 'index must look like "<ms>-<seq>"');
    const result = await this.store.tx(async (tx) => {
      const session = await tx.getSession(sessionId);
      const participant = await tx.getParticipant(participantId, true);
      if (!session || !participant) throw new ChatError('INVALID_SESSION', 'session not found');
      const messages = await tx.listMessages(sessionId, { beforeNum: before, visibilities: visibleTo(readerType), limit: count, newest: true });
      let cursor = participant.cursorNum;
      let moveTo = 0;
      if (before === undefined && messages.length) {
        // The newest page, once handed over: polls continue after it, so a restore shows nothing twice.
        const last = parseIndex(messages[messages.length - 1]!.index)!;
        if (last > cursor) cursor = moveTo = last;
      }
      return { read: this.signed({ messages, lastDeliveredIndex: cursor > 0 ? formatIndex(cursor) : null, chatEnded: session.state === 'Ended' } as ReadResult), moveTo };
    });
    if (result.moveTo > 0) result.read.handover = this.handover(participantId, result.moveTo);
    return result.read;
  }

  // ---- staff side ----------------------------------------------------------------------------

  async getSessionForStaff(sessionId: string, account: Account): Promise<{ session: Session; participants: Participant[]; interactions: Interaction[] }> {
    return this.store.tx(async (tx) => {
      const session = await tx.getSession(sessionId);
      if (!session) throw new ChatError('NOT_FOUND', 'session not found');
      const participants = await tx.listParticipants(sessionId);
      const interactions = await tx.listInteractions({ sessionId });
      this.assertStaffMayRead(account, participants, interactions);
      return { session, participants, interactions };
    });
  }

  /**
   * A staff reader's next messages, with the access check in the same transaction: a reader who
   * lost access (another agent took the interaction, a demotion) gets FORBIDDEN, never the messages.
   */
  async readForStaff(sessionId: string, account: Account, afterIndex: string | undefined, limit = 200): Promise<ReadResult> {
    const after = afterIndex === undefined ? 0 : parseIndex(afterIndex);
    if (after === null) throw new ChatError('INVALID_REQUEST', 'after must look like "<ms>-<seq>"');
    return this.store.tx(async (tx) => {
      const session = await tx.getSession(sessionId);
      if (!session) throw new ChatError('NOT_FOUND', 'session not found');
      this.assertStaffMayRead(account, await tx.listParticipants(sessionId), await tx.listInteractions({ sessionId }));
      const visibilities = visibleTo(account.role === 'agent' ? 'Agent' : 'Supervisor');
      const messages = await tx.listMessages(sessionId, { afterNum: after, visibilities, limit, audienceAccountId: account.id });
      const last = messages.length ? messages[messages.length - 1]!.index : after > 0 ? formatIndex(after) : null;
      return this.signed({ messages, lastDeliveredIndex: last, chatEnded: session.state === 'Ended' });
    });
  }

  private assertStaffMayRead(account: Account, participants: Participant[], interactions: Interaction[]): void {
    if (account.role !== 'agent') return;
    const involved =
      participants.some((p) => p.accountId === account.id) ||
      interactions.some((i) => i.agentAccountId === account.id || i.state === 'Queued' || (i.state === 'Offered' && i.agentAccountId === account.id));
    if (!involved) throw new ChatError('FORBIDDEN', 'this session is not assigned to you');
  }

  /** An agent takes a queued (or offered-to-them) interaction: it becomes Handling and the agent joins. */
  async accept(interactionId: string, account: Account): Promise<Interaction> {
    let sessionId = '';
    const result = await this.store.tx(async (tx) => {
      const interaction = await tx.getInteraction(interactionId, true);
      if (!interaction) throw new ChatError('NOT_FOUND', 'interaction not found');
      if (interaction.state === 'Offered' && interaction.agentAccountId !== account.id) {
        throw new ChatError('CONFLICT', 'this interaction is offered to another agent');
      }
      if (interaction.state !== 'Queued' && interaction.state !== 'Offered') {
        throw new ChatError('CONFLICT', `interaction is ${interaction.state}; only a Queued or Offered interaction can be accepted`);
      }
      if (interaction.state === 'Queued' && account.role === 'agent') {
        // An agent takes only what routing could offer them; supervisors may take any queued work.
        const profile = (await tx.getProfile(account.id)) ?? { accountId: account.id, queues: [], skills: {}, languages: [] };
        const refusal = manualAcceptRefusal(profile, interaction, (await tx.getQueue(interaction.deploymentId, interaction.queue)) ?? undefined, this.clock.now());
        if (refusal) throw new ChatError('FORBIDDEN', refusal);
      }
      const session = await this.liveSession(tx, interaction.sessionId);
      sessionId = session.id;
      const handled = await this.transition(tx, session, interaction, 'Handling', { agentAccountId: account.id });
      await this.joinStaff(tx, session, account);
      return handled;
    });
    await this.notifySession(sessionId, result.deploymentId, account.id);
    await this.runHook(this.hooks.agentJoined && (() => this.hooks.agentJoined!(sessionId, result.id)));
    return result;
  }

  async joinStaff(tx: StoreTx, session: Session, account: Account): Promise<Participant> {
    const existing = (await tx.listParticipants(session.id)).find((p) => p.accountId === account.id && p.state === 'Connected');
    if (existing) return existing;
    const type: ParticipantType = account.role === 'agent' ? 'Agent' : 'Supervisor';
    const participant: Participant = {
      id: newId(),
      sessionId: session.id,
      type,
      nickname: account.displayName,
      accountId: account.id,
      state: 'Connected',
      joinedAt: this.nowIso(),
      leftAt: null,
      cursorNum: session.lastIndexNum,
    };
    await tx.insertParticipant(participant);
    await this.append(tx, session, {
      type: 'ParticipantJoined',
      from: { participantId: participant.id, type, nickname: participant.nickname },
      visibility: 'All',
    });
    return participant;
  }

  async staffParticipant(tx: StoreTx, sessionId: string, account: Account): Promise<Participant> {
    const p = (await tx.listParticipants(sessionId)).find((x) => x.accountId === account.id && x.state === 'Connected');
    if (!p) throw new ChatError('FORBIDDEN', 'you are not connected to this session; accept an interaction first');
    return p;
  }

  async staffParticipantId(sessionId: string, account: Account): Promise<Participant> {
    return this.store.tx((tx) => this.staffParticipant(tx, sessionId, account));
  }

  async agentSend(
    sessionId: string,
    account: Account,
    input: { type: Extract<MessageType, 'Text' | 'Notice' | 'PushUrl' | 'TypingStarted' | 'TypingStopped'>; text?: string; url?: string; visibility: Visibility },
    operationId?: string,
  ): Promise<Message> {
    if ((input.type === 'Text' || input.type === 'Notice') && (!input.text || !input.text.trim())) throw new ChatError('INVALID_REQUEST', 'text is required');
    if (input.text) this.checkText(input.text);
    if (input.type === 'PushUrl') checkUrl(input.url);
    if (input.visibility === 'Vip' && account.role === 'agent') throw new ChatError('FORBIDDEN', 'agents cannot send Vip messages');
    const msg = await this.once(`staff-send:${sessionId}:${account.id}`, operationId, async (tx) => {
      const session = await this.liveSession(tx, sessionId);
      const p = await this.staffParticipant(tx, sessionId, account);
      return this.append(tx, session, {
        type: input.type,
        from: { participantId: p.id, type: p.type, nickname: p.nickname },
        visibility: input.visibility,
        ...(input.text !== undefined ? { text: input.text } : {}),
        ...(input.url !== undefined ? { url: input.url } : {}),
      });
    });
    await this.notifySession(sessionId);
    return msg;
  }

  private async ownInteraction(tx: StoreTx, interactionId: string, account: Account): Promise<{ interaction: Interaction; session: Session }> {
    const interaction = await tx.getInteraction(interactionId, true);
    if (!interaction) throw new ChatError('NOT_FOUND', 'interaction not found');
    if (interaction.agentAccountId !== account.id && account.role === 'agent') throw new ChatError('FORBIDDEN', 'this interaction is not assigned to you');
    const session = await tx.getSession(interaction.sessionId, true);
    if (!session) throw new ChatError('NOT_FOUND', 'session not found');
    return { interaction, session };
  }

  /** The agent marks the interaction done: Handling -> Finalizing (wrap-up). */
  async markDone(interactionId: string, account: Account): Promise<Interaction> {
    const result = await this.store.tx(async (tx) => {
      const { interaction, session } = await this.ownInteraction(tx, interactionId, account);
      return this.transition(tx, session, interaction, 'Finalizing');
    });
    await this.notifySession(result.sessionId, undefined, result.agentAccountId);
    return result;
  }

  /**
   * Wrap-up finished: Finalizing -> Completed. The agent leaves the session; a synchronous
   * session ends with its only interaction.
   */
  async complete(interactionId: string, account: Account, wrapUpCode?: string): Promise<Interaction> {
    const result = await this.store.tx(async (tx) => {
      const { interaction, session } = await this.ownInteraction(tx, interactionId, account);
      if (interaction.state !== 'Finalizing') throw new ChatError('CONFLICT', `interaction is ${interaction.state}; mark it done first`);
      // The agent may already handle the session's next interaction (seed 000's segments): they stay.
      const stillWorking = (await tx.listInteractions({ sessionId: session.id })).some(
        (i) => i.id !== interaction.id && i.agentAccountId === account.id && (i.state === 'Handling' || i.state === 'Finalizing'),
      );
      if ((session.state === 'Active' || session.endedAt) && !stillWorking) await this.leaveIfConnected(tx, session, account);
      if (wrapUpCode !== undefined) {
        const codes = await tx.listWrapUpCodes();
        if (codes.length && !codes.some((c) => c.code === wrapUpCode)) throw new ChatError('INVALID_REQUEST', `unknown wrap-up code "${wrapUpCode}"; known: ${codes.map((c) => c.code).join(', ')}`);
      }
      const completed = await this.transition(tx, session, interaction, 'Completed', { wrapUpCode: wrapUpCode ?? null });
      if (interaction.agentAccountId) {
        const profile = await tx.getProfile(interaction.agentAccountId);
        if (profile) await tx.upsertProfile({ ...profile, idleSince: this.nowIso() });
      }
      if (!session.async && session.state === 'Active') await this.endSession(tx, session);
      return completed;
    });
    await this.notifySession(result.sessionId, result.deploymentId, result.agentAccountId);
    return result;
  }

  async leaveIfConnected(tx: StoreTx, session: Session, account: Account): Promise<boolean> {
    const p = (await tx.listParticipants(session.id)).find((x) => x.accountId === account.id && x.state === 'Connected');
    if (!p) return false;
    await tx.updateParticipant(p.id, { state: 'Left', leftAt: this.nowIso() });
    await this.append(tx, session, { type: 'ParticipantLeft', from: { participantId: p.id, type: p.type, nickname: p.nickname }, visibility: 'All' });
    return true;
  }

  async staffLeave(sessionId: string, account: Account): Promise<void> {
    await this.store.tx(async (tx) => {
      const session = await tx.getSession(sessionId, true);
      if (!session) throw new ChatError('NOT_FOUND', 'session not found');
      const monitoring = (await tx.listParticipants(sessionId)).find((p) => p.accountId === account.id && p.state === 'Monitoring');
      if (monitoring) {
        // Monitoring was silent, so is its end: no ParticipantLeft.
        await tx.updateParticipant(monitoring.id, { state: 'Left', leftAt: this.nowIso() });
        return;
      }
      if (!(await this.leaveIfConnected(tx, session, account))) throw new ChatError('CONFLICT', 'you are not connected to this session');
    });
    await this.notifySession(sessionId);
  }

  /** An agent follows up on an async session whose last interaction is completed: a new interaction, handled by them. */
  async followUp(sessionId: string, account: Account): Promise<Interaction> {
    const result = await this.store.tx(async (tx) => {
      const session = await this.liveSession(tx, sessionId);
      if (!session.async) throw new ChatError('CONFLICT', 'follow-up needs an asynchronous session');
      const latest = await tx.latestInteraction(sessionId);
      if (latest && latest.state !== 'Completed') throw new ChatError('CONFLICT', `the session already has an open interaction (${latest.state})`);
      if (account.role === 'agent') {
        const all = await tx.listInteractions({ sessionId });
        if (!all.some((i) => i.agentAccountId === account.id)) throw new ChatError('FORBIDDEN', 'you never handled this session');
      }
      const deployment = await tx.getDeployment(session.deploymentId);
      if (!deployment) throw new ChatError('NOT_FOUND', 'deployment not found');
      const interaction = await this.log.openInteraction(tx, session, deployment, { state: 'Handling', agentAccountId: account.id, ...(latest ? { queue: latest.queue } : {}) });
      await this.joinStaff(tx, session, account);
      return interaction;
    });
    await this.notifySession(sessionId, undefined, account.id);
    return result;
  }

  // ---- files ---------------------------------------------------------------------------------

  /** Records an uploaded file; its link is stored unsigned (see FileLinks) and signed in the answer. */
  async recordFile(sessionId: string, participantId: string, file: { id: string; name: string; mime: string; size: number }, operationId?: string): Promise<Message> {
    const url = FileLinks.unsigned(sessionId, file.id);
    const msg = await this.once(`file:${sessionId}`, operationId, async (tx) => {
      const session = await this.liveSession(tx, sessionId);
      const participant = await tx.getParticipant(participantId);
      if (!participant || participant.sessionId !== sessionId) throw new ChatError('INVALID_SESSION', 'session not found');
      await tx.insertFile({ id: file.id, sessionId, name: file.name, mime: file.mime, size: file.size, createdAt: this.nowIso() });
      return this.append(tx, session, {
        type: 'File',
        from: { participantId, type: participant.type, nickname: participant.nickname },
        visibility: 'All',
        text: file.name,
        content: [{ type: file.mime.startsWith('image/') ? 'image' : 'file', mime: file.mime, url, name: file.name, size: file.size }],
      });
    });
    await this.notifySession(sessionId);
    return this.fileLinks ? this.fileLinks.fresh(msg) : msg;
  }

  async getFile(fileId: string) {
    return this.store.tx((tx) => tx.getFile(fileId));
  }

  // ---- checks --------------------------------------------------------------------------------

  private checkText(text: string): void {
    if (text.length > this.limits.maxMessageLength) {
      throw new ChatError('PAYLOAD_TOO_LARGE', `message text is ${text.length} characters; the limit is ${this.limits.maxMessageLength}`);
    }
  }

  private checkUserData(data: Record<string, string>): void {
    const keys = Object.keys(data);
    if (keys.length > this.limits.maxUserDataKeys) throw new ChatError('PAYLOAD_TOO_LARGE', `userData has ${keys.length} keys; the limit is ${this.limits.maxUserDataKeys}`);
    const bytes = Buffer.byteLength(JSON.stringify(data));
    if (bytes > this.limits.maxUserDataBytes) throw new ChatError('PAYLOAD_TOO_LARGE', `userData is ${bytes} bytes; the limit is ${this.limits.maxUserDataBytes}`);
  }
}

export function checkUrl(url: string | undefined): void {
  if (!isWebUrl(url)) throw new ChatError('INVALID_REQUEST', 'url must be an absolute http(s) URL');
}
