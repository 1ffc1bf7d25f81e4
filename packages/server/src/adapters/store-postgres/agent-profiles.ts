import type { AgentProfileStore } from '../../ports/store.js';
import { agentProfileSql as sql } from '../sql/agent-profiles.js';
import { orNull, toProfile } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgAgentProfiles = (db: PgConnection): AgentProfileStore => ({
  getProfile: async (accountId) => orNull(await db.one(sql.get(accountId)), toProfile),
  listProfiles: async (forUpdate) => (await db.rows(sql.list(forUpdate))).map(toProfile),
  upsertProfile: async (p) => {
    await db.run(sql.upsert(p));
  },
});
