import type { FlowRunStore } from '../../ports/store.js';
import { flowRunSql as sql } from '../sql/flow-runs.js';
import { orNull, toFlowRun } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteFlowRuns = (db: SqliteConnection): FlowRunStore => ({
  getFlowRun: async (sessionId) => orNull(db.get(sql.get(sessionId)), toFlowRun),
  putFlowRun: async (run) => void db.run(sql.put(run)),
  deleteFlowRun: async (sessionId) => void db.run(sql.delete(sessionId)),
});
