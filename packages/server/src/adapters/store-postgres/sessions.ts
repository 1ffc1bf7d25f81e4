import type { SessionStore } from '../../ports/store.js';
import { sessionSql as sql } from '../sql/sessions.js';
import { orNull, toSession } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgSessions = (db: PgConnection): SessionStore => ({
  insertSession: async (s) => {
    await db.run(sql.insert(s));
  },
  getSession: async (id, forUpdate) => orNull(await db.one(sql.get(id, forUpdate)), toSession),
  updateSession: async (id, patch) => {
    const update = sql.update(id, patch);
    if (update) await db.run(update);
  },
  listSessionsCustomerSilentSince: async (beforeIso, limit, after) => (await db.rows(sql.customerSilentSince(beforeIso, limit, after))).map(toSession),
  listActiveSessions: async (limit) => (await db.rows(sql.active(limit))).map(toSession),
  listSessionsOfAccount: async (accountId, limit) => (await db.rows(sql.ofAccount(accountId, limit))).map(toSession),
});
