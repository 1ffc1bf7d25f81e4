import { statement } from './dialect.js';

export const operationSql = {
  get: (scope: string, operationId: string) => statement('SELECT result FROM operations WHERE scope = ? AND operation_id = ?', scope, operationId),
  put: (scope: string, operationId: string, result: unknown, nowIso: string) =>
    statement('INSERT INTO operations (scope, operation_id, result, created_at) VALUES (?, ?, ?, ?)', scope, operationId, JSON.stringify(result ?? null), nowIso),
};
