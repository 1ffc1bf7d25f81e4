import type Database from 'better-sqlite3';
import { dialectTexts, type Statement } from '../sql/dialect.js';
import type { WorkCounts } from '../../ports/work-counts.js';
import type { Row } from '../store-rows.js';

const LOCKING = /\bFOR UPDATE\b/;

/** Runs shared-dialect statements (adapters/sql) on the SQLite database, synchronously. */
export interface SqliteConnection {
  get(s: Statement): Row | undefined;
  all(s: Statement): Row[];
  /** Runs a write; returns how many rows it changed. */
  run(s: Statement): number;
}

/** Each statement run is counted in `work` (`statements`; a write outside a transaction also as one of `transactions`). `locksHeld()` is false outside a transaction (Store.read). */
export function sqliteConnection(db: Database.Database, work: WorkCounts, locksHeld: () => boolean = () => true): SqliteConnection {
  const text = dialectTexts('sqlite');
  // Statements are compiled once per text (patches and filters make a handful of variants).
  const prepared = new Map<string, Database.Statement>();
  const prepare = (s: Statement) => {
    // SQLite drops FOR UPDATE (its transactions run one at a time); refused all the same, as PostgreSQL refuses it.
    if (!locksHeld() && LOCKING.test(s.text)) throw new Error('a row lock outside a transaction holds nothing: use tx');
    work.add('statements');
    let st = prepared.get(s.text);
    if (!st) prepared.set(s.text, (st = db.prepare(text(s.text))));
    return st;
  };
  return {
    get: (s) => prepare(s).get(...s.values) as Row | undefined,
    all: (s) => prepare(s).all(...s.values) as Row[],
    run: (s) => {
      // Outside BEGIN, SQLite commits a write on its own (autocommit): a transaction of its own.
      if (!locksHeld()) work.add('transactions');
      return prepare(s).run(...s.values).changes;
    },
  };
}
