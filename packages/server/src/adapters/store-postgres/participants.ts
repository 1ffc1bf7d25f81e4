import type { ParticipantStore } from '../../ports/store.js';
import { participantSql as sql } from '../sql/participants.js';
import { orNull, toParticipant } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgParticipants = (db: PgConnection): ParticipantStore => ({
  insertParticipant: async (p) => {
    await db.run(sql.insert(p));
  },
  getParticipant: async (id, forUpdate) => orNull(await db.one(sql.get(id, forUpdate)), toParticipant),
  listParticipants: async (sessionId) => (await db.rows(sql.list(sessionId))).map(toParticipant),
  advanceCursor: async (id, cursorNum) => {
    await db.run(sql.advanceCursor(id, cursorNum));
  },
  updateParticipant: async (id, patch) => {
    const update = sql.update(id, patch);
    if (update) await db.run(update);
  },
});
