import type { Participant, ParticipantStore } from '../../ports/store.js';
import { setClause } from '../store-rows.js';
import { lockedIf, statement, updateById } from './dialect.js';

export const participantSql = {
  insert: (p: Participant) =>
    statement(
      'INSERT INTO participants (id, session_id, type, nickname, account_id, state, joined_at, left_at, cursor_num) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      p.id,
      p.sessionId,
      p.type,
      p.nickname,
      p.accountId,
      p.state,
      p.joinedAt,
      p.leftAt,
      p.cursorNum,
    ),
  get: (id: string, forUpdate?: boolean) => statement(lockedIf('SELECT * FROM participants WHERE id = ?', forUpdate), id),
  list: (sessionId: string) => statement('SELECT * FROM participants WHERE session_id = ? ORDER BY joined_at, rowid', sessionId),
  advanceCursor: (id: string, cursorNum: number) => statement('UPDATE participants SET cursor_num = ? WHERE id = ? AND cursor_num < ?', cursorNum, id, cursorNum),
  update: (id: string, patch: Parameters<ParticipantStore['updateParticipant']>[1]) => updateById('participants', setClause(patch), id),
};
