import type Database from 'better-sqlite3';
import type { SearchFilter, SearchStore } from '../../ports/store/search.js';

type Prepare = { prepare(sql: string): Database.Statement };

/** The conversation search on SQLite: an FTS5 table of message words (`search_messages`) and the customers' words (`search_sessions`). */
export function searchOps(db: Prepare): SearchStore {
  return {
    indexMessageWords: async (e) => {
      db.prepare('INSERT INTO search_messages (words, session_id, index_num, visibility) VALUES (?, ?, ?, ?)').run(e.text, e.sessionId, e.indexNum, e.visibility);
    },
    indexSessionCustomer: async (sessionId, words) => {
      db.prepare('INSERT INTO search_sessions (session_id, customer) VALUES (?, ?) ON CONFLICT(session_id) DO UPDATE SET customer = excluded.customer').run(sessionId, words);
    },
    searchSessions: async (f) => {
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
