import type { RichContent } from '@parley/protocol';

/** The bounds the server applies to quick replies (protocol RICH_LIMITS; the desktop bundles no zod). */
export const MAX_QUICK_REPLIES = 13;
export const MAX_REPLY_LENGTH = 100;

/** The quick replies an agent typed, one per line: blank lines dropped, duplicates once, within the bounds. */
export function parseQuickReplies(lines: string): string[] {
  const out: string[] = [];
  for (const raw of lines.split('\n')) {
    const reply = raw.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
    if (reply && !out.includes(reply)) out.push(reply);
  }
  return out;
}

/** Why the typed quick replies cannot be sent, or null. */
export function quickRepliesProblem(replies: string[]): string | null {
  if (replies.length > MAX_QUICK_REPLIES) return `At most ${MAX_QUICK_REPLIES} quick replies`;
  const long = replies.find((r) => r.length > MAX_REPLY_LENGTH);
  return long ? `"${long.slice(0, 20)}…" is longer than ${MAX_REPLY_LENGTH} characters` : null;
}

export function quickRepliesContent(replies: string[]): RichContent | undefined {
  return replies.length ? { kind: 'quickReplies', replies: replies.map((text) => ({ text })) } : undefined;
}

/** The rich content of a message's data as the server sent it (it validated it), or null. */
export function richOfData(data: Record<string, unknown> | undefined): RichContent | null {
  const rich = data?.rich as RichContent | undefined;
  return rich && typeof rich === 'object' && typeof rich.kind === 'string' ? rich : null;
}
