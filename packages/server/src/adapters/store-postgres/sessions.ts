import type { SessionStore } from '../../ports/store.js';
import { sessionSql as sql } from '../sql/sessions.js';
import { participantSql } from '../sql/participants.js';
import { keptParticipants } from './participants.js';
import { orNull, toSession } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgSessions = (db: PgConnection): SessionStore => ({
  insertSession: async (s) => {
    await db.run(sql.insert(s));
  },
  getSession: async (id, forUpdate) => {
    if (!forUpdate) return orNull(await db.one(sql.get(id)), toSession);
    // A write that locks a session reads its participants next (who writes, who is connected):
    // they come in the lock's round trip, read once it is held, and are kept until the write.
    const [session, participants] = await db.batch([sql.get(id, true), participantSql.list(id)]);
    if (session![0]) db.keep(keptParticipants(id), participants!);
    return orNull(session![0], toSession);
  },
  updateSession: async (id, patch) => {
    const update = sql.update(id, patch);
    if (update) await db.run(update);
  },
  listSessionsCustomerSilentSince: async (beforeIso, limit, after) => (await db.rows(sql.customerSilentSince(beforeIso, limit, after))).map(toSession),
  listActiveSessions: async (limit) => (await db.rows(sql.active(limit))).map(toSession),
  listSessionsOfAccount: async (accountId, limit) => (await db.rows(sql.ofAccount(accountId, limit))).map(toSession),
});
