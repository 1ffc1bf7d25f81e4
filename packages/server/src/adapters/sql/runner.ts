import type { Row } from '../store-rows.js';
import type { Statement } from './dialect.js';

type Awaitable<T> = T | Promise<T>;

/**
 * Runs shared-dialect statements on either adapter's connection (SQLite answers at once, PostgreSQL
 * with a promise), so an aggregate whose SQL is the same in both dialects is written once over it.
 */
export interface SqlRunner {
  one(s: Statement): Awaitable<Row | undefined>;
  rows(s: Statement): Awaitable<Row[]>;
  /** Runs a write; returns how many rows it changed. */
  run(s: Statement): Awaitable<number>;
}
