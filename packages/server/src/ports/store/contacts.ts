import type { Session } from '../store.js';

/**
 * A customer across conversations: sessions are linked to a contact by a key found in the session's
 * user data at its start (core/contacts.ts): the site's customer id, else the e-mail address.
 */
export type ContactKeyKind = 'customerId' | 'email';

export interface ContactKey {
  kind: ContactKeyKind;
  /** Normalized (e-mail in lower case). */
  value: string;
}

export interface Contact {
  id: string;
  displayName: string;
  createdAt: string;
  updatedAt: string;
}

/** A note staff keep on a contact; it outlives the conversation it was written in. */
export interface ContactNote {
  id: string;
  contactId: string;
  authorAccountId: string;
  authorName: string;
  text: string;
  createdAt: string;
}

export interface ContactsStore {
  getContact(id: string): Promise<Contact | null>;
  /** The contact that owns a key. */
  findContactByKey(key: ContactKey): Promise<Contact | null>;
  insertContact(c: Contact): Promise<void>;
  updateContact(id: string, patch: Pick<Contact, 'displayName' | 'updatedAt'>): Promise<void>;
  /** Deletes a contact that has no keys, sessions or notes (a contact made in a race another writer won). */
  deleteEmptyContact(id: string): Promise<void>;
  /** Gives a key to a contact; false (and nothing changes) when another contact owns it already. */
  addContactKey(contactId: string, key: ContactKey): Promise<boolean>;
  /** A contact's keys, by kind then value. */
  listContactKeys(contactId: string): Promise<ContactKey[]>;
  /** Links a session to a contact (a session has at most one contact; linking again changes nothing). */
  linkContactSession(contactId: string, sessionId: string): Promise<void>;
  getContactOfSession(sessionId: string): Promise<Contact | null>;
  /** The contact's sessions, newest first (creation time, then id). */
  listContactSessions(contactId: string, limit: number): Promise<Session[]>;
  insertContactNote(n: ContactNote): Promise<void>;
  /** Newest first. */
  listContactNotes(contactId: string, limit: number): Promise<ContactNote[]>;
}
