import type { FlowRunStore } from '../../ports/store.js';
import { flowRunSql as sql } from '../sql/flow-runs.js';
import { orNull, toFlowRun } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgFlowRuns = (db: PgConnection): FlowRunStore => ({
  getFlowRun: async (sessionId) => orNull(await db.one(sql.get(sessionId)), toFlowRun),
  putFlowRun: async (run) => {
    await db.run(sql.put(run));
  },
  deleteFlowRun: async (sessionId) => {
    await db.run(sql.delete(sessionId));
  },
});
