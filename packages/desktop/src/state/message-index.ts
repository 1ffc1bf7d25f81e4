/**
 * Message indexes are `"<ms>-<seq>"` (seq is one digit); the numeric form `ms * 10 + seq` orders the
 * log. Anything else sorts first (null), so a malformed index never hides later messages.
 */
export function indexNum(index: string | null | undefined): number {
  if (!index) return -1;
  const m = /^(\d{1,15})-(\d)$/.exec(index);
  if (!m) return -1;
  return Number(m[1]) * 10 + Number(m[2]);
}

/** The later of two indexes (either may be null). */
export function maxIndex(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return indexNum(b) > indexNum(a) ? b : a;
}
