import { RE2JS } from 're2js';

/**
 * Flow patterns (`validate`, intent `regex`) are written by admins and run on customer text, so
 * they run on a linear-time engine (RE2): matching costs time in proportion to the text, whatever
 * the pattern. Features that need backtracking (backreferences, lookaround) do not exist there: a
 * pattern using them is refused when the flow is loaded.
 */

/** Answers longer than this never match a pattern (an e-mail address is at most 320 characters). */
export const MAX_PATTERN_INPUT = 1_000;

export class PatternError extends Error {}

const cache = new Map<string, RE2JS>();
const CACHE_SIZE = 500;

/** Compiles `source`; throws PatternError saying why when the linear engine cannot run it. */
export function compilePattern(source: string, caseInsensitive: boolean): RE2JS {
  const key = `${caseInsensitive ? 'i' : '-'}${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    throw new PatternError(`not a valid regular expression for the linear-time engine (${reason}); backreferences and lookaround are not supported`);
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

/** Whether `text` contains a match of `source` (a search, like RegExp#test). */
export function patternMatches(source: string, text: string, caseInsensitive = false): boolean {
  if (text.length > MAX_PATTERN_INPUT) return false;
  return compilePattern(source, caseInsensitive).matcher(text).find();
}
