import type Database from 'better-sqlite3';
import type { ContactKeyKind, ContactsStore } from '../../ports/store/contacts.js';
import { toSession, type Row } from '../store-rows.js';

type Prepare = { prepare(sql: string): Database.Statement };

const toContact = (r: Row) => ({ id: r.id as string, displayName: r.display_name as string, createdAt: r.created_at as string, updatedAt: r.updated_at as string });

/** Contacts on SQLite: contacts, their keys, their sessions and notes. */
export function contactOps(db: Prepare): ContactsStore {
  const get = (sql: string, ...p: unknown[]) => db.prepare(sql).get(...p) as Row | undefined;
  const all = (sql: string, ...p: unknown[]) => db.prepare(sql).all(...p) as Row[];
  const run = (sql: string, ...p: unknown[]) => db.prepare(sql).run(...p);
  return {
    getContact: async (id) => {
      const r = get('SELECT * FROM contacts WHERE id = ?', id);
      return r ? toContact(r) : null;
    },
    findContactByKey: async (key) => {
      const r = get('SELECT c.* FROM contacts c JOIN contact_keys k ON k.contact_id = c.id WHERE k.kind = ? AND k.value = ?', key.kind, key.value);
      return r ? toContact(r) : null;
    },
    insertContact: async (c) => {
      run('INSERT INTO contacts (id, display_name, created_at, updated_at) VALUES (?, ?, ?, ?)', c.id, c.displayName, c.createdAt, c.updatedAt);
    },
    updateContact: async (id, patch) => {
      run('UPDATE contacts SET display_name = ?, updated_at = ? WHERE id = ?', patch.displayName, patch.updatedAt, id);
    },
    deleteEmptyContact: async (id) => {
      run(
        `DELETE FROM contacts WHERE id = ? AND NOT EXISTS (SELECT 1 FROM contact_keys WHERE contact_id = ?)
           AND NOT EXISTS (SELECT 1 FROM contact_sessions WHERE contact_id = ?) AND NOT EXISTS (SELECT 1 FROM contact_notes WHERE contact_id = ?)`,
        id,
        id,
        id,
        id,
      );
    },
    addContactKey: async (contactId, key) => run('INSERT INTO contact_keys (kind, value, contact_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', key.kind, key.value, contactId).changes === 1,
    listContactKeys: async (contactId) =>
      all('SELECT kind, value FROM contact_keys WHERE contact_id = ? ORDER BY kind, value', contactId).map((r) => ({ kind: r.kind as ContactKeyKind, value: r.value as string })),
    linkContactSession: async (contactId, sessionId) => {
      run('INSERT INTO contact_sessions (session_id, contact_id) VALUES (?, ?) ON CONFLICT DO NOTHING', sessionId, contactId);
    },
    getContactOfSession: async (sessionId) => {
      const r = get('SELECT c.* FROM contacts c JOIN contact_sessions l ON l.contact_id = c.id WHERE l.session_id = ?', sessionId);
      return r ? toContact(r) : null;
    },
    listContactSessions: async (contactId, limit) =>
      all('SELECT s.* FROM sessions s JOIN contact_sessions l ON l.session_id = s.id WHERE l.contact_id = ? ORDER BY s.created_at DESC, s.id DESC LIMIT ?', contactId, limit).map(toSession),
    insertContactNote: async (n) => {
      run(
        'INSERT INTO contact_notes (id, contact_id, author_account_id, author_name, text, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        n.id,
        n.contactId,
        n.authorAccountId,
        n.authorName,
        n.text,
        n.createdAt,
      );
    },
    listContactNotes: async (contactId, limit) =>
      all('SELECT * FROM contact_notes WHERE contact_id = ? ORDER BY created_at DESC, id DESC LIMIT ?', contactId, limit).map((r) => ({
        id: r.id,
        contactId: r.contact_id,
        authorAccountId: r.author_account_id,
        authorName: r.author_name,
        text: r.text,
        createdAt: r.created_at,
      })),
  };
}
