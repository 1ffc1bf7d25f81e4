import type { ParticipantStore } from '../../ports/store.js';
import { participantSql as sql } from '../sql/participants.js';
import { orNull, toParticipant } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteParticipants = (db: SqliteConnection): ParticipantStore => ({
  insertParticipant: async (p) => void db.run(sql.insert(p)),
  getParticipant: async (id, forUpdate) => orNull(db.get(sql.get(id, forUpdate)), toParticipant),
  listParticipants: async (sessionId) => db.all(sql.list(sessionId)).map(toParticipant),
  advanceCursor: async (id, cursorNum) => void db.run(sql.advanceCursor(id, cursorNum)),
  updateParticipant: async (id, patch) => {
    const update = sql.update(id, patch);
    if (update) db.run(update);
  },
});
