import type Database from 'better-sqlite3';
import type { SearchEntry, SearchFilter, SearchStore } from '../../ports/store/search.js';

type Prepare = { prepare(sql: string): Database.Statement };

/**
 * Appended messages' words wait in `search_pending` (one row, written with the append) and move into
 * the FTS5 table this many at a time: FTS5 writes a new segment and its structure record on every
 * commit that touches it (about six pages), so one move per batch instead of one per message halves
 * the pages an append writes.
 */
export const SEARCH_BATCH = 200;

/** The operations that must see every pending word first (they read or delete the index). */
export interface SearchIndexing {
  /** Moves every pending word into the FTS5 table (in the caller's transaction). */
  indexPending(): void;
  /** Adds a message's words (pending until their batch moves; the append's insertMessage calls it). */
  indexMessageWords(entry: SearchEntry): void;
}

/**
 * The conversation search on SQLite: an FTS5 table of message words (`search_messages`, fed from
 * `search_pending` in batches; a search first takes in what is pending, so it always finds every
 * committed message) and the customers' words (`search_sessions`).
 */
export function searchOps(db: Prepare, batch = SEARCH_BATCH): SearchStore & SearchIndexing {
  // Unknown at start (rows a stopped node left): the first append or search moves them.
  let queued = batch;
  const indexPending = () => {
    db.prepare('INSERT INTO search_messages (words, session_id, index_num, visibility) SELECT words, session_id, index_num, visibility FROM search_pending ORDER BY id').run();
    db.prepare('DELETE FROM search_pending').run();
    queued = 0;
  };
  return {
    indexPending,
    indexMessageWords: (e) => {
      db.prepare('INSERT INTO search_pending (words, session_id, index_num, visibility) VALUES (?, ?, ?, ?)').run(e.text, e.sessionId, e.indexNum, e.visibility);
      if (++queued >= batch) indexPending();
    },
    indexSessionCustomer: async (sessionId, words) => {
      db.prepare('INSERT INTO search_sessions (session_id, customer) VALUES (?, ?) ON CONFLICT(session_id) DO UPDATE SET customer = excluded.customer').run(sessionId, words);
    },
    searchSessions: async (f) => {
      if (f.words.length) indexPending();
      const { where, values } = whereOf(f);
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM sessions s WHERE ${where}`).get(...values) as { n: number }).n;
      const ids = db.prepare(`SELECT s.id FROM sessions s WHERE ${where} ORDER BY s.created_at DESC, s.id DESC LIMIT ? OFFSET ?`).all(...values, f.limit, f.offset) as { id: string }[];
      return { sessionIds: ids.map((r) => r.id), total };
    },
  };
}

/** Conditions of the filters that are set (the statement cache keeps each combination compiled). */
function whereOf(f: SearchFilter): { where: string; values: unknown[] } {
  const parts: string[] = ['1 = 1'];
  const values: unknown[] = [];
  if (f.words.length) {
    // Words hold letters and digits only (core normalizes them): quoted, each is a prefix query; FTS5 ANDs them.
    parts.push(`s.id IN (SELECT session_id FROM search_messages WHERE search_messages MATCH ? AND visibility IN (SELECT value FROM json_each(?)))`);
    values.push(f.words.map((w) => `"${w}"*`).join(' '), JSON.stringify(f.visibilities));
  }
  if (f.involvingAccountId !== undefined) {
    parts.push('s.id IN (SELECT session_id FROM participants WHERE account_id = ? UNION SELECT session_id FROM interactions WHERE agent_account_id = ?)');
    values.push(f.involvingAccountId, f.involvingAccountId);
  }
  if (f.createdFrom !== undefined) {
    parts.push('s.created_at >= ?');
    values.push(f.createdFrom);
  }
  if (f.createdBefore !== undefined) {
    parts.push('s.created_at < ?');
    values.push(f.createdBefore);
  }
  for (const [column, value] of [
    ['queue', f.queue],
    ['agent_account_id', f.agentAccountId],
    ['wrap_up_code', f.wrapUpCode],
  ] as const) {
    if (value === undefined) continue;
    parts.push(`EXISTS (SELECT 1 FROM interactions i WHERE i.session_id = s.id AND i.${column} = ?)`);
    values.push(value);
  }
  if (f.customer !== undefined) {
    // The words hold no LIKE wildcard (letters, digits and single spaces).
    parts.push(`EXISTS (SELECT 1 FROM search_sessions c WHERE c.session_id = s.id AND (' ' || c.customer) LIKE '% ' || ? || '%')`);
    values.push(f.customer);
  }
  return { where: parts.join(' AND '), values };
}
