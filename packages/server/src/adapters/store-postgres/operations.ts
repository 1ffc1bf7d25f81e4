import type { OperationStore } from '../../ports/store.js';
import { operationSql as sql } from '../sql/operations.js';
import type { PgConnection } from './connection.js';

export const pgOperations = (db: PgConnection): OperationStore => ({
  getOperation: async (scope, operationId) => {
    const r = await db.one(sql.get(scope, operationId));
    return r ? JSON.parse(r.result) : null;
  },
  // With COMMIT (a duplicate fails the commit, and the transaction runs again).
  putOperation: (scope, operationId, result, nowIso) => db.later(sql.put(scope, operationId, result, nowIso)),
  pruneOperations: (beforeIso, limit) => db.run(sql.prune(beforeIso, limit)),
});
