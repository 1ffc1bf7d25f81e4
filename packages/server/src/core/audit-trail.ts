import type { Clock } from '../ports/clock.js';
import type { Account, Store } from '../ports/store.js';
import type { AuditEntry, AuditFilter } from '../ports/store/audit.js';
import { newId } from './ids.js';

/** Who did it: a staff account, someone who typed a username at the login, or the system itself. */
export type AuditActor = { account: Account } | { username: string } | 'system';

export interface AuditRecord {
  actor: AuditActor;
  action: string;
  target?: { type: string; id: string } | null;
  details?: Record<string, unknown>;
  ip?: string | null;
  status?: number | null;
}

/** Keys whose values never go into the trail, whatever the action. */
const SECRET_KEY = /password|secret|token|apikey|api_key|authorization|text/i;
const MAX_DETAILS_CHARS = 4_000;
const EXPORT_PAGE = 1_000;
export const MAX_EXPORT_ENTRIES = 100_000;

/** Copies what an action was given, without secrets or message text, bounded in size. */
export function auditDetails(input: unknown): Record<string, unknown> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return {};
  const scrub = (v: unknown, depth: number): unknown => {
    if (Array.isArray(v)) return depth > 4 ? '[…]' : v.slice(0, 50).map((x) => scrub(x, depth + 1));
    if (v && typeof v === 'object') {
      if (depth > 4) return '{…}';
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEY.test(k) ? '[redacted]' : scrub(x, depth + 1)]));
    }
    return typeof v === 'string' && v.length > 500 ? `${v.slice(0, 500)}…` : v;
  };
  const out = scrub(input, 0) as Record<string, unknown>;
  const json = JSON.stringify(out);
  return json.length > MAX_DETAILS_CHARS ? { truncated: json.slice(0, MAX_DETAILS_CHARS) } : out;
}

/**
 * The audit trail of staff and admin actions. Entries are appended and read; nothing here (or in
 * the store port) changes or removes one.
 */
export class AuditTrail {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async record(r: AuditRecord): Promise<void> {
    const actor =
      r.actor === 'system'
        ? { actorId: null, actorName: 'system', actorRole: 'system' as const }
        : 'account' in r.actor
          ? { actorId: r.actor.account.id, actorName: r.actor.account.username, actorRole: r.actor.account.role }
          : { actorId: null, actorName: r.actor.username.slice(0, 128), actorRole: null };
    await this.store.tx((tx) =>
      tx.insertAuditEntry({
        id: newId(),
        at: new Date(this.clock.now()).toISOString(),
        ...actor,
        action: r.action,
        targetType: r.target?.type ?? null,
        targetId: r.target?.id ?? null,
        details: auditDetails(r.details),
        ip: r.ip ?? null,
        status: r.status ?? null,
      }),
    );
  }

  /** A page of entries, newest first; `next` is the `before` of the following page. */
  async query(filter: AuditFilter): Promise<{ entries: AuditEntry[]; next: number | null }> {
    const entries = await this.store.tx((tx) => tx.listAuditEntries(filter));
    return { entries, next: entries.length === filter.limit ? entries[entries.length - 1]!.seq : null };
  }

  /** Every entry the filter matches (up to MAX_EXPORT_ENTRIES), newest first, a page at a time. */
  async *export(filter: Omit<AuditFilter, 'limit' | 'beforeSeq'>): AsyncGenerator<AuditEntry> {
    let before: number | undefined;
    let sent = 0;
    while (sent < MAX_EXPORT_ENTRIES) {
      const page = await this.store.tx((tx) => tx.listAuditEntries({ ...filter, limit: EXPORT_PAGE, ...(before !== undefined ? { beforeSeq: before } : {}) }));
      for (const e of page) {
        if (sent++ >= MAX_EXPORT_ENTRIES) return;
        yield e;
      }
      if (page.length < EXPORT_PAGE) return;
      before = page[page.length - 1]!.seq;
    }
  }
}
