import type { StaffIdentity, StaffIdentityStore } from '../../ports/store/staff-identities.js';

type Query = (text: string, values?: unknown[]) => Promise<Record<string, unknown>[]>;
const toIdentity = (r: Record<string, unknown>): StaffIdentity => ({ issuer: String(r.issuer), subject: String(r.subject), accountId: String(r.account_id), createdAt: String(r.created_at) });

/** StaffIdentityStore on PostgreSQL (table staff_identities, migration 21), on the transaction's connection. */
export function staffIdentityOps(rows: Query): StaffIdentityStore {
  return {
    getStaffIdentity: async (issuer, subject) => {
      const [r] = await rows('SELECT * FROM staff_identities WHERE issuer = $1 AND subject = $2', [issuer, subject]);
      return r ? toIdentity(r) : null;
    },
    insertStaffIdentity: async (i) => {
      await rows('INSERT INTO staff_identities (issuer, subject, account_id, created_at) VALUES ($1, $2, $3, $4)', [i.issuer, i.subject, i.accountId, i.createdAt]);
    },
    listStaffIdentities: async (accountId) => (await rows('SELECT * FROM staff_identities WHERE account_id = $1 ORDER BY created_at, row_seq', [accountId])).map(toIdentity),
  };
}
