import type { InteractionStore } from '../../ports/store.js';
import { interactionSql as sql } from '../sql/interactions.js';
import { orNull, toInteraction } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteInteractions = (db: SqliteConnection): InteractionStore => ({
  insertInteraction: async (i) => void db.run(sql.insert(i)),
  getInteraction: async (id, forUpdate) => orNull(db.get(sql.get(id, forUpdate)), toInteraction),
  latestInteraction: async (sessionId) => orNull(db.get(sql.latest(sessionId)), toInteraction),
  listInteractions: async (filter) => db.all(sql.list(filter)).map(toInteraction),
  updateInteraction: async (id, expected, patch) => db.run(sql.update(id, expected, patch)) === 1,
  agentLoads: async () => Object.fromEntries(db.all(sql.agentLoads()).map((r) => [r.a, r.n])),
});
