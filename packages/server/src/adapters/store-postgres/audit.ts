import type { AuditStore } from '../../ports/store/audit.js';
import { auditWhere, toAuditEntry } from '../audit-rows.js';
import type { PgQueries } from './queries.js';

export function auditOps({ rows, exec }: PgQueries): AuditStore {
  return {
    insertAuditEntry: async (e) => {
      await exec('INSERT INTO audit_entries (id, at, actor_id, actor_name, actor_role, action, target_type, target_id, details, ip, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)', [
        e.id,
        e.at,
        e.actorId,
        e.actorName,
        e.actorRole,
        e.action,
        e.targetType,
        e.targetId,
        JSON.stringify(e.details),
        e.ip,
        e.status,
      ]);
    },
    listAuditEntries: async (f) => {
      const { sql, values } = auditWhere(f, (n) => `$${n}`);
      return (await rows(`SELECT * FROM audit_entries ${sql} ORDER BY seq DESC LIMIT $${values.length + 1}`, [...values, f.limit])).map(toAuditEntry);
    },
  };
}
