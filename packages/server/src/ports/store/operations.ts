/**
 * Idempotency records: the stored result of a write, keyed by scope and the client's operationId.
 * Contract: a second `putOperation` of the same key fails (PostgreSQL's adapter then runs the whole
 * transaction again once, so a callback that looks the operation up first finds the winner's result).
 */
export interface OperationStore {
  /**
   * `lockSession`: the session the transaction locks next (`getSession(id, true)`); the store may
   * take that lock with the lookup, in the same round trip, and it holds whatever the lookup finds.
   */
  getOperation(scope: string, operationId: string, lockSession?: string): Promise<unknown | null>;
  putOperation(scope: string, operationId: string, result: unknown, nowIso: string): Promise<void>;
  /**
   * Deletes up to `limit` records made before `beforeIso` (a retried write older than that is applied
   * again); the server's own records (scope `settings`: the demo guard, the token secret) are kept.
   * Answers how many it deleted.
   */
  pruneOperations(beforeIso: string, limit: number): Promise<number>;
}
