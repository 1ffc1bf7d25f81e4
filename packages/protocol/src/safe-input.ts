import { z } from 'zod';

/**
 * Checks every API applies to what users send, whatever the store behind: PostgreSQL cannot hold
 * the NUL character in text, SQLite can, so NUL is refused everywhere; names (nicknames, display
 * names, usernames, file names) hold no control characters at all; links are absolute http(s).
 */

/** C0 controls, DEL and C1 controls: never part of a name. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

export function hasControlChars(s: string): boolean {
  return CONTROL.test(s);
}

/** What a name becomes when it must be kept (an uploaded file's name): control characters removed. */
export function stripControlChars(s: string): string {
  return s.replace(CONTROLS, '');
}

/** The path (`data.nickname`) of the first string, key or value, holding NUL in `value`, or null. */
export function findNul(value: unknown): string | null {
  const path = nulPath(value, 0);
  return path === null ? null : path.reverse().join('.') || 'value';
}

/** The path to the first NUL, innermost first; nothing is allocated while none is found. */
function nulPath(value: unknown, depth: number): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? [] : null;
  if (value === null || typeof value !== 'object' || depth > 32) return null;
  for (const k of Object.keys(value)) {
    if (k.includes('\u0000')) return ['(a key)'];
    const found = nulPath((value as Record<string, unknown>)[k], depth + 1);
    if (found !== null) {
      found.push(k);
      return found;
    }
  }
  return null;
}

/** A name shown to others: at most `max` characters, no control characters. */
export const nameText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !hasControlChars(s), 'must not contain control characters');

/** Whether `value` is an absolute http: or https: URL (never javascript:, data:, vbscript:, file: …). */
export function isWebUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2048 || hasControlChars(value)) return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A link a customer or agent may be shown (PushUrl, banner options, …). */
export const webUrl = z.string().refine(isWebUrl, 'must be an absolute http(s) URL');
