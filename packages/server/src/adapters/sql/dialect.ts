/**
 * The SQL both store adapters run, written once (adapters/sql/<aggregate>.ts) in a shared dialect:
 * SQLite's SQL with `?` placeholders, plus `FOR UPDATE` at the end of a SELECT that locks its rows.
 * Each adapter's connection turns a text into its own dialect (once per text: the results are
 * cached), so only placeholders, locking, collation and the insertion-order column differ:
 *
 * | shared            | SQLite              | PostgreSQL                                       |
 * | ----------------- | ------------------- | ------------------------------------------------ |
 * | `?`               | `?`                 | `$1`, `$2`, ... in order                         |
 * | `... FOR UPDATE`  | dropped (transactions run one at a time) | `FOR NO KEY UPDATE` (does not block the key-share locks inserts into child tables take) |
 * | `... FOR KEY UPDATE` | dropped          | `FOR UPDATE` (also blocks inserts of rows that reference it: for a row about to be deleted) |
 * | `COLLATE BINARY`  | as is (byte order)  | `COLLATE "C"` (byte order, whatever the database collation) |
 * | `rowid`           | as is               | `row_seq` (an identity column standing in for it) |
 *
 * Upserts are `INSERT ... ON CONFLICT (key) DO UPDATE SET col = excluded.col`, which both accept.
 * A text must not hold `?` or these words inside a string literal.
 */

/** A statement in the shared dialect with its values. */
export interface Statement {
  text: string;
  values: unknown[];
}

export type Dialect = 'sqlite' | 'postgres';

const LOCK = / FOR UPDATE$/;
const KEY_LOCK = / FOR KEY UPDATE$/;

function translate(text: string, dialect: Dialect): string {
  if (dialect === 'sqlite') return text.replace(LOCK, '').replace(KEY_LOCK, '');
  let n = 0;
  return text
    .replace(/\?/g, () => `$${++n}`)
    .replace(LOCK, ' FOR NO KEY UPDATE')
    .replace(KEY_LOCK, ' FOR UPDATE')
    .replace(/COLLATE BINARY/g, 'COLLATE "C"')
    .replace(/\browid\b/g, 'row_seq');
}

/** A translator for one dialect, caching each text's translation (the texts are a small fixed set). */
export function dialectTexts(dialect: Dialect): (text: string) => string {
  const cache = new Map<string, string>();
  return (text) => {
    let out = cache.get(text);
    if (out === undefined) cache.set(text, (out = translate(text, dialect)));
    return out;
  };
}

export const statement = (text: string, ...values: unknown[]): Statement => ({ text, values });

/** `text`, locking the rows it reads when `forUpdate`. */
export const lockedIf = (text: string, forUpdate: boolean | undefined): string => (forUpdate ? `${text} FOR UPDATE` : text);

/** `(?, ?, ...)` for `n` values. */
export const placeholders = (n: number): string => `(${Array.from({ length: n }, () => '?').join(', ')})`;

/** `text LIMIT ?`; a negative limit means none (as SQLite reads it; PostgreSQL would refuse it). */
export function limited(text: string, values: unknown[], limit: number): Statement {
  return limit < 0 ? { text, values } : { text: `${text} LIMIT ?`, values: [...values, limit] };
}

/** `UPDATE table SET <patch> WHERE id = ?`, or null when the patch sets nothing. */
export function updateById(table: string, set: { sql: string; values: unknown[] }, id: string): Statement | null {
  return set.sql ? { text: `UPDATE ${table} SET ${set.sql} WHERE id = ?`, values: [...set.values, id] } : null;
}

/** `column IN (?, ...)` with its values; never true for no values. */
export function isIn(column: string, values: readonly unknown[]): { sql: string; values: unknown[] } {
  return values.length ? { sql: `${column} IN ${placeholders(values.length)}`, values: [...values] } : { sql: '1 = 0', values: [] };
}
