/**
 * Limits on what one client may ask of the server over one WebSocket: frames per second (a token
 * bucket, so short bursts pass) and sessions subscribed at once. A socket over its frame budget is
 * closed with 1008 (policy violation); the client's reconnect back-off then slows it down.
 */
export const SOCKET_LIMITS = {
  framesPerSecond: 10,
  burstFrames: 40,
  maxSubscriptions: 50,
} as const;

export const WS_CLOSE_POLICY_VIOLATION = 1008;

export class FrameBudget {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number = SOCKET_LIMITS.framesPerSecond,
    private readonly burst: number = SOCKET_LIMITS.burstFrames,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one frame from the budget; false when the socket is over it. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A close reason is at most 123 bytes of UTF-8 (ws throws past that); messages may quote a header. */
export function closeReason(message: string): string {
  let reason = message.slice(0, 123);
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}
