/**
 * Message indexes are `"<ms>-<seq>"` (seed 000). The Genesys client drops the '-' and compares the
 * digits as a number, so `seq` stays one digit (0-9): the numeric form is `ms * 10 + seq`, and the
 * string and numeric orders agree. When the clock does not move forward (same millisecond, or a
 * step backwards), the next index continues from the last one instead of from the clock.
 */
export const MAX_SEQ = 9;

export interface IndexParts {
  ms: number;
  seq: number;
}

export function nextIndexNum(lastNum: number, nowMs: number): number {
  const candidate = Math.floor(nowMs) * 10;
  return candidate > lastNum ? candidate : lastNum + 1;
}

export function formatIndex(num: number): string {
  const ms = Math.floor(num / 10);
  return `${ms}-${num - ms * 10}`;
}

/** Parses `"<ms>-<seq>"`; returns null for anything else, including seq > 9. */
export function parseIndex(index: string): number | null {
  const m = /^(\d{1,15})-(\d)$/.exec(index);
  if (!m) return null;
  const num = Number(m[1]) * 10 + Number(m[2]);
  return Number.isSafeInteger(num) ? num : null;
}
