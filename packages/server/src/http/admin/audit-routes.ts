import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AdminService } from '../../core/admin-service.js';
import type { AuditEntry } from '../../core/types.js';
import { parseOr400 } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO-8601 time');
const filterFields = {
  actorId: z.string().max(128).optional(),
  action: z
    .string()
    .regex(/^[a-z_. /:-]{1,128}$/i)
    .optional(),
  targetId: z.string().max(256).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
};
const auditQuery = z.object({ ...filterFields, before: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) });
const exportQuery = z.object({ ...filterFields, format: z.enum(['json', 'csv']).default('json') });

const toFilter = (q: z.infer<typeof exportQuery> | z.infer<typeof auditQuery>) => ({
  ...(q.actorId ? { actorId: q.actorId } : {}),
  ...(q.action ? { action: q.action } : {}),
  ...(q.targetId ? { targetId: q.targetId } : {}),
  ...(q.from ? { fromIso: new Date(q.from).toISOString() } : {}),
  ...(q.to ? { toIso: new Date(q.to).toISOString() } : {}),
});

const CSV_COLUMNS = ['seq', 'id', 'at', 'actorId', 'actorName', 'actorRole', 'action', 'targetType', 'targetId', 'ip', 'status', 'details'] as const;
/** A CSV cell, quoted; a leading = + - @ (a formula to a spreadsheet) is defused with a quote mark. */
function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}
const csvLine = (e: AuditEntry) => CSV_COLUMNS.map((c) => csvCell(e[c])).join(',') + '\r\n';

/** The audit trail, read-only: a query with filters and paging, and an export (JSON or CSV). There is no route that changes an entry. */
export function registerAuditRoutes(app: FastifyInstance, deps: { admin: AdminService; openapi: OpenApiRegistry; prefix: string }): void {
  const { admin } = deps;
  const P = deps.prefix;
  const doc = deps.openapi.add.bind(deps.openapi);

  doc({
    method: 'get',
    path: `${P}/audit`,
    tag: 'admin',
    summary: 'Audit trail, newest first: filter by actor, action (or a prefix ending in "."), target, time; page with before=<next>',
    query: auditQuery,
    security: ['bearer'],
  });
  app.get('/audit', async (req) => {
    const q = parseOr400(auditQuery, req.query, 'query');
    return admin.audit.query({ ...toFilter(q), limit: q.limit, ...(q.before !== undefined ? { beforeSeq: q.before } : {}) });
  });

  doc({
    method: 'get',
    path: `${P}/audit/export`,
    tag: 'admin',
    summary: 'Export the audit trail (the same filters) as JSON or CSV, newest first, up to 100000 entries',
    query: exportQuery,
    security: ['bearer'],
  });
  app.get('/audit/export', async (req, reply) => {
    const q = parseOr400(exportQuery, req.query, 'query');
    const entries = admin.audit.export(toFilter(q));
    const csv = q.format === 'csv';
    async function* lines(): AsyncGenerator<string> {
      if (csv) yield CSV_COLUMNS.join(',') + '\r\n';
      else yield '[';
      let first = true;
      for await (const e of entries) {
        yield csv ? csvLine(e) : `${first ? '' : ','}\n${JSON.stringify(e)}`;
        first = false;
      }
      if (!csv) yield '\n]\n';
    }
    reply.header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="parley-audit.${q.format}"`);
    return reply.send(Readable.from(lines()));
  });
}
