import type { Row } from '../store-rows.js';

/** The statement runners of one PostgreSQL transaction, as the adapter's aggregate files take them. */
export interface PgQueries {
  rows(text: string, values?: unknown[]): Promise<Row[]>;
  one(text: string, values?: unknown[]): Promise<Row | undefined>;
  exec(text: string, values?: unknown[]): Promise<void>;
  /** Runs a statement and answers how many rows it changed. */
  count(text: string, values?: unknown[]): Promise<number>;
}
