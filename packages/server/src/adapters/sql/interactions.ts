import type { InteractionState } from '@parley/protocol';
import type { Interaction, InteractionFilter, InteractionPatch } from '../../ports/store.js';
import { setClause } from '../store-rows.js';
import { isIn, lockedIf, statement } from './dialect.js';

export const interactionSql = {
  /** Locks the session: `seq` is MAX + 1 within it, so two writers must not insert at once. */
  lockSession: (sessionId: string) => statement('SELECT 1 FROM sessions WHERE id = ? FOR UPDATE', sessionId),
  insert: (i: Interaction) =>
    statement(
      `INSERT INTO interactions (id, session_id, deployment_id, state, queue, priority, agent_account_id, wrap_up_code, created_at, updated_at, completed_at,
         skills, language, queued_at, handled_at, offer_expires_at, declined_by, preferred_agent_id, preferred_until, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM interactions WHERE session_id = ?))`,
      i.id,
      i.sessionId,
      i.deploymentId,
      i.state,
      i.queue,
      i.priority,
      i.agentAccountId,
      i.wrapUpCode,
      i.createdAt,
      i.updatedAt,
      i.completedAt,
      JSON.stringify(i.skills),
      i.language,
      i.queuedAt,
      i.handledAt,
      i.offerExpiresAt,
      JSON.stringify(i.declinedBy),
      i.preferredAgentId,
      i.preferredUntil,
      i.sessionId,
    ),
  get: (id: string, forUpdate?: boolean) => statement(lockedIf('SELECT * FROM interactions WHERE id = ?', forUpdate), id),
  latest: (sessionId: string) => statement('SELECT * FROM interactions WHERE session_id = ? ORDER BY seq DESC LIMIT 1', sessionId),
  list: (filter: InteractionFilter) => {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.states?.length) {
      const states = isIn('state', filter.states);
      where.push(states.sql);
      values.push(...states.values);
    }
    for (const [key, column] of [
      ['agentAccountId', 'agent_account_id'],
      ['sessionId', 'session_id'],
      ['queue', 'queue'],
      ['deploymentId', 'deployment_id'],
    ] as const) {
      if (filter[key]) {
        where.push(`${column} = ?`);
        values.push(filter[key]);
      }
    }
    if (filter.recentlyHandled) {
      where.push('handled_at IS NOT NULL');
      values.push(Math.min(1000, Math.max(1, Math.floor(filter.recentlyHandled))));
    }
    const order = filter.recentlyHandled ? 'handled_at DESC LIMIT ?' : 'created_at, seq, rowid LIMIT 1000';
    return statement(`SELECT * FROM interactions ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order}`, ...values);
  },
  /**
   * Compare-and-set on the state. At READ COMMITTED a writer that waited for the row re-checks `state`
   * against the committed version, so of several racing writers exactly one matches.
   */
  update: (id: string, expected: InteractionState, patch: InteractionPatch) => {
    const set = setClause(patch);
    return statement(`UPDATE interactions SET ${set.sql || 'state = state'} WHERE id = ? AND state = ?`, ...set.values, id, expected);
  },
  agentLoads: () =>
    statement(
      `SELECT agent_account_id AS a, COUNT(*) AS n FROM interactions
       WHERE state IN ('Offered', 'Handling', 'Finalizing') AND agent_account_id IS NOT NULL GROUP BY agent_account_id`,
    ),
};
