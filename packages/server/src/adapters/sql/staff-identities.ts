import type { StaffIdentity, StaffIdentityStore } from '../../ports/store/staff-identities.js';
import type { Row } from '../store-rows.js';
import { statement } from './dialect.js';
import type { SqlRunner } from './runner.js';

const toIdentity = (r: Row): StaffIdentity => ({ issuer: r.issuer, subject: r.subject, accountId: r.account_id, createdAt: r.created_at });

/** Staff identities at single sign-on providers (table staff_identities, migration 21), on either store. */
export const sqlStaffIdentities = (db: SqlRunner): StaffIdentityStore => ({
  getStaffIdentity: async (issuer, subject) => {
    const r = await db.one(statement('SELECT * FROM staff_identities WHERE issuer = ? AND subject = ?', issuer, subject));
    return r ? toIdentity(r) : null;
  },
  insertStaffIdentity: async (i) => {
    await db.run(statement('INSERT INTO staff_identities (issuer, subject, account_id, created_at) VALUES (?, ?, ?, ?)', i.issuer, i.subject, i.accountId, i.createdAt));
  },
  listStaffIdentities: async (accountId) => (await db.rows(statement('SELECT * FROM staff_identities WHERE account_id = ? ORDER BY created_at, rowid', accountId))).map(toIdentity),
});
