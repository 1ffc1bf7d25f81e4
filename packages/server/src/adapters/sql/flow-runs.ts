import type { FlowRun } from '../../ports/store.js';
import { statement } from './dialect.js';

export const flowRunSql = {
  get: (sessionId: string) => statement('SELECT * FROM flow_runs WHERE session_id = ?', sessionId),
  put: (run: FlowRun) =>
    statement(
      `INSERT INTO flow_runs (session_id, interaction_id, step, waiting, vars, last_index_num, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_id) DO UPDATE SET interaction_id = excluded.interaction_id, step = excluded.step, waiting = excluded.waiting,
         vars = excluded.vars, last_index_num = excluded.last_index_num, updated_at = excluded.updated_at`,
      run.sessionId,
      run.interactionId,
      run.step,
      run.waiting,
      JSON.stringify(run.vars),
      run.lastIndexNum,
      run.updatedAt,
    ),
  delete: (sessionId: string) => statement('DELETE FROM flow_runs WHERE session_id = ?', sessionId),
};
