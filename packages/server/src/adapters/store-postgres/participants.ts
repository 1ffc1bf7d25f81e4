import type { ParticipantStore } from '../../ports/store.js';
import { participantSql as sql } from '../sql/participants.js';
import { orNull, toParticipant } from '../store-rows.js';
import type { PgConnection } from './connection.js';

/** Where a session's participants read with its lock are kept, as a list and each by id (sessions.ts keepLockedSession). */
export const keptParticipants = (sessionId: string) => `participants:${sessionId}`;
export const keptParticipant = (id: string) => `participant:${id}`;

export const pgParticipants = (db: PgConnection): ParticipantStore => ({
  insertParticipant: async (p) => {
    await db.run(sql.insert(p));
  },
  getParticipant: async (id, forUpdate) => {
    const kept = forUpdate ? undefined : db.kept(keptParticipant(id))?.[0];
    return orNull(kept ?? (await db.one(sql.get(id, forUpdate))), toParticipant);
  },
  listParticipants: async (sessionId) => (db.kept(keptParticipants(sessionId)) ?? (await db.rows(sql.list(sessionId)))).map(toParticipant),
  advanceCursor: async (id, cursorNum) => {
    await db.run(sql.advanceCursor(id, cursorNum));
  },
  updateParticipant: async (id, patch) => {
    const update = sql.update(id, patch);
    if (update) await db.run(update);
  },
});
