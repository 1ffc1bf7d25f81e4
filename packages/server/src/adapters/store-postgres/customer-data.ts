import type { Message } from '@parley/protocol';
import { parseIndex } from '../../core/message-index.js';
import type { CustomerDataStore } from '../../ports/store/customer-data.js';
import { sessionDeletes, sessionOnlyDeletes, userDataPattern } from '../customer-data-sql.js';
import { toFile, toInteraction, toParticipant, toSession } from '../store-rows.js';
import type { PgQueries } from './queries.js';

export function customerDataOps({ rows, one, exec }: PgQueries): CustomerDataStore {
  const fileIds = async (sessionId: string) => (await rows('SELECT id FROM files WHERE session_id = $1 ORDER BY id', [sessionId])).map((r) => r.id as string);
  const run = async (sqls: string[], sessionId: string) => {
    for (const sql of sqls) await exec(sql, sql.includes('$1') ? [sessionId] : []);
  };
  return {
    listSessionsEndedBefore: async (deploymentId, before, limit) =>
      (await rows("SELECT * FROM sessions WHERE deployment_id = $1 AND state = 'Ended' AND ended_at < $2 AND anonymized_at IS NULL ORDER BY ended_at, id LIMIT $3", [deploymentId, before, limit])).map(
        toSession,
      ),
    findSessionsByUserDataValue: async (value, limit) =>
      (await rows('SELECT * FROM sessions WHERE user_data ILIKE $1 ORDER BY created_at DESC, id LIMIT $2', [userDataPattern(value), limit])).map(toSession),
    sessionRecords: async (sessionId) => {
      // Locked: an erasure reads and then deletes, and nothing may be added in between.
      const s = await one('SELECT * FROM sessions WHERE id = $1 FOR UPDATE', [sessionId]);
      if (!s) return null;
      const run = await one('SELECT * FROM flow_runs WHERE session_id = $1', [sessionId]);
      return {
        session: toSession(s),
        participants: (await rows('SELECT * FROM participants WHERE session_id = $1 ORDER BY joined_at, row_seq', [sessionId])).map(toParticipant),
        messages: (await rows('SELECT body FROM messages WHERE session_id = $1 ORDER BY index_num', [sessionId])).map((r) => JSON.parse(r.body) as Message),
        interactions: (await rows('SELECT * FROM interactions WHERE session_id = $1 ORDER BY seq', [sessionId])).map(toInteraction),
        files: (await rows('SELECT * FROM files WHERE session_id = $1 ORDER BY created_at, id', [sessionId])).map(toFile),
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
      await exec('SELECT id FROM sessions WHERE id = $1 FOR UPDATE', [sessionId]);
      const ids = await fileIds(sessionId);
      await run([...sessionDeletes((n) => `$${n}`), ...sessionOnlyDeletes((n) => `$${n}`)], sessionId);
      return { fileIds: ids };
    },
    anonymizeSessionData: async (sessionId, a) => {
      const ids = await fileIds(sessionId);
      await run(
        sessionDeletes((n) => `$${n}`),
        sessionId,
      );
      for (const m of a.messages) await exec('UPDATE messages SET body = $1, audience = NULL WHERE session_id = $2 AND index_num = $3', [JSON.stringify(m), sessionId, parseIndex(m.index)]);
      await exec("UPDATE participants SET nickname = $1 WHERE session_id = $2 AND type = 'Customer'", [a.customerNickname, sessionId]);
      await exec("UPDATE sessions SET user_data = '{}', anonymized_at = $1 WHERE id = $2", [a.atIso, sessionId]);
      return { fileIds: ids };
    },
    takeLease: async (name, owner, now, until) =>
      (await one(
        `INSERT INTO leases (name, owner, until) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, until = EXCLUDED.until WHERE leases.until <= $4 OR leases.owner = EXCLUDED.owner
         RETURNING name`,
        [name, owner, until, now],
      )) !== undefined,
  };
}
