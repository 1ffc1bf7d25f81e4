import { dialectTexts, type Statement } from '../sql/dialect.js';
import type { Row } from '../store-rows.js';

/** Runs shared-dialect statements (adapters/sql) inside one PostgreSQL transaction attempt. */
export interface PgConnection {
  one(s: Statement): Promise<Row | undefined>;
  rows(s: Statement): Promise<Row[]>;
  /** Runs a write; returns how many rows it changed. */
  run(s: Statement): Promise<number>;
  /** A write nobody waits for: it goes out with COMMIT or the next statement (TxRun.queryLater); it fails the transaction if it fails. */
  later(s: Statement): Promise<void>;
  /** Several statements run in order in one round trip; the rows of each. */
  batch(ss: Statement[]): Promise<Row[][]>;
  /**
   * Rows read under a lock this attempt holds, kept under `key` until the attempt writes anything:
   * a later read of the same rows in it can take them instead of another round trip.
   */
  keep(key: string, rows: Row[]): void;
  kept(key: string): Row[] | undefined;
}

/** How the ops reach the transaction attempt in progress (index.ts's TxRun). */
export interface AttemptQueries {
  query(text: string, values: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
  queryAll(statements: { text: string; values: unknown[] }[]): Promise<{ rows: Row[] }[]>;
  queryLater(text: string, values: unknown[]): Promise<void>;
  kept(): Map<string, Row[]>;
}

const text = dialectTexts('postgres');

export function pgConnection(attempt: AttemptQueries): PgConnection {
  const { query, queryAll, queryLater, kept } = attempt;
  return {
    one: async (s) => (await query(text(s.text), s.values)).rows[0],
    rows: async (s) => (await query(text(s.text), s.values)).rows,
    run: async (s) => (await query(text(s.text), s.values)).rowCount ?? 0,
    later: (s) => queryLater(text(s.text), s.values),
    batch: async (ss) => (await queryAll(ss.map((s) => ({ text: text(s.text), values: s.values })))).map((r) => r.rows),
    keep: (key, rows) => void kept().set(key, rows),
    kept: (key) => kept().get(key),
  };
}
