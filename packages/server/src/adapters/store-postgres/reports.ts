import type { ReportsStore } from '../../ports/store/reports.js';
import { toInteraction, type Row } from '../store-rows.js';

type Query = (text: string, values?: unknown[]) => Promise<Row[]>;

/** The day report's reads and the state-change record on PostgreSQL. */
export function reportOps(rows: Query): ReportsStore {
  return {
    recordStateChange: async (c) => {
      await rows('INSERT INTO interaction_state_changes (session_id, index_num, interaction_id, state, at) VALUES ($1, $2, $3, $4, $5)', [c.sessionId, c.indexNum, c.interactionId, c.state, c.at]);
    },
    listInteractionsCreatedBetween: async (fromIso, toIso, limit) =>
      (await rows('SELECT * FROM interactions WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at COLLATE "C", id COLLATE "C" LIMIT $3', [fromIso, toIso, limit])).map(toInteraction),
    listStateChangesOfInteractionsCreatedBetween: async (fromIso, toIso) =>
      (
        await rows(
          `SELECT c.* FROM interaction_state_changes c JOIN interactions i ON i.id = c.interaction_id
           WHERE i.created_at >= $1 AND i.created_at < $2 ORDER BY c.interaction_id COLLATE "C", c.index_num`,
          [fromIso, toIso],
        )
      ).map((r) => ({ sessionId: r.session_id, indexNum: r.index_num, interactionId: r.interaction_id, state: r.state, at: r.at })),
  };
}
