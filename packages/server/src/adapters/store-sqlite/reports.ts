import type Database from 'better-sqlite3';
import type { ReportsStore } from '../../ports/store/reports.js';
import { toInteraction, type Row } from '../store-rows.js';

type Prepare = { prepare(sql: string): Database.Statement };

/** The day report's reads and the state-change record on SQLite. */
export function reportOps(db: Prepare): ReportsStore {
  return {
    recordStateChange: async (c) => {
      db.prepare('INSERT INTO interaction_state_changes (session_id, index_num, interaction_id, state, at) VALUES (?, ?, ?, ?, ?)').run(c.sessionId, c.indexNum, c.interactionId, c.state, c.at);
    },
    listInteractionsCreatedBetween: async (fromIso, toIso, limit) =>
      (db.prepare('SELECT * FROM interactions WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id LIMIT ?').all(fromIso, toIso, limit) as Row[]).map(toInteraction),
    listStateChangesOfInteractionsCreatedBetween: async (fromIso, toIso) =>
      (
        db
          .prepare(
            `SELECT c.* FROM interaction_state_changes c JOIN interactions i ON i.id = c.interaction_id
             WHERE i.created_at >= ? AND i.created_at < ? ORDER BY c.interaction_id, c.index_num`,
          )
          .all(fromIso, toIso) as Row[]
      ).map((r) => ({ sessionId: r.session_id, indexNum: r.index_num, interactionId: r.interaction_id, state: r.state, at: r.at })),
  };
}
