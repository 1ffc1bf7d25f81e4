import type { SessionStore } from '../../ports/store.js';
import { sessionSql as sql } from '../sql/sessions.js';
import { orNull, toSession } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteSessions = (db: SqliteConnection): SessionStore => ({
  insertSession: async (s) => void db.run(sql.insert(s)),
  getSession: async (id, forUpdate) => orNull(db.get(sql.get(id, forUpdate)), toSession),
  updateSession: async (id, patch) => {
    const update = sql.update(id, patch);
    if (update) db.run(update);
  },
  listSessionsCustomerSilentSince: async (beforeIso, limit, after) => db.all(sql.customerSilentSince(beforeIso, limit, after)).map(toSession),
  listActiveSessions: async (limit) => db.all(sql.active(limit)).map(toSession),
  listSessionsOfAccount: async (accountId, limit) => db.all(sql.ofAccount(accountId, limit)).map(toSession),
});
