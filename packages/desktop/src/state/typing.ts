import type { Timers } from '../realtime/connection.js';

export const TYPING_IDLE_MS = 3_000;

/**
 * Our side of the typing indicator: TypingStarted when typing starts, TypingStopped after 3 s
 * without a keystroke or when the message is sent (or the draft is cleared).
 */
export class TypingController {
  private typing = false;
  private timer: unknown = null;
  private readonly timers: Timers;

  constructor(
    private readonly emit: (type: 'TypingStarted' | 'TypingStopped') => void,
    timers?: Timers,
    private readonly idleMs = TYPING_IDLE_MS,
  ) {
    this.timers = timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) };
  }

  get isTyping(): boolean {
    return this.typing;
  }

  /** A keystroke in the composer; `empty` when the draft is now empty. */
  input(empty = false): void {
    if (empty) {
      this.stop();
      return;
    }
    if (!this.typing) {
      this.typing = true;
      this.emit('TypingStarted');
    }
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.stop();
    }, this.idleMs);
  }

  /** The message was sent, the draft cleared, or the conversation closed. */
  stop(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    if (!this.typing) return;
    this.typing = false;
    this.emit('TypingStopped');
  }
}
