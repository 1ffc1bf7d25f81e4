import type { Contact, ContactKey, ContactKeyKind, ContactNote, ContactsStore } from '../../ports/store/contacts.js';
import { toSession, type Row } from '../store-rows.js';
import { statement } from './dialect.js';
import type { SqlRunner } from './runner.js';

export const contactSql = {
  get: (id: string) => statement('SELECT * FROM contacts WHERE id = ?', id),
  findByKey: (key: ContactKey) => statement('SELECT c.* FROM contacts c JOIN contact_keys k ON k.contact_id = c.id WHERE k.kind = ? AND k.value = ?', key.kind, key.value),
  insert: (c: Contact) => statement('INSERT INTO contacts (id, display_name, created_at, updated_at) VALUES (?, ?, ?, ?)', c.id, c.displayName, c.createdAt, c.updatedAt),
  update: (id: string, patch: Pick<Contact, 'displayName' | 'updatedAt'>) => statement('UPDATE contacts SET display_name = ?, updated_at = ? WHERE id = ?', patch.displayName, patch.updatedAt, id),
  deleteIfEmpty: (id: string) =>
    statement(
      `DELETE FROM contacts WHERE id = ? AND NOT EXISTS (SELECT 1 FROM contact_keys WHERE contact_id = ?)
         AND NOT EXISTS (SELECT 1 FROM contact_sessions WHERE contact_id = ?) AND NOT EXISTS (SELECT 1 FROM contact_notes WHERE contact_id = ?)`,
      id,
      id,
      id,
      id,
    ),
  // A concurrent insert of the same key waits for the other transaction and then does nothing.
  addKey: (contactId: string, key: ContactKey) => statement('INSERT INTO contact_keys (kind, value, contact_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', key.kind, key.value, contactId),
  listKeys: (contactId: string) => statement('SELECT kind, value FROM contact_keys WHERE contact_id = ? ORDER BY kind COLLATE BINARY, value COLLATE BINARY', contactId),
  linkSession: (contactId: string, sessionId: string) => statement('INSERT INTO contact_sessions (session_id, contact_id) VALUES (?, ?) ON CONFLICT DO NOTHING', sessionId, contactId),
  ofSession: (sessionId: string) => statement('SELECT c.* FROM contacts c JOIN contact_sessions l ON l.contact_id = c.id WHERE l.session_id = ?', sessionId),
  sessions: (contactId: string, limit: number) =>
    statement(
      'SELECT s.* FROM sessions s JOIN contact_sessions l ON l.session_id = s.id WHERE l.contact_id = ? ORDER BY s.created_at COLLATE BINARY DESC, s.id COLLATE BINARY DESC LIMIT ?',
      contactId,
      limit,
    ),
  insertNote: (n: ContactNote) =>
    statement(
      'INSERT INTO contact_notes (id, contact_id, author_account_id, author_name, text, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      n.id,
      n.contactId,
      n.authorAccountId,
      n.authorName,
      n.text,
      n.createdAt,
    ),
  notes: (contactId: string, limit: number) => statement('SELECT * FROM contact_notes WHERE contact_id = ? ORDER BY created_at COLLATE BINARY DESC, id COLLATE BINARY DESC LIMIT ?', contactId, limit),
};

const toContact = (r: Row): Contact => ({ id: r.id, displayName: r.display_name, createdAt: r.created_at, updatedAt: r.updated_at });

const toContactKey = (r: Row): ContactKey => ({ kind: r.kind as ContactKeyKind, value: r.value });

const toContactNote = (r: Row): ContactNote => ({
  id: r.id,
  contactId: r.contact_id,
  authorAccountId: r.author_account_id,
  authorName: r.author_name,
  text: r.text,
  createdAt: r.created_at,
});

/** Contacts (their keys, sessions and notes) on either store. */
export const sqlContacts = (db: SqlRunner): ContactsStore => ({
  getContact: async (id) => {
    const r = await db.one(contactSql.get(id));
    return r ? toContact(r) : null;
  },
  findContactByKey: async (key) => {
    const r = await db.one(contactSql.findByKey(key));
    return r ? toContact(r) : null;
  },
  insertContact: async (c) => {
    await db.run(contactSql.insert(c));
  },
  updateContact: async (id, patch) => {
    await db.run(contactSql.update(id, patch));
  },
  deleteEmptyContact: async (id) => {
    await db.run(contactSql.deleteIfEmpty(id));
  },
  addContactKey: async (contactId, key) => (await db.run(contactSql.addKey(contactId, key))) === 1,
  listContactKeys: async (contactId) => (await db.rows(contactSql.listKeys(contactId))).map(toContactKey),
  linkContactSession: async (contactId, sessionId) => {
    await db.run(contactSql.linkSession(contactId, sessionId));
  },
  getContactOfSession: async (sessionId) => {
    const r = await db.one(contactSql.ofSession(sessionId));
    return r ? toContact(r) : null;
  },
  listContactSessions: async (contactId, limit) => (await db.rows(contactSql.sessions(contactId, limit))).map(toSession),
  insertContactNote: async (n) => {
    await db.run(contactSql.insertNote(n));
  },
  listContactNotes: async (contactId, limit) => (await db.rows(contactSql.notes(contactId, limit))).map(toContactNote),
});
