import { statement } from './dialect.js';

export const operationSql = {
  get: (scope: string, operationId: string) => statement('SELECT result FROM operations WHERE scope = ? AND operation_id = ?', scope, operationId),
  prune: (beforeIso: string, limit: number) =>
    statement(
      "DELETE FROM operations WHERE (scope, operation_id) IN (SELECT scope, operation_id FROM operations WHERE created_at < ? AND scope <> 'settings' ORDER BY created_at LIMIT ?)",
      beforeIso,
      limit,
    ),
  put: (scope: string, operationId: string, result: unknown, nowIso: string) =>
    statement('INSERT INTO operations (scope, operation_id, result, created_at) VALUES (?, ?, ?, ?)', scope, operationId, JSON.stringify(result ?? null), nowIso),
};
