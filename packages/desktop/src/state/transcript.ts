import type { AgentMessage, AgentParticipant } from '@parley/protocol';
import { indexNum, maxIndex } from './message-index.js';

/** Messages that are shown as entries of the transcript; typing events only drive the indicator. */
const SHOWN = new Set(['Text', 'Notice', 'PushUrl', 'File', 'ParticipantJoined', 'ParticipantLeft', 'System']);
/** Messages that count as unread when they come from someone else. */
const COUNTED = new Set(['Text', 'PushUrl', 'File']);
/** How long a TypingStarted without a TypingStopped keeps the indicator on. */
export const TYPING_STALE_MS = 15_000;

export interface TypingEntry {
  participantId: string;
  nickname: string;
  sinceMs: number;
}

export interface MergeResult {
  /** Messages that were new (not held before), in log order. */
  added: AgentMessage[];
  /** Of those, the ones that count as unread (shown, from someone else, while the view is not read). */
  unreadAdded: AgentMessage[];
}

/**
 * One session's log as the desktop holds it: ordered by index, de-duplicated by message id, with
 * the last index held (the resume point), typing state and the unread count. No DOM, no I/O.
 */
export class Transcript {
  private readonly byId = new Set<string>();
  private list: AgentMessage[] = [];
  /** The highest index held: resume with `after = lastIndex`. */
  lastIndex: string | null = null;
  unread = 0;
  /** True while the user is looking at this transcript (active tab, window focused). */
  viewing = false;
  readonly typing = new Map<string, TypingEntry>();
  /** Participant ids that are "us" (the logged-in account's participants); never unread, never typing. */
  readonly self = new Set<string>();

  get messages(): readonly AgentMessage[] {
    return this.list;
  }

  /** Messages shown in the transcript (no typing events). */
  get shown(): AgentMessage[] {
    return this.list.filter((m) => SHOWN.has(m.type));
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  setParticipants(participants: AgentParticipant[], accountId: string): void {
    for (const p of participants) if (p.accountId === accountId) this.self.add(p.id);
  }

  /**
   * Adds messages (from a page, a resume or a live frame). Ones already held (same id) are ignored;
   * out-of-order arrivals are put in their place. `initial` marks history loaded when a conversation
   * opens: it is never counted unread.
   */
  merge(messages: readonly AgentMessage[], opts: { initial?: boolean; nowMs?: number } = {}): MergeResult {
    const added: AgentMessage[] = [];
    const unreadAdded: AgentMessage[] = [];
    const now = opts.nowMs ?? Date.now();
    for (const m of messages) {
      if (!m || typeof m.id !== 'string' || this.byId.has(m.id)) continue;
      this.byId.add(m.id);
      this.insertOrdered(m);
      this.lastIndex = maxIndex(this.lastIndex, m.index);
      added.push(m);
      this.trackTyping(m, now, !!opts.initial);
      if (!opts.initial && !this.viewing && COUNTED.has(m.type) && !this.self.has(m.from.participantId) && m.from.type !== 'System') {
        this.unread += 1;
        unreadAdded.push(m);
      }
    }
    return { added, unreadAdded };
  }

  /** Marks everything read (the user opened the tab). */
  markRead(): void {
    this.unread = 0;
  }

  setViewing(viewing: boolean): void {
    this.viewing = viewing;
    if (viewing) this.unread = 0;
  }

  /** Who is typing now (excluding us and stale entries). */
  typingNow(nowMs = Date.now()): TypingEntry[] {
    const out: TypingEntry[] = [];
    for (const [id, t] of this.typing) {
      if (nowMs - t.sinceMs > TYPING_STALE_MS) this.typing.delete(id);
      else out.push(t);
    }
    return out;
  }

  private trackTyping(m: AgentMessage, now: number, initial: boolean): void {
    const pid = m.from.participantId;
    if (m.type === 'TypingStarted') {
      if (initial || this.self.has(pid)) return;
      // A TypingStarted older than the stale window (e.g. replayed on resume) shows nothing.
      const at = Date.parse(m.utcTime);
      const since = Number.isFinite(at) ? Math.min(at, now) : now;
      if (now - since > TYPING_STALE_MS) return;
      this.typing.set(pid, { participantId: pid, nickname: m.from.nickname ?? m.from.type, sinceMs: now });
    } else if (m.type === 'TypingStopped' || m.type === 'Text' || m.type === 'ParticipantLeft') {
      this.typing.delete(pid);
    }
  }

  private insertOrdered(m: AgentMessage): void {
    const n = indexNum(m.index);
    let i = this.list.length;
    while (i > 0 && indexNum(this.list[i - 1].index) > n) i -= 1;
    if (i === this.list.length) this.list.push(m);
    else this.list = [...this.list.slice(0, i), m, ...this.list.slice(i)];
  }
}
