import type { Role } from '../store.js';

/** One staff or admin action that changed something: who, what, when, from where. Written once, never changed. */
export interface AuditEntry {
  /** Insertion order (assigned by the store). */
  seq: number;
  id: string;
  at: string;
  /** Null for the system (a scheduled job) and for a login with an unknown username. */
  actorId: string | null;
  /** The username as it was at the time (or as typed, for a failed login). */
  actorName: string;
  actorRole: Role | 'system' | null;
  /** Dotted name, e.g. `interaction.accept`, `admin.api_key.create`. */
  action: string;
  targetType: string | null;
  targetId: string | null;
  /** What the action was given (secrets and message text left out), as JSON. */
  details: Record<string, unknown>;
  /** The client address as the app sees it (proxy headers only from TRUST_PROXY). */
  ip: string | null;
  /** The HTTP status the action was answered with (null for the system's own actions). */
  status: number | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'seq'>;

export interface AuditFilter {
  actorId?: string;
  /** An action, or a prefix ending in `.` (`admin.` for every admin change). */
  action?: string;
  targetId?: string;
  fromIso?: string;
  toIso?: string;
  beforeSeq?: number;
  limit: number;
}

/** The audit trail: append and read. There is deliberately no update or delete. */
export interface AuditStore {
  insertAuditEntry(e: NewAuditEntry): Promise<void>;
  /** Newest first. */
  listAuditEntries(filter: AuditFilter): Promise<AuditEntry[]>;
}
