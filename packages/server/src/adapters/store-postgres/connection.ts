import { dialectTexts, type Statement } from '../sql/dialect.js';
import type { Row } from '../store-rows.js';

/** Runs shared-dialect statements (adapters/sql) inside one PostgreSQL transaction attempt. */
export interface PgConnection {
  one(s: Statement): Promise<Row | undefined>;
  rows(s: Statement): Promise<Row[]>;
  /** Runs a write; returns how many rows it changed. */
  run(s: Statement): Promise<number>;
  /** A write nobody waits for: it goes out with COMMIT (TxRun.queryLater); it fails the commit if it fails. */
  later(s: Statement): Promise<void>;
}

const text = dialectTexts('postgres');

/** `query` runs one PostgreSQL text (the transaction attempt's, see index.ts). */
export function pgConnection(
  query: (text: string, values: unknown[]) => Promise<{ rows: Row[]; rowCount: number | null }>,
  queryLater: (text: string, values: unknown[]) => Promise<void>,
): PgConnection {
  return {
    one: async (s) => (await query(text(s.text), s.values)).rows[0],
    rows: async (s) => (await query(text(s.text), s.values)).rows,
    run: async (s) => (await query(text(s.text), s.values)).rowCount ?? 0,
    later: (s) => queryLater(text(s.text), s.values),
  };
}
