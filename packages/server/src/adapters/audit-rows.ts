import type { AuditEntry, AuditFilter } from '../ports/store/audit.js';
import type { Row } from './store-rows.js';

export const toAuditEntry = (r: Row): AuditEntry => ({
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

/** The WHERE clause of an audit query (same in both dialects but for the placeholders). */
export function auditWhere(f: AuditFilter, placeholder: (n: number) => string): { sql: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    values.push(value);
    where.push(clause(placeholder(values.length)));
  };
  if (f.actorId !== undefined) add((p) => `actor_id = ${p}`, f.actorId);
  if (f.action !== undefined) {
    if (f.action.endsWith('.')) add((p) => `substr(action, 1, ${f.action!.length}) = ${p}`, f.action);
    else add((p) => `action = ${p}`, f.action);
  }
  if (f.targetId !== undefined) add((p) => `target_id = ${p}`, f.targetId);
  if (f.fromIso !== undefined) add((p) => `at >= ${p}`, f.fromIso);
  if (f.toIso !== undefined) add((p) => `at < ${p}`, f.toIso);
  if (f.beforeSeq !== undefined) add((p) => `seq < ${p}`, f.beforeSeq);
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', values };
}
