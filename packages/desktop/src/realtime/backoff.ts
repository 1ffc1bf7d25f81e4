/** Reconnect delays: 0.5 s doubling up to 5 s, with a little jitter so many desktops do not reconnect in step. */
export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 5_000;

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, attempt));
  const jittered = base * (0.8 + 0.2 * random());
  return Math.round(Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, jittered)));
}
