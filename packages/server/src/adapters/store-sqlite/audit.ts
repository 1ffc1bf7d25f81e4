import type Database from 'better-sqlite3';
import type { AuditStore } from '../../ports/store/audit.js';
import { auditWhere, toAuditEntry } from '../audit-rows.js';
import type { Row } from '../store-rows.js';

type Db = { prepare(sql: string): Database.Statement };

export function auditOps(db: Db): AuditStore {
  return {
    insertAuditEntry: async (e) => {
      db.prepare('INSERT INTO audit_entries (id, at, actor_id, actor_name, actor_role, action, target_type, target_id, details, ip, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
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
      );
    },
    listAuditEntries: async (f) => {
      const { sql, values } = auditWhere(f, () => '?');
      return (db.prepare(`SELECT * FROM audit_entries ${sql} ORDER BY seq DESC LIMIT ?`).all(...values, f.limit) as Row[]).map(toAuditEntry);
    },
  };
}
