import type { MessagesPage } from '@parley/protocol';

export interface PollerOptions {
  /** Reads the log after an index, holding up to `waitMs` (GET /sessions/{id}/messages?after&wait). */
  read: (sessionId: string, after: string | null, waitMs: number, signal: AbortSignal) => Promise<MessagesPage>;
  resumeIndex: (sessionId: string) => string | null;
  onPage: (sessionId: string, page: MessagesPage) => void;
  waitMs?: number;
  errorDelayMs?: number;
}

/**
 * The fallback while the realtime socket is down: one long-poll loop per open session, each
 * resuming from the last index held. Stops a session's loop when the session has ended.
 */
export class SessionPoller {
  private readonly loops = new Map<string, AbortController>();

  constructor(private readonly opts: PollerOptions) {}

  get running(): string[] {
    return [...this.loops.keys()];
  }

  start(sessionId: string): void {
    if (this.loops.has(sessionId)) return;
    const ctl = new AbortController();
    this.loops.set(sessionId, ctl);
    void this.loop(sessionId, ctl.signal);
  }

  stop(sessionId: string): void {
    this.loops.get(sessionId)?.abort();
    this.loops.delete(sessionId);
  }

  stopAll(): void {
    for (const id of [...this.loops.keys()]) this.stop(id);
  }

  private async loop(sessionId: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const page = await this.opts.read(sessionId, this.opts.resumeIndex(sessionId), this.opts.waitMs ?? 8_000, signal);
        if (signal.aborted) return;
        this.opts.onPage(sessionId, page);
        if (page.sessionEnded) break;
      } catch {
        if (signal.aborted) return;
        await sleep(this.opts.errorDelayMs ?? 2_000, signal);
      }
    }
    if (this.loops.get(sessionId)?.signal === signal) this.loops.delete(sessionId);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
