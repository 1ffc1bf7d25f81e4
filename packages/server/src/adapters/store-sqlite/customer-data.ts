import type Database from 'better-sqlite3';
import type { Message } from '@parley/protocol';
import { parseIndex } from '../../core/message-index.js';
import type { CustomerDataStore } from '../../ports/store/customer-data.js';
import { sessionDeletes, sessionOnlyDeletes, userDataPattern } from '../customer-data-sql.js';
import { toFile, toInteraction, toParticipant, toSession, type Row } from '../store-rows.js';

type Db = { prepare(sql: string): Database.Statement };

export function customerDataOps(db: Db): CustomerDataStore {
  const fileIds = (sessionId: string) => (db.prepare('SELECT id FROM files WHERE session_id = ? ORDER BY id').all(sessionId) as Row[]).map((r) => r.id as string);
  const run = (sqls: string[], sessionId: string) => {
    for (const sql of sqls) db.prepare(sql).run(...Array.from(sql.matchAll(/\?/g), () => sessionId));
  };
  return {
    listSessionsEndedBefore: async (deploymentId, before, limit) =>
      (
        db
          .prepare("SELECT * FROM sessions WHERE deployment_id = ? AND state = 'Ended' AND ended_at < ? AND anonymized_at IS NULL ORDER BY ended_at, id LIMIT ?")
          .all(deploymentId, before, limit) as Row[]
      ).map(toSession),
    findSessionsByUserDataValue: async (value, limit) =>
      (db.prepare("SELECT * FROM sessions WHERE user_data LIKE ? ESCAPE '\\' ORDER BY created_at DESC, id LIMIT ?").all(userDataPattern(value), limit) as Row[]).map(toSession),
    sessionRecords: async (sessionId) => {
      const s = db.prepare('SELECT * FROM sessions WHERE id = ?').get(sessionId) as Row | undefined;
      if (!s) return null;
      const run = db.prepare('SELECT * FROM flow_runs WHERE session_id = ?').get(sessionId) as Row | undefined;
      return {
        session: toSession(s),
        participants: (db.prepare('SELECT * FROM participants WHERE session_id = ? ORDER BY joined_at, rowid').all(sessionId) as Row[]).map(toParticipant),
        messages: (db.prepare('SELECT body FROM messages WHERE session_id = ? ORDER BY index_num').all(sessionId) as Row[]).map((r) => JSON.parse(r.body) as Message),
        interactions: (db.prepare('SELECT * FROM interactions WHERE session_id = ? ORDER BY seq').all(sessionId) as Row[]).map(toInteraction),
        files: (db.prepare('SELECT * FROM files WHERE session_id = ? ORDER BY created_at, id').all(sessionId) as Row[]).map(toFile),
        flowRun: run
          ? {
              sessionId: run.session_id,
              interactionId: run.interaction_id,
              step: run.step,
              waiting: run.waiting,
              vars: JSON.parse(run.vars),
              lastIndexNum: run.last_index_num,
              updatedAt: run.updated_at,
            }
          : null,
      };
    },
    deleteSessionData: async (sessionId) => {
      const ids = fileIds(sessionId);
      run([...sessionDeletes(() => '?'), ...sessionOnlyDeletes(() => '?')], sessionId);
      return { fileIds: ids };
    },
    anonymizeSessionData: async (sessionId, a) => {
      const ids = fileIds(sessionId);
      run(
        sessionDeletes(() => '?'),
        sessionId,
      );
      const update = db.prepare('UPDATE messages SET body = ?, audience = NULL WHERE session_id = ? AND index_num = ?');
      for (const m of a.messages) update.run(JSON.stringify(m), sessionId, parseIndex(m.index));
      db.prepare("UPDATE participants SET nickname = ? WHERE session_id = ? AND type = 'Customer'").run(a.customerNickname, sessionId);
      db.prepare("UPDATE sessions SET user_data = '{}', anonymized_at = ? WHERE id = ?").run(a.atIso, sessionId);
      return { fileIds: ids };
    },
    takeLease: async (name, owner, now, until) =>
      db
        .prepare(
          `INSERT INTO leases (name, owner, until) VALUES (?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, until = excluded.until WHERE leases.until <= ? OR leases.owner = excluded.owner
           RETURNING name`,
        )
        .get(name, owner, until, now) !== undefined,
  };
}
