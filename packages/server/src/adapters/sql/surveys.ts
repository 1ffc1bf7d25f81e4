import type { Survey, SurveySummaryQuery } from '../../ports/store.js';
import { statement } from './dialect.js';

export const surveySql = {
  insert: (s: Survey) =>
    statement(
      'INSERT INTO surveys (session_id, deployment_id, queue, agent_account_id, rating, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO NOTHING',
      s.sessionId,
      s.deploymentId,
      s.queue,
      s.agentAccountId,
      s.rating,
      s.comment,
      s.createdAt,
    ),
  get: (sessionId: string) => statement('SELECT session_id, deployment_id, queue, agent_account_id, rating, comment, created_at FROM surveys WHERE session_id = ?', sessionId),
  summarize: (q: SurveySummaryQuery) => {
    const key = q.groupBy === 'queue' ? 'queue' : "COALESCE(agent_account_id, '')";
    const where = ['created_at >= ?', 'created_at < ?'];
    const values: unknown[] = [q.from, q.to];
    if (q.deploymentId !== undefined) {
      where.push('deployment_id = ?');
      values.push(q.deploymentId);
    }
    return statement(
      `SELECT ${key} AS group_key, COUNT(*) AS survey_count, SUM(rating) AS rating_sum FROM surveys WHERE ${where.join(' AND ')} GROUP BY ${key} ORDER BY ${key} COLLATE BINARY`,
      ...values,
    );
  },
};
