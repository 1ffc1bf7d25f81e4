import type { ClientGone } from './client-gone.js';
import { type Message, type MessageType, type ParticipantType, type Visibility, isWebUrl, visibleTo } from '@parley/protocol';
import type { Clock } from '../ports/clock.js';
import { topics, type Fanout } from '../ports/fanout.js';
import type { Account, Deployment, Interaction, MessageDraft, Participant, Session, Store } from '../ports/store.js';
import { decideAsync } from './async-decision.js';
import { authorize } from './authorize.js';
import { ChatError } from './errors.js';
import { asStaff } from './request-context.js';
import { newId } from './ids.js';
import { LogTx, sessionOnce, type LogWriter } from './log-writer.js';
import { FileLinks } from './file-links.js';
import { formatIndex, parseIndex } from './message-index.js';
import { afterCustomerText } from './segments.js';
import { defaultSessionVersionOptions, SessionVersions, type LocalWrite, type SessionVersion } from './session-versions.js';
import { manualAcceptRefusal } from './router.js';
import { richSend } from './rich-messages.js';
import { checkStartForm } from './start-form.js';

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

/** Participants whose idle reads this node remembers, at most (the oldest goes first). */
const MAX_IDLE_READS = 100_000;

/** What a participant's last reads found, valid while the session's version is unchanged. */
interface IdleRead {
  sessionId: string;
  /** A cursor-only read found nothing after the cursor. */
  empty?: EmptyAfterCursor | undefined;
}

/** A reader's position: nothing visible to it after its cursor, as of `version`. */
interface EmptyAfterCursor {
  version: SessionVersion;
  readerType: ParticipantType;
  lastDeliveredIndex: string | null;
  /** The log's head as of `version`: no message visible to the reader lies between its cursor and it. */
  headNum: number;
  checkedAsCustomer: boolean;
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

export interface StartResult {
  session: Session;
  participant: Participant;
  interaction: Interaction;
}

/**
 * The chat use cases: sessions, their message log, interactions and participants, for customers and
 * staff. Every write goes through the log writer (core/log-writer.ts); reads come from the store.
 */
export class ChatService {
  constructor(
    private readonly store: Store,
    private readonly fanout: Fanout,
    private readonly clock: Clock,
    private readonly writer: LogWriter,
    readonly limits: ChatLimits = defaultLimits,
    /** Signs file links on every read; without it links go out as stored (unsigned). */
    private readonly fileLinks: FileLinks | null = null,
  ) {
    this.versions = new SessionVersions(fanout, clock, defaultSessionVersionOptions, writer.notes);
    writer.onCommitted((writes) => {
      for (const write of writes) this.versions.recordLocal(write);
    });
  }

  /** Sessions' versions on this node, moved by the fan-out: what an idle read found holds while they are unchanged. */
  private readonly versions: SessionVersions;
  /** Per participant: what its last idle read found (see `idleRead`). */
  private readonly idle = new Map<string, IdleRead>();

  private signed<R extends { messages: Message[] }>(r: R): R {
    const links = this.fileLinks;
    return links ? { ...r, messages: r.messages.map((m) => links.fresh(m)) } : r;
  }

  /** A delivery cursor's move failed after its answer was handed over (it is retried by the next read). */
  onCursorMoveError: (err: unknown) => void = () => {};
  private stopped = false;
  /** The wake-ups of the holds waiting now (shutdown ends them all). */
  private readonly holds = new Set<() => void>();

  /** Shutdown: every waiting long poll answers now with what it has. */
  stopWaiting(): void {
    this.stopped = true;
    for (const wake of [...this.holds]) wake();
    this.versions.close();
  }

  private nowIso(): string {
    return this.writer.nowIso();
  }

  // ---- customer side -------------------------------------------------------------------------

  /**
   * Starts a session. A start repeated with the same `operationId` (a retry after a lost answer)
   * returns the first session only to the same requester (`replay.requester`: a fingerprint of the
   * client and the request, see http/auth-customer.ts) within START_REPLAY_MS; anyone else
   * repeating the id gets a session of their own, never the first client's token. A start that
   * lacks a field the deployment's pre-chat form requires is refused (core/start-form.ts).
   */
  async startSession(deployment: Deployment, info: CustomerInfo, replay: { operationId?: string; requester?: string } = {}): Promise<StartResult> {
    this.checkUserData(info.userData ?? {});
    if (!info.leaveMessage) checkStartForm(deployment, info);
    const isAsync = info.leaveMessage === true || decideAsync(deployment.asyncPolicy, { endpoint: info.endpoint, asked: info.async });
    const once = { scope: `start:${deployment.id}`, operationId: replay.operationId, requester: { id: replay.requester, windowMs: START_REPLAY_MS } };
    return this.writer.write(async (w) => {
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
      const interaction = await w.openSession(session, participant, deployment, { state: deployment.settings?.flow && !info.leaveMessage ? 'Workflow' : 'Queued', ...(info.routing ?? {}) });
      return { session, participant, interaction };
    }, once);
  }

  /** Loads a session for a customer request; ended sessions are readable only during the grace period. */
  async customerSession(sessionId: string, participantId: string, purpose: 'read' | 'write'): Promise<{ session: Session; participant: Participant }> {
    const found = await this.store.read(async (tx) => {
      const session = await tx.getSession(sessionId);
      const participant = await tx.getParticipant(participantId);
      return { session, participant };
    });
    const { session, participant } = found;
    this.checkCustomer(session, participant, purpose);
    return { session: session!, participant: participant! };
  }

  /** The participant is the session's customer; an ended session is readable only during the grace period. */
  private checkCustomer(session: Session | null, participant: Participant | null, purpose: 'read' | 'write'): void {
    if (!session || !participant || participant.sessionId !== session.id || session.customerParticipantId !== participant.id) {
      throw new ChatError('INVALID_SESSION', 'session not found');
    }
    if (session.state === 'Ended') {
      const endedAt = session.endedAt ? Date.parse(session.endedAt) : 0;
      if (purpose === 'write' || this.clock.now() - endedAt > this.limits.endedReadGraceMs) {
        throw new ChatError('INVALID_SESSION', 'session has ended');
      }
    }
  }

  /**
   * A customer's long-poll read (`readNew` after the delivery cursor, or after `afterIndex`) with the
   * read check of `customerSession` in the same transaction: one transaction per poll, none for an
   * idle one (answered from memory while the session is unchanged).
   */
  customerReadNew(sessionId: string, participantId: string, afterIndex?: string): Promise<ReadResult> {
    return this.readLog(sessionId, participantId, 'Customer', afterIndex, 100, afterIndex === undefined ? 'on-handover' : 'now', true);
  }

  /** A customer's history page (`history`) with the read check of `customerSession` in the same transaction. */
  customerHistory(sessionId: string, participantId: string, count: number, beforeIndex?: string): Promise<ReadResult> {
    return this.historyPage(sessionId, participantId, 'Customer', count, beforeIndex, true);
  }

  private idleEntry(participantId: string, sessionId: string): IdleRead {
    let entry = this.idle.get(participantId);
    if (!entry || entry.sessionId !== sessionId) {
      if (this.idle.size >= MAX_IDLE_READS) this.idle.delete(this.idle.keys().next().value!);
      this.idle.set(participantId, (entry = { sessionId }));
    }
    return entry;
  }

  /** Whether the session exists and has not ended (an async customer coming back resumes it). */
  async isActive(sessionId: string): Promise<boolean> {
    const session = await this.store.read((tx) => tx.getSession(sessionId));
    return session?.state === 'Active';
  }

  async customerSend(sessionId: string, participantId: string, input: { type: 'Text' | 'TypingStarted' | 'TypingStopped'; text?: string }, operationId?: string): Promise<Message> {
    if (input.type === 'Text') {
      if (!input.text || input.text.trim() === '') throw new ChatError('INVALID_REQUEST', 'data[text] is required for a Text message');
      this.checkText(input.text);
    }
    return this.writer.write(
      async (w) => {
        const session = await w.liveSession(sessionId);
        const participant = await w.tx.getParticipant(participantId);
        if (!participant || participant.sessionId !== sessionId) throw new ChatError('INVALID_SESSION', 'session not found');
        const message = await w.append(session, {
          type: input.type,
          from: { participantId, type: 'Customer', nickname: participant.nickname },
          visibility: 'All',
          ...(input.type === 'Text' ? { text: input.text } : input.text ? { text: input.text.slice(0, 256) } : {}),
        });
        if (input.type === 'Text') {
          if (session.async) {
            const deployment = await w.tx.getDeployment(session.deploymentId);
            if (!deployment) throw new ChatError('INVALID_SESSION', 'deployment no longer exists');
            await this.afterCustomerText(w, session, deployment);
          }
          w.emit({ type: 'CustomerTextReceived', sessionId, deploymentId: session.deploymentId, message });
        }
        return message;
      },
      sessionOnce('send', sessionId, participantId, operationId),
    );
  }

  /**
   * A notice from the customer's page to the agents (GMS `customNotice`): a `Notice` with subtype
   * `CustomNotice` from the customer, visible to all. It does not count as the customer writing.
   */
  async customerNotice(sessionId: string, participantId: string, text: string, operationId?: string): Promise<Message> {
    this.checkText(text);
    return this.writer.write(
      async (w) => {
        const session = await w.liveSession(sessionId);
        const participant = await w.tx.getParticipant(participantId);
        if (!participant || participant.sessionId !== sessionId || participant.id !== session.customerParticipantId) throw new ChatError('INVALID_SESSION', 'session not found');
        return w.append(session, {
          type: 'Notice',
          from: { participantId, type: 'Customer', nickname: participant.nickname },
          visibility: 'All',
          text,
          subtype: 'CustomNotice',
        });
      },
      sessionOnce('notice', sessionId, participantId, operationId),
    );
  }

  /**
   * A routing workflow, bot or back end writes into a live session (the workflow API, seed 002),
   * applied once per `operationId` (a retried POST returns the first message).
   */
  async workflowAppend(sessionId: string, draft: Omit<MessageDraft, 'id'>, operationId?: string): Promise<Message> {
    return this.writer.write(async (w) => w.append(await w.liveSession(sessionId, WORKFLOW_OFFLINE), draft), sessionOnce('workflow', sessionId, draft.from.participantId, operationId));
  }

  /**
   * Async mode (seed 000's segments): a customer message after the agent closed the segment
   * (Finalizing or Completed) starts the next interaction, offered first to that agent, or gets the
   * policy's notice. A Finalizing interaction stays with its agent for wrap-up.
   */
  private async afterCustomerText(w: LogTx, session: Session, deployment: Deployment): Promise<void> {
    const latest = await w.tx.latestInteraction(session.id);
    const policy = deployment.asyncPolicy;
    const next = afterCustomerText(latest, policy, this.clock.now());
    if (next === 'continue') return;
    if (next === 'notice') {
      await w.appendSystem(session, { type: 'Notice', visibility: 'All', text: policy.noticeText, subtype: 'AfterCompletion' });
      return;
    }
    const lastAgent = latest?.agentAccountId ?? null;
    const queue = latest?.queue ?? deployment.defaultQueue;
    const sticky = lastAgent ? ((await w.tx.getQueue(deployment.id, queue))?.stickySeconds ?? 0) : 0;
    await w.openInteraction(session, deployment, {
      state: deployment.settings?.flow ? 'Workflow' : 'Queued',
      queue,
      priority: latest?.priority ?? 0,
      skills: latest?.skills ?? [],
      language: latest?.language ?? null,
      ...(sticky > 0 ? { preferredAgentId: lastAgent, preferredUntil: new Date(this.clock.now() + sticky * 1000).toISOString() } : {}),
    });
  }

  /** The customer's page changes the session's user data (merged into what it holds). */
  async updateUserData(sessionId: string, data: Record<string, string>, operationId?: string): Promise<Record<string, string>> {
    return this.writer.write(
      async (w) => {
        const session = await w.liveSession(sessionId);
        const merged = { ...session.userData, ...data };
        this.checkUserData(merged);
        await w.setUserData(session, merged);
        return merged;
      },
      sessionOnce('userdata', sessionId, 'customer', operationId),
    );
  }

  /** The customer leaves: the session ends; interactions no agent handles yet are completed. */
  async customerLeave(sessionId: string, participantId: string, operationId?: string): Promise<void> {
    await this.writer.write(
      async (w) => {
        const session = await w.liveSession(sessionId);
        const participant = await w.tx.getParticipant(participantId);
        if (!participant || participant.sessionId !== sessionId || participant.id !== session.customerParticipantId) {
          throw new ChatError('FORBIDDEN', 'a customer can only remove their own participant');
        }
        await w.endSession(session);
        return true;
      },
      sessionOnce('leave', sessionId, participantId, operationId),
    );
  }

  // ---- reading -------------------------------------------------------------------------------

  /**
   * Messages after the participant's delivery cursor, or after `afterIndex` when the client names
   * its own position. A client that names its position moves the cursor at once (it holds what it
   * names); otherwise (`advance: 'on-handover'`, the default without `afterIndex`) the cursor moves
   * only when the caller completes the result's handover, so an answer lost on the wire is served
   * again (see docs/design.md, Delivery).
   */
  readNew(
    sessionId: string,
    participantId: string,
    readerType: ParticipantType,
    afterIndex?: string,
    limit = 100,
    advance: 'now' | 'on-handover' = afterIndex === undefined ? 'on-handover' : 'now',
  ): Promise<ReadResult> {
    return this.readLog(sessionId, participantId, readerType, afterIndex, limit, advance, false);
  }

  /** `readNew`; with `asCustomer`, the customer's read check runs in the read's transaction. */
  private async readLog(
    sessionId: string,
    participantId: string,
    readerType: ParticipantType,
    afterIndex: string | undefined,
    limit: number,
    advance: 'now' | 'on-handover',
    asCustomer: boolean,
  ): Promise<ReadResult> {
    const afterGiven = afterIndex !== undefined ? parseIndex(afterIndex) : null;
    if (afterIndex !== undefined && afterGiven === null) throw new ChatError('INVALID_REQUEST', 'index must look like "<ms>-<seq>"');
    if (advance === 'on-handover' && afterGiven === null) await this.previousHandover(participantId);
    // Handed over, but the cursor's move failed (the store was down): this read makes it.
    const unsaved = afterGiven === null ? (this.unsavedCursors.get(participantId) ?? 0) : 0;
    // A cursor-only read with nothing handed over pending: an idle one is answered from memory.
    const cursorOnly = afterGiven === null && advance === 'on-handover' && unsaved === 0 && !this.handovers.has(participantId);
    const known = cursorOnly ? this.idle.get(participantId) : undefined;
    if (known?.sessionId === sessionId && known.empty && known.empty.readerType === readerType && (known.empty.checkedAsCustomer || !asCustomer)) {
      if (this.versions.unchanged(known.empty.version)) return { messages: [], lastDeliveredIndex: known.empty.lastDeliveredIndex, chatEnded: false };
      const caught = await this.catchUpFromLocalWrites(participantId, known, known.empty, limit);
      if (caught) return caught;
    }
    const version = this.versions.now(sessionId);
    // No transaction: the cursor only ever moves forward (a compare-and-set), and nothing else is written.
    const result = await this.store.read(async (tx) => {
      const session = await tx.getSession(sessionId);
      const participant = await tx.getParticipant(participantId);
      if (asCustomer) this.checkCustomer(session, participant, 'read');
      if (!session || !participant) throw new ChatError('INVALID_SESSION', 'session not found');
      let cursorNum = participant.cursorNum;
      if (unsaved > cursorNum) {
        cursorNum = unsaved;
        await tx.advanceCursor(participantId, cursorNum);
      }
      const after = afterGiven ?? cursorNum;
      const messages = await tx.listMessages(sessionId, { afterNum: after, visibilities: visibleTo(readerType), limit });
      const lastNum = messages.length ? parseIndex(messages[messages.length - 1]!.index)! : after;
      if (advance === 'now' && lastNum > cursorNum) await tx.advanceCursor(participantId, lastNum);
      const delivered = Math.max(lastNum, afterGiven === null ? cursorNum : lastNum);
      const caughtUp = messages.length < limit;
      return {
        read: this.signed({
          messages,
          lastDeliveredIndex: delivered > 0 ? formatIndex(delivered) : null,
          chatEnded: session.state === 'Ended' && caughtUp,
        } as ReadResult),
        moveTo: advance === 'on-handover' && lastNum > cursorNum ? lastNum : 0,
        // Statements see commits as they run (READ COMMITTED): messages past the head read first may have been listed.
        headNum: Math.max(session.lastIndexNum, lastNum),
        caughtUp,
      };
    });
    if (unsaved > 0 && this.unsavedCursors.get(participantId) === unsaved) this.unsavedCursors.delete(participantId);
    const { messages, chatEnded, lastDeliveredIndex } = result.read;
    const knownEmpty = (lastDeliveredIndex: string | null): EmptyAfterCursor => ({ version, readerType, lastDeliveredIndex, headNum: result.headNum, checkedAsCustomer: asCustomer });
    // Once what this read found is handed over, the next poll finds nothing new until the session changes.
    const afterHandover = cursorOnly && result.caughtUp && !chatEnded ? knownEmpty(formatIndex(result.moveTo)) : null;
    if (result.moveTo > 0) result.read.handover = this.handover(participantId, result.moveTo, afterHandover && (() => (this.idleEntry(participantId, sessionId).empty = afterHandover)));
    if (cursorOnly) {
      // Nothing after the cursor and nothing moved: the same read gives the same answer until the session changes.
      this.idleEntry(participantId, sessionId).empty = messages.length === 0 && !chatEnded && result.moveTo === 0 ? knownEmpty(lastDeliveredIndex) : undefined;
    }
    return result.read;
  }

  /**
   * The reader knew nothing was after its cursor up to the log's head; if every change to the session
   * since was a write on this node, carrying on from that head, what they appended is the answer
   * (no re-read of the log after an in-process wake). The cursor is read (one statement): a read
   * elsewhere (another node, a stream naming its position) may have moved it past what this node
   * knows. Null sends the reader to the store.
   */
  private async catchUpFromLocalWrites(participantId: string, entry: IdleRead, empty: EmptyAfterCursor, limit: number): Promise<ReadResult | null> {
    const since = this.versions.knownWritesSince(empty.version);
    if (!since) return null;
    const visibilities = visibleTo(empty.readerType);
    // A whisper's audience is decided per reader in the store's query.
    if (visibilities.includes('Vip')) return null;
    const caught = this.appendedSince(since.writes, empty.headNum, (m) => visibilities.includes(m.visibility));
    if (!caught || caught.messages.length >= limit) return null;
    const { messages, head } = caught;
    const known: EmptyAfterCursor = { ...empty, version: since.version, headNum: head };
    if (messages.length === 0) {
      entry.empty = known;
      return { messages: [], lastDeliveredIndex: empty.lastDeliveredIndex, chatEnded: false };
    }
    const participant = await this.store.read((tx) => tx.getParticipant(participantId));
    if (!participant || participant.cursorNum !== (empty.lastDeliveredIndex === null ? 0 : parseIndex(empty.lastDeliveredIndex))) return null;
    const lastNum = parseIndex(messages[messages.length - 1]!.index)!;
    const lastDeliveredIndex = formatIndex(lastNum);
    entry.empty = undefined;
    const read: ReadResult = this.signed({ messages, lastDeliveredIndex, chatEnded: false });
    read.handover = this.handover(participantId, lastNum, () => (this.idleEntry(participantId, empty.version.sessionId).empty = { ...known, lastDeliveredIndex }));
    return read;
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

  /** `onMoved` runs once the cursor has moved. */
  private handover(participantId: string, cursorNum: number, onMoved?: (() => void) | null): Handover {
    let settle: () => void = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const previous = this.handovers.get(participantId);
    const chained = previous ? Promise.all([previous, settled]).then(() => undefined) : settled;
    this.handovers.set(participantId, chained);
    let done = false;
    const finish = (move: boolean) => {
      if (done) return;
      done = true;
      const moved = move ? this.moveCursor(participantId, cursorNum) : Promise.resolve(false);
      void moved
        .then((ok) => ok && onMoved?.())
        .finally(() => {
          settle();
          if (this.handovers.get(participantId) === chained) this.handovers.delete(participantId);
        });
    };
    return { complete: () => finish(true), abandon: () => finish(false) };
  }

  /** Moves a delivery cursor forward (never back): the client has been handed everything up to it. */
  private async moveCursor(participantId: string, cursorNum: number): Promise<boolean> {
    try {
      await this.store.read((tx) => tx.advanceCursor(participantId, cursorNum));
      return true;
    } catch (err) {
      // Not moved now: the next read on this node moves it first. (On another node, or after a
      // restart, those messages are served again: at least once, nothing lost.)
      this.unsavedCursors.set(participantId, Math.max(cursorNum, this.unsavedCursors.get(participantId) ?? 0));
      if (this.unsavedCursors.size > MAX_UNSAVED_CURSORS) this.unsavedCursors.delete(this.unsavedCursors.keys().next().value!);
      this.onCursorMoveError(err);
      return false;
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

  async waitFor(sessionId: string, holdMs: number, read: () => Promise<ReadResult>, client?: ClientGone): Promise<ReadResult> {
    this.waiting++;
    const since = this.clock.now();
    try {
      const result = await this.waitForMessages(sessionId, holdMs, read, client);
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

  private async waitForMessages(sessionId: string, holdMs: number, read: () => Promise<ReadResult>, client?: ClientGone): Promise<ReadResult> {
    let wake: () => void = () => {};
    let woken = false;
    const stop = this.fanout.listen(topics.session(sessionId), () => {
      woken = true;
      wake();
    });
    const deadline = this.clock.now() + holdMs;
    let last: ReadResult | null = null;
    /** The hold's own end has come (its timer fired): the read after it is the answer. */
    let ranOut = false;
    try {
      for (;;) {
        // Shutting down: answer with what the last read found, without touching the store again.
        if (last && this.stopped) return last;
        woken = false;
        const result = await read();
        last = result;
        const remaining = deadline - this.clock.now();
        if (result.messages.length > 0 || result.chatEnded || remaining <= 0 || ranOut || client?.gone || this.stopped) return result;
        if (!woken) {
          const waitMs = Math.min(remaining, this.fanout.recheckMs);
          // Woken by the fan-out (or, as a safety net, after the fan-out's re-check interval).
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              this.holds.delete(done);
              client?.onLeave(undefined);
              resolve();
            };
            const timer = setTimeout(done, waitMs);
            wake = done;
            this.holds.add(done);
            client?.onLeave(done);
          });
          // The hold ran out unwoken (its timer, not the clock: a timer may fire a millisecond before
          // the clock reaches the deadline). On a fan-out that loses nothing the session did not
          // change, and the last read is the answer; on one that may lose, one last read is.
          if (!woken && waitMs === remaining) {
            if (!Number.isFinite(this.fanout.recheckMs)) return result;
            ranOut = true;
          }
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
    return this.store.read(async (tx) => {
      const session = await tx.getSession(sessionId);
      if (!session) throw new ChatError('NOT_FOUND', 'session not found');
      const messages = await tx.listMessages(sessionId, { afterNum: after, visibilities, limit, ...(audienceAccountId ? { audienceAccountId } : {}) });
      const last = messages.length ? messages[messages.length - 1]!.index : after > 0 ? formatIndex(after) : null;
      return this.signed({ messages, lastDeliveredIndex: last, chatEnded: session.state === 'Ended' });
    });
  }

  /** History: the newest `count` messages before `beforeIndex` (or the newest overall), in log order. */
  history(sessionId: string, participantId: string, readerType: ParticipantType, count: number, beforeIndex?: string): Promise<ReadResult> {
    return this.historyPage(sessionId, participantId, readerType, count, beforeIndex, false);
  }

  private async historyPage(sessionId: string, participantId: string, readerType: ParticipantType, count: number, beforeIndex: string | undefined, asCustomer: boolean): Promise<ReadResult> {
    const before = beforeIndex !== undefined ? parseIndex(beforeIndex) : undefined;
    if (before === null) throw new ChatError('INVALID_REQUEST', 'index must look like "<ms>-<seq>"');
    const result = await this.store.read(async (tx) => {
      const session = await tx.getSession(sessionId);
      const participant = await tx.getParticipant(participantId);
      if (asCustomer) this.checkCustomer(session, participant, 'read');
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
    return this.store.read(async (tx) => {
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
    return (await this.staffRead(sessionId, account, afterIndex, limit)).read;
  }

  private async staffRead(sessionId: string, account: Account, afterIndex: string | undefined, limit: number): Promise<{ read: ReadResult; after: number; headNum: number }> {
    const after = afterIndex === undefined ? 0 : parseIndex(afterIndex);
    if (after === null) throw new ChatError('INVALID_REQUEST', 'after must look like "<ms>-<seq>"');
    return this.store.read(async (tx) => {
      const session = await tx.getSession(sessionId);
      if (!session) throw new ChatError('NOT_FOUND', 'session not found');
      this.assertStaffMayRead(account, await tx.listParticipants(sessionId), await tx.listInteractions({ sessionId }));
      const visibilities = visibleTo(account.role === 'agent' ? 'Agent' : 'Supervisor');
      const messages = await tx.listMessages(sessionId, { afterNum: after, visibilities, limit, audienceAccountId: account.id });
      const last = messages.length ? messages[messages.length - 1]!.index : after > 0 ? formatIndex(after) : null;
      const lastNum = last === null ? 0 : parseIndex(last)!;
      return { read: this.signed({ messages, lastDeliveredIndex: last, chatEnded: session.state === 'Ended' }), after, headNum: Math.max(session.lastIndexNum, lastNum) };
    });
  }

  /**
   * A staff member's running read of one session's log (an agent socket's subscription): each call
   * is `readForStaff` after `afterIndex`, or, when every change to the session since the previous
   * call was a write on this node that changed neither its participants nor its interactions (so
   * the access checked then still holds, for the same account record), the messages those writes
   * appended, without a store read.
   */
  staffLogReader(sessionId: string): (account: Account, afterIndex: string | undefined, limit: number) => Promise<ReadResult> {
    let known: { version: SessionVersion; account: Account; afterIndex: string | undefined; headNum: number; ended: boolean } | null = null;
    return async (account, afterIndex, limit) => {
      // Called from a fan-out listener: the session's version moves in a listener of its own, maybe a later one.
      await Promise.resolve();
      if (known && known.account === account && known.afterIndex === afterIndex && !known.ended) {
        const since = this.versions.knownWritesSince(known.version);
        const caught = since && this.appendedSince(since.writes, known.headNum, (m) => staffSees(account, m));
        if (since && caught && caught.messages.length < limit) {
          const { messages, head } = caught;
          const last = messages.length ? messages[messages.length - 1]!.index : afterIndex;
          known = { ...known, version: since.version, afterIndex: last, headNum: head };
          return this.signed({ messages, lastDeliveredIndex: last ?? null, chatEnded: false });
        }
      }
      const version = this.versions.now(sessionId);
      const { read, headNum } = await this.staffRead(sessionId, account, afterIndex, limit);
      const last = read.messages.length ? read.messages[read.messages.length - 1]!.index : afterIndex;
      known = read.messages.length < limit ? { version, account, afterIndex: last, headNum, ended: read.chatEnded } : null;
      return read;
    };
  }

  /**
   * The messages (that `sees` keeps) appended by this node's `writes`, when they carry on one after
   * another from `fromNum` and none changed who may read the session; null otherwise.
   */
  private appendedSince(writes: LocalWrite[], fromNum: number, sees: (m: Message) => boolean): { messages: Message[]; head: number } | null {
    let head = fromNum;
    const messages: Message[] = [];
    for (const write of [...writes].sort((a, b) => a.fromNum - b.fromNum)) {
      if (write.changedAccess) return null;
      if (write.fromNum === -1) continue;
      if (write.fromNum !== head) return null;
      head = write.toNum;
      messages.push(...write.messages.filter(sees));
    }
    return { messages, head };
  }

  private assertStaffMayRead(account: Account, participants: Participant[], interactions: Interaction[]): void {
    authorize(asStaff(account), 'session.read', { participants, interactions });
  }

  /** An agent takes a queued (or offered-to-them) interaction: it becomes Handling and the agent joins. */
  async accept(interactionId: string, account: Account): Promise<Interaction> {
    return this.writer.write(async (w) => {
      const interaction = await w.tx.getInteraction(interactionId, true);
      if (!interaction) throw new ChatError('NOT_FOUND', 'interaction not found');
      if (interaction.state === 'Offered' && interaction.agentAccountId !== account.id) {
        throw new ChatError('CONFLICT', 'this interaction is offered to another agent');
      }
      if (interaction.state !== 'Queued' && interaction.state !== 'Offered') {
        throw new ChatError('CONFLICT', `interaction is ${interaction.state}; only a Queued or Offered interaction can be accepted`);
      }
      if (interaction.state === 'Queued' && account.role === 'agent') {
        // An agent takes only what routing could offer them; supervisors may take any queued work.
        const profile = (await w.tx.getProfile(account.id)) ?? { accountId: account.id, queues: [], skills: {}, languages: [] };
        const refusal = manualAcceptRefusal(profile, interaction, (await w.tx.getQueue(interaction.deploymentId, interaction.queue)) ?? undefined, this.clock.now());
        if (refusal) throw new ChatError('FORBIDDEN', refusal);
      }
      const session = await w.liveSession(interaction.sessionId);
      const deployment = await w.tx.getDeployment(session.deploymentId);
      if (!deployment) throw new ChatError('NOT_FOUND', 'deployment not found');
      const handled = await w.transition(session, interaction, 'Handling', { agentAccountId: account.id });
      await w.joinStaff(session, account);
      w.emit({ type: 'InteractionAssigned', sessionId: session.id, deploymentId: session.deploymentId, interaction: handled, deployment, accountId: account.id });
      return handled;
    });
  }

  async agentSend(
    sessionId: string,
    account: Account,
    input: { type: Extract<MessageType, 'Text' | 'Notice' | 'PushUrl' | 'TypingStarted' | 'TypingStopped'>; text?: string; url?: string; visibility: Visibility; rich?: unknown },
    operationId?: string,
  ): Promise<Message> {
    const rich = richSend(input.type, input.text, input.rich);
    if (rich) input = { ...input, text: rich.text };
    if ((input.type === 'Text' || input.type === 'Notice') && (!input.text || !input.text.trim())) throw new ChatError('INVALID_REQUEST', 'text is required');
    if (input.text) this.checkText(input.text);
    if (input.type === 'PushUrl') checkUrl(input.url);
    if (input.visibility === 'Vip') authorize(asStaff(account), 'message.vip');
    return this.writer.write(
      async (w) => {
        const session = await w.liveSession(sessionId);
        const p = await w.connectedStaff(sessionId, account);
        return w.append(session, {
          type: input.type,
          from: { participantId: p.id, type: p.type, nickname: p.nickname },
          visibility: input.visibility,
          ...(input.text !== undefined ? { text: input.text } : {}),
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(rich ? { data: rich.data } : {}),
        });
      },
      sessionOnce('staff-send', sessionId, account.id, operationId),
    );
  }

  private async ownInteraction(w: LogTx, interactionId: string, account: Account): Promise<{ interaction: Interaction; session: Session }> {
    const interaction = await w.tx.getInteraction(interactionId, true);
    if (!interaction) throw new ChatError('NOT_FOUND', 'interaction not found');
    authorize(asStaff(account), 'interaction.act', interaction);
    const session = await w.tx.getSession(interaction.sessionId, true);
    if (!session) throw new ChatError('NOT_FOUND', 'session not found');
    return { interaction, session };
  }

  /** The agent marks the interaction done: Handling -> Finalizing (wrap-up). */
  async markDone(interactionId: string, account: Account): Promise<Interaction> {
    return this.writer.write(async (w) => {
      const { interaction, session } = await this.ownInteraction(w, interactionId, account);
      return w.transition(session, interaction, 'Finalizing');
    });
  }

  /**
   * Wrap-up finished: Finalizing -> Completed. The agent leaves the session; a synchronous
   * session ends with its only interaction.
   */
  async complete(interactionId: string, account: Account, wrapUpCode?: string): Promise<Interaction> {
    return this.writer.write(async (w) => {
      const { interaction, session } = await this.ownInteraction(w, interactionId, account);
      if (interaction.state !== 'Finalizing') throw new ChatError('CONFLICT', `interaction is ${interaction.state}; mark it done first`);
      // The agent may already handle the session's next interaction (seed 000's segments): they stay.
      const stillWorking = (await w.tx.listInteractions({ sessionId: session.id })).some(
        (i) => i.id !== interaction.id && i.agentAccountId === account.id && (i.state === 'Handling' || i.state === 'Finalizing'),
      );
      if ((session.state === 'Active' || session.endedAt) && !stillWorking) await w.leaveIfConnected(session, account);
      if (wrapUpCode !== undefined) {
        const codes = await w.tx.listWrapUpCodes();
        if (codes.length && !codes.some((c) => c.code === wrapUpCode)) throw new ChatError('INVALID_REQUEST', `unknown wrap-up code "${wrapUpCode}"; known: ${codes.map((c) => c.code).join(', ')}`);
      }
      const completed = await w.transition(session, interaction, 'Completed', { wrapUpCode: wrapUpCode ?? null });
      if (interaction.agentAccountId) {
        const profile = await w.tx.getProfile(interaction.agentAccountId);
        if (profile) await w.tx.upsertProfile({ ...profile, idleSince: this.nowIso() });
      }
      if (!session.async && session.state === 'Active') await w.endSession(session);
      return completed;
    });
  }

  /** A staff member leaves a session: a silent monitor silently, a participant with ParticipantLeft. */
  async staffLeave(sessionId: string, account: Account): Promise<void> {
    await this.writer.write(async (w) => {
      const session = await w.tx.getSession(sessionId, true);
      if (!session) throw new ChatError('NOT_FOUND', 'session not found');
      const monitoring = (await w.tx.listParticipants(sessionId)).find((p) => p.accountId === account.id && p.state === 'Monitoring');
      if (monitoring) return w.leave(session, monitoring);
      if (!(await w.leaveIfConnected(session, account))) throw new ChatError('CONFLICT', 'you are not connected to this session');
    });
  }

  /** An agent follows up on an async session whose last interaction is completed: a new interaction, handled by them. */
  async followUp(sessionId: string, account: Account): Promise<Interaction> {
    return this.writer.write(async (w) => {
      const session = await w.liveSession(sessionId);
      if (!session.async) throw new ChatError('CONFLICT', 'follow-up needs an asynchronous session');
      const latest = await w.tx.latestInteraction(sessionId);
      if (latest && latest.state !== 'Completed') throw new ChatError('CONFLICT', `the session already has an open interaction (${latest.state})`);
      authorize(asStaff(account), 'session.follow-up', { interactions: await w.tx.listInteractions({ sessionId }) });
      const deployment = await w.tx.getDeployment(session.deploymentId);
      if (!deployment) throw new ChatError('NOT_FOUND', 'deployment not found');
      const interaction = await w.openInteraction(session, deployment, { state: 'Handling', agentAccountId: account.id, ...(latest ? { queue: latest.queue } : {}) });
      await w.joinStaff(session, account);
      return interaction;
    });
  }

  // ---- files ---------------------------------------------------------------------------------

  /** Records an uploaded file; its link is stored unsigned (see FileLinks) and signed in the answer. */
  async recordFile(sessionId: string, participantId: string, file: { id: string; name: string; mime: string; size: number }, operationId?: string): Promise<Message> {
    const url = FileLinks.unsigned(sessionId, file.id);
    const msg = await this.writer.write(
      async (w) => {
        const session = await w.liveSession(sessionId);
        const participant = await w.tx.getParticipant(participantId);
        if (!participant || participant.sessionId !== sessionId) throw new ChatError('INVALID_SESSION', 'session not found');
        await w.tx.insertFile({ id: file.id, sessionId, name: file.name, mime: file.mime, size: file.size, createdAt: this.nowIso() });
        return w.append(session, {
          type: 'File',
          from: { participantId, type: participant.type, nickname: participant.nickname },
          visibility: 'All',
          text: file.name,
          content: [{ type: file.mime.startsWith('image/') ? 'image' : 'file', mime: file.mime, url, name: file.name, size: file.size }],
        });
      },
      sessionOnce('file', sessionId, participantId, operationId),
    );
    return this.fileLinks ? this.fileLinks.fresh(msg) : msg;
  }

  /**
   * A file an agent or supervisor sends into a session they are connected to: the same File message
   * as a customer's, visible to all, at most `maxFiles` of theirs per session.
   */
  /** The caller's connected participant in the session, or FORBIDDEN (checked before an upload is read). */
  async staffParticipantId(sessionId: string, account: Account): Promise<Participant> {
    return this.store.read((tx) => new LogTx(tx, this.clock).connectedStaff(sessionId, account));
  }

  async recordStaffFile(sessionId: string, account: Account, file: { id: string; name: string; mime: string; size: number }, maxFiles: number, operationId?: string): Promise<Message> {
    const url = FileLinks.unsigned(sessionId, file.id);
    const msg = await this.writer.write(
      async (w) => {
        const session = await w.liveSession(sessionId);
        const p = await w.connectedStaff(sessionId, account);
        const log = await w.tx.listMessages(sessionId, { visibilities: ['All'], limit: 100_000 });
        const sent = log.filter((m) => m.type === 'File' && m.from.participantId === p.id).length;
        if (sent >= maxFiles) throw new ChatError('CONFLICT', `you already sent ${sent} files in this session; the limit is ${maxFiles}`);
        await w.tx.insertFile({ id: file.id, sessionId, name: file.name, mime: file.mime, size: file.size, createdAt: w.nowIso() });
        return w.append(session, {
          type: 'File',
          from: { participantId: p.id, type: p.type, nickname: p.nickname },
          visibility: 'All',
          text: file.name,
          content: [{ type: file.mime.startsWith('image/') ? 'image' : 'file', mime: file.mime, url, name: file.name, size: file.size }],
        });
      },
      sessionOnce('staff-file', sessionId, account.id, operationId),
    );
    return this.fileLinks ? this.fileLinks.fresh(msg) : msg;
  }

  async getFile(fileId: string) {
    return this.store.read((tx) => tx.getFile(fileId));
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

/** What a staff reader may see of a message (as the store's query for `readForStaff`): by role, and whispers addressed to them. */
function staffSees(account: Account, m: Message): boolean {
  return visibleTo(account.role === 'agent' ? 'Agent' : 'Supervisor').includes(m.visibility) || (m.visibility === 'Vip' && m.audienceAccountId === account.id);
}

export function checkUrl(url: string | undefined): void {
  if (!isWebUrl(url)) throw new ChatError('INVALID_REQUEST', 'url must be an absolute http(s) URL');
}
