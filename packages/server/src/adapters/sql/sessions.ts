import type { Session, SessionStore, SilentAfter } from '../../ports/store.js';
import { setClause } from '../store-rows.js';
import { limited, lockedIf, statement, updateById } from './dialect.js';

export const sessionSql = {
  insert: (s: Session) =>
    statement(
      `INSERT INTO sessions (id, deployment_id, async, state, customer_participant_id, transport_id, user_data, created_at, ended_at, last_index_num,
         last_customer_at, last_activity_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.id,
      s.deploymentId,
      s.async ? 1 : 0,
      s.state,
      s.customerParticipantId,
      s.transportId,
      JSON.stringify(s.userData),
      s.createdAt,
      s.endedAt,
      s.lastIndexNum,
      s.lastCustomerAt,
      s.lastActivityAt,
    ),
  get: (id: string, forUpdate?: boolean) => statement(lockedIf('SELECT * FROM sessions WHERE id = ?', forUpdate), id),
  update: (id: string, patch: Parameters<SessionStore['updateSession']>[1]) => updateById('sessions', setClause(patch), id),
  customerSilentSince: (beforeIso: string, limit: number, after?: SilentAfter) => {
    const page = after ? ' AND (last_customer_at > ? OR (last_customer_at = ? AND id > ?))' : '';
    const pageValues = after ? [after.lastCustomerAt, after.lastCustomerAt, after.id] : [];
    return limited(`SELECT * FROM sessions WHERE state = 'Active' AND last_customer_at < ?${page} ORDER BY last_customer_at, id`, [beforeIso, ...pageValues], limit);
  },
  active: (limit: number) => limited("SELECT * FROM sessions WHERE state = 'Active' ORDER BY created_at DESC", [], limit),
  ofAccount: (accountId: string, limit: number) =>
    limited(
      `SELECT * FROM sessions WHERE id IN (SELECT session_id FROM participants WHERE account_id = ? UNION SELECT session_id FROM interactions WHERE agent_account_id = ?)
       ORDER BY created_at DESC`,
      [accountId, accountId],
      limit,
    ),
};
