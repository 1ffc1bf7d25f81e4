import type { Message } from '@parley/protocol';
import type { Clock } from '../ports/clock.js';
import { topics, type Fanout } from '../ports/fanout.js';
import type { WriteNotes } from './write-notes.js';

/** A session's version on this node at one moment (see SessionVersions.now). */
export interface SessionVersion {
  readonly sessionId: string;
  readonly watch: Watch;
  readonly n: number;
  readonly epoch: number;
  readonly at: number;
}

interface Watch {
  n: number;
  lastUsed: number;
  stop: () => void;
  /** This node's committed writes whose notification has not been heard yet, oldest first. */
  pending: LocalWrite[];
  /** Version numbers that were this node's writes, with what each wrote. */
  local: Map<number, LocalWrite>;
}

/**
 * What one committed write on this node did to one session's log (core/log-writer.ts): the messages
 * it appended, which follow `fromNum` (the head before) and end at `toNum`. `fromNum` is -1 for a
 * write that appended nothing; `changedAccess` when it changed participants, interactions or ended
 * the session.
 */
export interface LocalWrite {
  sessionId: string;
  fromNum: number;
  toNum: number;
  messages: Message[];
  changedAccess: boolean;
  /** The write as its notification's data (core/write-notes.ts), when it is sent with one. */
  note?: string;
}

/** Local writes remembered per watched session (pending, and heard). */
const MAX_LOCAL_WRITES = 64;

export interface SessionVersionOptions {
  /** A session nobody read on this node for this long is no longer watched. */
  idleMs: number;
  /** Sessions watched at most (the least recently used goes first). */
  maxSessions: number;
  /** A version is trusted at most this long, whatever the fan-out (changes the fan-out does not announce). */
  maxAgeMs: number;
}

export const defaultSessionVersionOptions: SessionVersionOptions = { idleMs: 120_000, maxSessions: 100_000, maxAgeMs: 30_000 };

/**
 * Per-node versions of sessions, moved by the fan-out: every notification on `session:<id>` (every
 * write to the session, on any node, and every wake-all after a fan-out outage) raises the
 * session's version. A reader takes the version *before* it reads the store; as long as the version
 * is `unchanged`, nothing was written to the session since, and what that read found still holds.
 * A version is trusted no longer than the fan-out's safety-net re-check (`recheckMs`: 300 ms while
 * Redis is down) nor `maxAgeMs`, and not across a change of `recheckMs` (the fan-out went down or came back).
 */
export class SessionVersions {
  private readonly watches = new Map<string, Watch>();
  private epoch = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly unwatchRecheck: () => void;

  constructor(
    private readonly fanout: Fanout,
    private readonly clock: Clock,
    private readonly opts: SessionVersionOptions = defaultSessionVersionOptions,
    /** Reads other nodes' writes from their notifications' data (none: only this node's writes are known). */
    private readonly notes: WriteNotes | null = null,
  ) {
    this.unwatchRecheck = fanout.onRecheckChange?.(() => this.epoch++) ?? (() => {});
    this.sweeper = setInterval(() => this.sweep(), Math.max(1_000, opts.idleMs / 2));
    this.sweeper.unref();
  }

  /** Watches the session (from now on, if it was not) and returns its version: take it before the read it vouches for. */
  now(sessionId: string): SessionVersion {
    const at = this.clock.now();
    let watch = this.watches.get(sessionId);
    if (watch) {
      watch.lastUsed = at;
      // Most recently used last: eviction takes from the front.
      this.watches.delete(sessionId);
      this.watches.set(sessionId, watch);
    } else {
      if (this.watches.size >= this.opts.maxSessions) this.drop(this.watches.keys().next().value!);
      const made: Watch = { n: 0, lastUsed: at, stop: () => {}, pending: [], local: new Map() };
      made.stop = this.fanout.listen(topics.session(sessionId), (data) => {
        made.n++;
        // A note names its write: this node's oldest pending one, or another node's (signed). Without
        // one, the oldest pending write as a rule; if another node's notification arrives first it
        // takes that label, the write's own is then unlabeled, and readers go to the store.
        const own = made.pending[0];
        const write = data === undefined || (own !== undefined && own.note === data) ? made.pending.shift() : this.notes?.decode(data, sessionId);
        if (write) made.local.set(made.n, write);
        made.local.delete(made.n - MAX_LOCAL_WRITES);
      });
      this.watches.set(sessionId, (watch = made));
    }
    return { sessionId, watch, n: watch.n, epoch: this.epoch, at };
  }

  /** Nothing was notified on the session since `v` was taken, and `v` is recent enough to trust. */
  unchanged(v: SessionVersion): boolean {
    return this.trusted(v) && v.watch.n === v.n;
  }

  /**
   * A write committed on this node, recorded before its notification goes out: readers of a watched
   * session can then take what it wrote from memory (`knownWritesSince`).
   */
  recordLocal(write: LocalWrite): void {
    const watch = this.watches.get(write.sessionId);
    if (!watch) return;
    watch.pending.push(write);
    if (watch.pending.length > MAX_LOCAL_WRITES) watch.pending.shift();
  }

  /**
   * Every notification on the session since `v` was a write this node knows (its own, or another
   * node's from a verified note): those writes (in the order they were heard) and the version after
   * them. Null when any was not (a write without a note, a wake-all) or `v` is no longer trusted.
   */
  knownWritesSince(v: SessionVersion): { writes: LocalWrite[]; version: SessionVersion } | null {
    if (!this.trusted(v)) return null;
    const writes: LocalWrite[] = [];
    for (let n = v.n + 1; n <= v.watch.n; n++) {
      const write = v.watch.local.get(n);
      if (!write) return null;
      writes.push(write);
    }
    return { writes, version: { ...v, n: v.watch.n } };
  }

  private trusted(v: SessionVersion): boolean {
    const watch = this.watches.get(v.sessionId);
    if (watch !== v.watch || v.epoch !== this.epoch) return false;
    const age = this.clock.now() - v.at;
    return age >= 0 && age < Math.min(this.fanout.recheckMs, this.opts.maxAgeMs);
  }

  get size(): number {
    return this.watches.size;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.unwatchRecheck();
    for (const id of [...this.watches.keys()]) this.drop(id);
  }

  private drop(sessionId: string): void {
    this.watches.get(sessionId)?.stop();
    this.watches.delete(sessionId);
  }

  private sweep(): void {
    const before = this.clock.now() - this.opts.idleMs;
    for (const [id, watch] of this.watches) if (watch.lastUsed < before) this.drop(id);
  }
}
