import type { AgentProfileStore } from '../../ports/store.js';
import { agentProfileSql as sql } from '../sql/agent-profiles.js';
import { orNull, toProfile } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteAgentProfiles = (db: SqliteConnection): AgentProfileStore => ({
  getProfile: async (accountId) => orNull(db.get(sql.get(accountId)), toProfile),
  listProfiles: async (forUpdate) => db.all(sql.list(forUpdate)).map(toProfile),
  upsertProfile: async (p) => void db.run(sql.upsert(p)),
});
