import type { OperationStore } from '../../ports/store.js';
import { operationSql as sql } from '../sql/operations.js';
import type { SqliteConnection } from './connection.js';

export const sqliteOperations = (db: SqliteConnection): OperationStore => ({
  getOperation: async (scope, operationId) => {
    const r = db.get(sql.get(scope, operationId));
    return r ? JSON.parse(r.result) : null;
  },
  putOperation: async (scope, operationId, result, nowIso) => void db.run(sql.put(scope, operationId, result, nowIso)),
  pruneOperations: async (beforeIso, limit) => db.run(sql.prune(beforeIso, limit)),
});
