import type { SessionStore } from '../../ports/store.js';
import { sessionSql as sql } from '../sql/sessions.js';
import { participantSql } from '../sql/participants.js';
import { keptParticipant, keptParticipants } from './participants.js';
import { orNull, toSession, type Row } from '../store-rows.js';
import type { Statement } from '../sql/dialect.js';
import type { PgConnection } from './connection.js';

const keptSession = (id: string) => `session:${id}`;

/**
 * A session's lock and what a write that takes it reads next (who writes, who is connected): the
 * participants come in the lock's round trip, read once it is held.
 */
export const lockedSessionReads = (id: string): Statement[] => [sql.get(id, true), participantSql.list(id)];

/** Keeps what `lockedSessionReads` read, for the transaction's reads until it writes (PgConnection.keep). */
export function keepLockedSession(db: PgConnection, id: string, [session, participants]: Row[][]): void {
  if (!session?.[0]) return;
  db.keep(keptSession(id), session);
  db.keep(keptParticipants(id), participants!);
  for (const p of participants!) db.keep(keptParticipant(p.id), [p]);
}

export const pgSessions = (db: PgConnection): SessionStore => ({
  insertSession: async (s) => {
    await db.run(sql.insert(s));
  },
  getSession: async (id, forUpdate) => {
    if (!forUpdate) return orNull(await db.one(sql.get(id)), toSession);
    const kept = db.kept(keptSession(id));
    if (kept) return orNull(kept[0], toSession);
    const locked = await db.batch(lockedSessionReads(id));
    keepLockedSession(db, id, locked);
    return orNull(locked[0]![0], toSession);
  },
  updateSession: async (id, patch) => {
    const update = sql.update(id, patch);
    if (update) await db.run(update);
  },
  listSessionsCustomerSilentSince: async (beforeIso, limit, after) => (await db.rows(sql.customerSilentSince(beforeIso, limit, after))).map(toSession),
  listActiveSessions: async (limit) => (await db.rows(sql.active(limit))).map(toSession),
  listSessionsOfAccount: async (accountId, limit) => (await db.rows(sql.ofAccount(accountId, limit))).map(toSession),
});
