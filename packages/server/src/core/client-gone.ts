/**
 * A held request's client going away, which ends a long poll's hold early. Plain callbacks: this is
 * on every long poll, and an AbortSignal's listeners (EventTarget) cost several percent of a busy
 * node's CPU.
 */
export class ClientGone {
  gone = false;
  private wake: (() => void) | undefined;

  /** The client left: runs the waiting hold's callback, once. */
  leave(): void {
    if (this.gone) return;
    this.gone = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** `fn` runs when the client leaves (`undefined`: nothing waits any more). */
  onLeave(fn: (() => void) | undefined): void {
    this.wake = fn;
  }
}
