import type { InteractionStore } from '../../ports/store.js';
import { interactionSql as sql } from '../sql/interactions.js';
import { orNull, toInteraction } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgInteractions = (db: PgConnection): InteractionStore => ({
  insertInteraction: async (i) => {
    await db.one(sql.lockSession(i.sessionId));
    await db.run(sql.insert(i));
  },
  getInteraction: async (id, forUpdate) => orNull(await db.one(sql.get(id, forUpdate)), toInteraction),
  latestInteraction: async (sessionId) => orNull(await db.one(sql.latest(sessionId)), toInteraction),
  listInteractions: async (filter) => (await db.rows(sql.list(filter))).map(toInteraction),
  updateInteraction: async (id, expected, patch) => (await db.run(sql.update(id, expected, patch))) === 1,
  agentLoads: async () => Object.fromEntries((await db.rows(sql.agentLoads())).map((r) => [r.a, r.n])),
});
