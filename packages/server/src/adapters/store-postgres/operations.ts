import type { OperationStore } from '../../ports/store.js';
import { operationSql as sql } from '../sql/operations.js';
import type { PgConnection } from './connection.js';
import { keepLockedSession, lockedSessionReads } from './sessions.js';
import type { Row } from '../store-rows.js';

const parsed = (r: Row | undefined): unknown => (r ? JSON.parse(r.result) : null);

export const pgOperations = (db: PgConnection): OperationStore => ({
  getOperation: async (scope, operationId, lockSession) => {
    if (lockSession === undefined) return parsed(await db.one(sql.get(scope, operationId)));
    const [operation, ...locked] = await db.batch([sql.get(scope, operationId), ...lockedSessionReads(lockSession)]);
    keepLockedSession(db, lockSession, locked);
    return parsed(operation![0]);
  },
  // With COMMIT (a duplicate fails the commit, and the transaction runs again).
  putOperation: (scope, operationId, result, nowIso) => db.later(sql.put(scope, operationId, result, nowIso)),
  pruneOperations: (beforeIso, limit) => db.run(sql.prune(beforeIso, limit)),
});
