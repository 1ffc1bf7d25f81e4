import { ChatError } from './errors.js';
import { defaultProfile } from './routing-service.js';
import { hashPassword } from './secrets.js';
import { revokeTokens, type StaffAuth } from './staff-auth.js';
import type { Account, AgentProfile, Role, Store, StoreTx } from '../ports/store.js';

/** What an admin may change on an account; a field left out stays as it is. */
export interface StaffAccountPatch {
  password?: string;
  displayName?: string;
  role?: Role;
  disabled?: boolean;
  capacity?: number;
  skills?: Record<string, number>;
  languages?: string[];
  queues?: string[];
}

/**
 * Changes an account. A password, role or disabled change revokes the account's tokens on every
 * node; the last enabled admin can be neither demoted nor disabled. Every change is announced.
 */
export async function updateStaffAccount(store: Store, auth: StaffAuth, id: string, patch: StaffAccountPatch, nowIso: string): Promise<Account> {
  const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
  const account = await store.tx(async (tx) => {
    const before = await tx.getAccount(id);
    if (!before) throw new ChatError('NOT_FOUND', 'no such account');
    const losesAdmin = before.role === 'admin' && !before.disabled && ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
    if (losesAdmin && (await enabledAdmins(tx)).filter((a) => a.id !== id).length === 0) {
      throw new ChatError('CONFLICT', 'this is the last admin: make another account admin first');
    }
    await tx.updateAccount(id, { displayName: patch.displayName, role: patch.role, passwordHash, disabled: patch.disabled });
    const revoked = passwordHash !== undefined || (patch.role !== undefined && patch.role !== before.role) || (patch.disabled !== undefined && patch.disabled !== before.disabled);
    if (revoked) await revokeTokens(tx, id);
    if (patch.capacity !== undefined || patch.skills !== undefined || patch.languages !== undefined || patch.queues !== undefined) {
      const p: AgentProfile = (await tx.getProfile(id)) ?? defaultProfile(id, nowIso);
      await tx.upsertProfile({
        ...p,
        capacity: patch.capacity ?? p.capacity,
        skills: patch.skills ?? p.skills,
        languages: patch.languages ?? p.languages,
        queues: patch.queues ?? p.queues,
        updatedAt: nowIso,
      });
    }
    return (await tx.getAccount(id))!;
  });
  // Any change (a new display name too) reaches every node's DirectoryCache; open sockets re-check (a revoked token closes them).
  await auth.announce(id);
  return account;
}

async function enabledAdmins(tx: StoreTx): Promise<Account[]> {
  return (await tx.listAccounts()).filter((a) => a.role === 'admin' && !a.disabled);
}
