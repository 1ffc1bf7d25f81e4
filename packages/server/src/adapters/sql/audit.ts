import type { AuditEntry, AuditFilter, AuditStore, NewAuditEntry } from '../../ports/store/audit.js';
import type { Row } from '../store-rows.js';
import { statement } from './dialect.js';
import type { SqlRunner } from './runner.js';

export const auditSql = {
  insert: (e: NewAuditEntry) =>
    statement(
      'INSERT INTO audit_entries (id, at, actor_id, actor_name, actor_role, action, target_type, target_id, details, ip, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
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
    ),
};

/** The audit trail on either store: entries are only ever added and read. */
export const sqlAudit = (db: SqlRunner): AuditStore => ({
  insertAuditEntry: async (e) => {
    await db.run(auditSql.insert(e));
  },
  listAuditEntries: async (f) => {
    const { sql, values } = auditWhere(f);
    return (await db.rows(statement(`SELECT * FROM audit_entries ${sql} ORDER BY seq DESC LIMIT ?`, ...values, f.limit))).map(toAuditEntry);
  },
});

const toAuditEntry = (r: Row): AuditEntry => ({
  seq: Number(r.seq),
  id: r.id,
  at: r.at,
  actorId: r.actor_id,
  actorName: r.actor_name,
  actorRole: r.actor_role,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  details: JSON.parse(r.details),
  ip: r.ip,
  status: r.status === null || r.status === undefined ? null : Number(r.status),
});

function auditWhere(f: AuditFilter): { sql: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    values.push(value);
    where.push(clause);
  };
  if (f.actorId !== undefined) add('actor_id = ?', f.actorId);
  if (f.action !== undefined) {
    if (f.action.endsWith('.')) add(`substr(action, 1, ${f.action.length}) = ?`, f.action);
    else add('action = ?', f.action);
  }
  if (f.targetId !== undefined) add('target_id = ?', f.targetId);
  if (f.fromIso !== undefined) add('at >= ?', f.fromIso);
  if (f.toIso !== undefined) add('at < ?', f.toIso);
  if (f.beforeSeq !== undefined) add('seq < ?', f.beforeSeq);
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', values };
}
