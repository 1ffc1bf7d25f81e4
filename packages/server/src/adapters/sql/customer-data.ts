import type { Message } from '@parley/protocol';
import { parseIndex } from '../../core/message-index.js';
import type { CustomerDataStore } from '../../ports/store/customer-data.js';
import { toFile, toInteraction, toParticipant, toSession } from '../store-rows.js';
import { statement, type Statement } from './dialect.js';
import type { SqlRunner } from './runner.js';

/** A session's rows that go with its customer's data, in the order they must go (children first). */
const SESSION_DATA_DELETES = [
  'DELETE FROM webhook_deliveries WHERE ordering_key = ?',
  // Idempotency records name the session in their scope (send:<id>, …) or hold it in their result (start:<deployment>).
  "DELETE FROM operations WHERE scope LIKE '%' || ? || '%' OR result LIKE '%' || ? || '%'",
  'DELETE FROM flow_runs WHERE session_id = ?',
  'DELETE FROM files WHERE session_id = ?',
  // The search index and the contact (with its keys and notes) once no other session is theirs.
  'DELETE FROM surveys WHERE session_id = ?',
  'DELETE FROM search_messages WHERE session_id = ?',
  'DELETE FROM search_sessions WHERE session_id = ?',
  'DELETE FROM contact_notes WHERE contact_id IN (SELECT contact_id FROM contact_sessions WHERE session_id = ?) AND contact_id NOT IN (SELECT contact_id FROM contact_sessions WHERE session_id <> ?)',
  'DELETE FROM contact_keys WHERE contact_id IN (SELECT contact_id FROM contact_sessions WHERE session_id = ?) AND contact_id NOT IN (SELECT contact_id FROM contact_sessions WHERE session_id <> ?)',
  'DELETE FROM contact_sessions WHERE session_id = ?',
  'DELETE FROM contacts WHERE id NOT IN (SELECT contact_id FROM contact_sessions)',
];
/** What goes too when the session itself goes (an anonymized session keeps them). */
const SESSION_DELETES = [
  'DELETE FROM interaction_state_changes WHERE session_id = ?',
  'DELETE FROM messages WHERE session_id = ?',
  'DELETE FROM participants WHERE session_id = ?',
  'DELETE FROM interactions WHERE session_id = ?',
  'DELETE FROM sessions WHERE id = ?',
];

/** `text` with the session id in each of its places. */
const forSession = (text: string, sessionId: string): Statement => statement(text, ...Array.from(text.matchAll(/\?/g), () => sessionId));

/** LIKE pattern for a value inside the JSON text of user data (its JSON-escaped form, wildcards escaped). */
export function userDataPattern(value: string): string {
  const escaped = JSON.stringify(value).slice(1, -1);
  return `%${escaped.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export const customerDataSql = {
  fileIds: (sessionId: string) => statement('SELECT id FROM files WHERE session_id = ? ORDER BY id COLLATE BINARY', sessionId),
  endedBefore: (deploymentId: string, before: string, limit: number) =>
    statement("SELECT * FROM sessions WHERE deployment_id = ? AND state = 'Ended' AND ended_at < ? AND anonymized_at IS NULL ORDER BY ended_at, id LIMIT ?", deploymentId, before, limit),
  // lower() on both sides: case-blind in both dialects, as far as each one's lower() goes.
  byUserDataValue: (value: string, limit: number) =>
    statement("SELECT * FROM sessions WHERE lower(user_data) LIKE lower(?) ESCAPE '\\' ORDER BY created_at DESC, id LIMIT ?", userDataPattern(value), limit),
  // Locked: an erasure reads and then deletes, and nothing may be added in between.
  lockedSession: (sessionId: string) => statement('SELECT * FROM sessions WHERE id = ? FOR KEY UPDATE', sessionId),
  flowRun: (sessionId: string) => statement('SELECT * FROM flow_runs WHERE session_id = ?', sessionId),
  participants: (sessionId: string) => statement('SELECT * FROM participants WHERE session_id = ? ORDER BY joined_at, rowid', sessionId),
  messageBodies: (sessionId: string) => statement('SELECT body FROM messages WHERE session_id = ? ORDER BY index_num', sessionId),
  interactions: (sessionId: string) => statement('SELECT * FROM interactions WHERE session_id = ? ORDER BY seq', sessionId),
  files: (sessionId: string) => statement('SELECT * FROM files WHERE session_id = ? ORDER BY created_at, id', sessionId),
  anonymizeMessage: (sessionId: string, m: Message) =>
    statement('UPDATE messages SET body = ?, audience = NULL WHERE session_id = ? AND index_num = ?', JSON.stringify(m), sessionId, parseIndex(m.index)),
  renameCustomer: (sessionId: string, nickname: string) => statement("UPDATE participants SET nickname = ? WHERE session_id = ? AND type = 'Customer'", nickname, sessionId),
  clearUserData: (sessionId: string, atIso: string) => statement("UPDATE sessions SET user_data = '{}', anonymized_at = ? WHERE id = ?", atIso, sessionId),
  takeLease: (name: string, owner: string, now: string, until: string) =>
    statement(
      `INSERT INTO leases (name, owner, until) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until WHERE leases.until <= ? OR leases.owner = excluded.owner
       RETURNING name`,
      name,
      owner,
      until,
      now,
    ),
};

/** Export, erasure and retention of a customer's data, on either store. */
export function sqlCustomerData(db: SqlRunner): CustomerDataStore {
  const sql = customerDataSql;
  const fileIds = async (sessionId: string) => (await db.rows(sql.fileIds(sessionId))).map((r) => r.id as string);
  const runAll = async (texts: string[], sessionId: string) => {
    for (const text of texts) await db.run(forSession(text, sessionId));
  };
  return {
    listSessionsEndedBefore: async (deploymentId, before, limit) => (await db.rows(sql.endedBefore(deploymentId, before, limit))).map(toSession),
    findSessionsByUserDataValue: async (value, limit) => (await db.rows(sql.byUserDataValue(value, limit))).map(toSession),
    sessionRecords: async (sessionId) => {
      const s = await db.one(sql.lockedSession(sessionId));
      if (!s) return null;
      const run = await db.one(sql.flowRun(sessionId));
      return {
        session: toSession(s),
        participants: (await db.rows(sql.participants(sessionId))).map(toParticipant),
        messages: (await db.rows(sql.messageBodies(sessionId))).map((r) => JSON.parse(r.body) as Message),
        interactions: (await db.rows(sql.interactions(sessionId))).map(toInteraction),
        files: (await db.rows(sql.files(sessionId))).map(toFile),
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
      // The session row first: an append waits for it, so no message slips in between the deletes.
      await db.one(sql.lockedSession(sessionId));
      const ids = await fileIds(sessionId);
      await runAll([...SESSION_DATA_DELETES, ...SESSION_DELETES], sessionId);
      return { fileIds: ids };
    },
    anonymizeSessionData: async (sessionId, a) => {
      await db.one(sql.lockedSession(sessionId));
      const ids = await fileIds(sessionId);
      await runAll(SESSION_DATA_DELETES, sessionId);
      for (const m of a.messages) await db.run(sql.anonymizeMessage(sessionId, m));
      await db.run(sql.renameCustomer(sessionId, a.customerNickname));
      await db.run(sql.clearUserData(sessionId, a.atIso));
      return { fileIds: ids };
    },
    takeLease: async (name, owner, now, until) => (await db.one(sql.takeLease(name, owner, now, until))) !== undefined,
  };
}
