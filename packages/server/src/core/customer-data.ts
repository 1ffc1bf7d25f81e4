import { buffer } from 'node:stream/consumers';
import type { Message } from '@parley/protocol';
import type { Clock } from '../ports/clock.js';
import type { FileStore } from '../ports/file-store.js';
import type { Deployment, Session, Store } from '../ports/store.js';
import type { SessionRecords } from '../ports/store/customer-data.js';
import { ChatError } from './errors.js';

/** How an admin names a customer: a session, an e-mail address, or a customer id held in user data. */
export type CustomerKey = { sessionId: string } | { email: string } | { customerId: string; key: string };

/** Everything about a customer, for a GDPR access request: each session whole, with its files' bytes. */
export interface CustomerExport {
  sessions: (SessionRecords & { files: (SessionRecords['files'][number] & { base64: string | null })[] })[];
  /** More sessions matched than one export holds (MAX_EXPORT_SESSIONS): export by session id for the rest. */
  truncated: boolean;
}

export const MAX_EXPORT_SESSIONS = 200;
const FIND_BATCH = 500;
const ANONYMOUS = 'Customer';
const REMOVED = '[removed]';

/** What an anonymized message keeps: its type, time, sender's role and the state changes; nothing the customer or an agent wrote. */
export function anonymizeMessage(m: Message): Message {
  const { text, url, content: _content, data, audienceAccountId: _audience, ...rest } = m;
  return {
    ...rest,
    from: m.from.type === 'Customer' ? { ...m.from, nickname: ANONYMOUS } : m.from,
    ...(text !== undefined ? { text: REMOVED } : {}),
    ...(url !== undefined ? { url: REMOVED } : {}),
    ...(m.event === 'InteractionStateChange' && data ? { data } : {}),
  };
}

/**
 * Retention and erasure of customer data (GDPR access and erasure). An erased session is gone from
 * every table (log, participants, interactions, files, flow run, idempotency records, webhook
 * outbox) and its files from the file store; the audit trail holds ids only, never the customer's data.
 */
export class CustomerData {
  constructor(
    private readonly store: Store,
    private readonly files: FileStore,
    private readonly clock: Clock,
  ) {}

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** The sessions a key names, newest first (at most `limit`). */
  async sessionsOf(key: CustomerKey, limit: number): Promise<Session[]> {
    if ('sessionId' in key) {
      const s = await this.store.tx((tx) => tx.getSession(key.sessionId));
      return s ? [s] : [];
    }
    const value = 'email' in key ? key.email : key.customerId;
    if (!value.trim()) throw new ChatError('INVALID_REQUEST', 'an empty value names no one');
    const matches = (s: Session) => ('email' in key ? Object.values(s.userData).some((v) => v.trim().toLowerCase() === key.email.trim().toLowerCase()) : s.userData[key.key] === key.customerId);
    const candidates = await this.store.tx((tx) => tx.findSessionsByUserDataValue(value, Math.max(limit, FIND_BATCH)));
    return candidates.filter(matches).slice(0, limit);
  }

  async export(key: CustomerKey): Promise<CustomerExport> {
    const sessions = await this.sessionsOf(key, MAX_EXPORT_SESSIONS + 1);
    const out: CustomerExport['sessions'] = [];
    for (const s of sessions.slice(0, MAX_EXPORT_SESSIONS)) {
      const records = await this.store.tx((tx) => tx.sessionRecords(s.id));
      if (!records) continue;
      const files = [];
      for (const f of records.files) {
        const stream = await this.files.get(f.id);
        files.push({ ...f, base64: stream ? (await buffer(stream)).toString('base64') : null });
      }
      out.push({ ...records, files });
    }
    return { sessions: out, truncated: sessions.length > MAX_EXPORT_SESSIONS };
  }

  /** Erases every session the key names; answers how many sessions and files went. */
  async erase(key: CustomerKey): Promise<{ sessions: number; files: number }> {
    const done = new Set<string>();
    let files = 0;
    for (;;) {
      const batch = (await this.sessionsOf(key, FIND_BATCH)).filter((s) => !done.has(s.id));
      if (!batch.length) break;
      for (const s of batch) {
        files += await this.eraseSession(s.id);
        done.add(s.id);
      }
      if ('sessionId' in key) break;
    }
    return { sessions: done.size, files };
  }

  /** Files first: should the rows' deletion fail, the erasure is run again and finds them still listed. */
  async eraseSession(sessionId: string): Promise<number> {
    const before = await this.store.tx(async (tx) => (await tx.sessionRecords(sessionId))?.files.map((f) => f.id) ?? []);
    for (const id of before) await this.files.delete(id);
    const { fileIds } = await this.store.tx((tx) => tx.deleteSessionData(sessionId));
    for (const id of fileIds.filter((id) => !before.includes(id))) await this.files.delete(id);
    return new Set([...before, ...fileIds]).size;
  }

  async anonymizeSession(sessionId: string): Promise<number> {
    const before = await this.store.tx(async (tx) => (await tx.sessionRecords(sessionId))?.files.map((f) => f.id) ?? []);
    for (const id of before) await this.files.delete(id);
    const { fileIds } = await this.store.tx(async (tx) => {
      const records = await tx.sessionRecords(sessionId);
      if (!records) return { fileIds: [] };
      return tx.anonymizeSessionData(sessionId, { messages: records.messages.map(anonymizeMessage), customerNickname: ANONYMOUS, atIso: this.nowIso() });
    });
    for (const id of fileIds.filter((id) => !before.includes(id))) await this.files.delete(id);
    return new Set([...before, ...fileIds]).size;
  }

  /**
   * Applies a deployment's retention policy to sessions that ended before the cutoff, up to
   * `maxSessions` (the rest go on the next run). Answers how many sessions it handled.
   */
  async applyRetention(deployment: Deployment, maxSessions: number): Promise<number> {
    const policy = deployment.settings.retention;
    if (!policy) return 0;
    const cutoff = new Date(this.clock.now() - policy.days * 86_400_000).toISOString();
    let handled = 0;
    while (handled < maxSessions) {
      const batch = await this.store.tx((tx) => tx.listSessionsEndedBefore(deployment.id, cutoff, Math.min(100, maxSessions - handled)));
      if (!batch.length) break;
      for (const s of batch) {
        if (policy.mode === 'delete') await this.eraseSession(s.id);
        else await this.anonymizeSession(s.id);
        handled++;
      }
    }
    return handled;
  }
}
