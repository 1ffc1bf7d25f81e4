import type Database from 'better-sqlite3';
import type { StaffIdentity, StaffIdentityStore } from '../../ports/store/staff-identities.js';

type Row = { issuer: string; subject: string; account_id: string; created_at: string };
const toIdentity = (r: Row): StaffIdentity => ({ issuer: r.issuer, subject: r.subject, accountId: r.account_id, createdAt: r.created_at });

/** StaffIdentityStore on SQLite (table staff_identities, migration 21). */
export function staffIdentityOps(prepare: (sql: string) => Database.Statement): StaffIdentityStore {
  return {
    getStaffIdentity: async (issuer, subject) => {
      const r = prepare('SELECT * FROM staff_identities WHERE issuer = ? AND subject = ?').get(issuer, subject) as Row | undefined;
      return r ? toIdentity(r) : null;
    },
    insertStaffIdentity: async (i) => {
      prepare('INSERT INTO staff_identities (issuer, subject, account_id, created_at) VALUES (?, ?, ?, ?)').run(i.issuer, i.subject, i.accountId, i.createdAt);
    },
    listStaffIdentities: async (accountId) => (prepare('SELECT * FROM staff_identities WHERE account_id = ? ORDER BY created_at, rowid').all(accountId) as Row[]).map(toIdentity),
  };
}
