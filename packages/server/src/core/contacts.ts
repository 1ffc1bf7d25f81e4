import type { ContactKey } from '../ports/store/contacts.js';
import type { Session, StoreTx } from '../ports/store.js';
import { newId } from './ids.js';

const CUSTOMER_ID_KEYS = ['customerId', 'CustomerId', 'customerID'] as const;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/**
 * The keys that tell a customer apart, from the session's user data, strongest first: the site's
 * customer id, then the e-mail address (lower case). Both are what the customer's page claims.
 */
export function contactKeys(userData: Record<string, string>): ContactKey[] {
  const keys: ContactKey[] = [];
  const id = CUSTOMER_ID_KEYS.map((k) => userData[k]?.trim()).find(Boolean);
  if (id && id.length <= 256) keys.push({ kind: 'customerId', value: id });
  const email = userData.EmailAddress?.trim().toLowerCase();
  if (email && EMAIL.test(email)) keys.push({ kind: 'email', value: email });
  return keys;
}

/** The customer's name from user data (first and last name), else the nickname. */
export function customerFullName(nickname: string, userData: Record<string, string>): string {
  return [userData.FirstName, userData.LastName].filter(Boolean).join(' ').trim() || nickname;
}

/**
 * Links a starting session to its contact, in the start's transaction: the contact that owns the
 * strongest key, or a new one. The contact takes the keys it does not have yet (unless another
 * contact owns them) and the newest name. A session without a key has no contact.
 */
export async function linkContact(tx: StoreTx, session: Session, nickname: string, nowIso: string): Promise<void> {
  const keys = contactKeys(session.userData);
  if (!keys.length) return;
  const name = customerFullName(nickname, session.userData).slice(0, 256);
  let contact = null;
  for (const key of keys) if (!contact) contact = await tx.findContactByKey(key);
  if (!contact) {
    const created = { id: newId(), displayName: name, createdAt: nowIso, updatedAt: nowIso };
    await tx.insertContact(created);
    if (await tx.addContactKey(created.id, keys[0]!)) contact = created;
    else {
      // Another session of the same customer made the contact first (PostgreSQL, concurrently).
      await tx.deleteEmptyContact(created.id);
      contact = await tx.findContactByKey(keys[0]!);
      if (!contact) return;
    }
  } else if (name && name !== contact.displayName) {
    await tx.updateContact(contact.id, { displayName: name, updatedAt: nowIso });
  }
  for (const key of keys) await tx.addContactKey(contact.id, key);
  await tx.linkContactSession(contact.id, session.id);
}
