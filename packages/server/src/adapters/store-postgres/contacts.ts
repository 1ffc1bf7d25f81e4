import type { ContactKeyKind, ContactsStore } from '../../ports/store/contacts.js';
import { toSession, type Row } from '../store-rows.js';

type Query = (text: string, values?: unknown[]) => Promise<Row[]>;

const toContact = (r: Row) => ({ id: r.id as string, displayName: r.display_name as string, createdAt: r.created_at as string, updatedAt: r.updated_at as string });

/** Contacts on PostgreSQL: contacts, their keys, their sessions and notes. */
export function contactOps(rows: Query): ContactsStore {
  const one = async (text: string, values: unknown[]) => (await rows(text, values))[0];
  return {
    getContact: async (id) => {
      const r = await one('SELECT * FROM contacts WHERE id = $1', [id]);
      return r ? toContact(r) : null;
    },
    findContactByKey: async (key) => {
      const r = await one('SELECT c.* FROM contacts c JOIN contact_keys k ON k.contact_id = c.id WHERE k.kind = $1 AND k.value = $2', [key.kind, key.value]);
      return r ? toContact(r) : null;
    },
    insertContact: async (c) => {
      await rows('INSERT INTO contacts (id, display_name, created_at, updated_at) VALUES ($1, $2, $3, $4)', [c.id, c.displayName, c.createdAt, c.updatedAt]);
    },
    updateContact: async (id, patch) => {
      await rows('UPDATE contacts SET display_name = $1, updated_at = $2 WHERE id = $3', [patch.displayName, patch.updatedAt, id]);
    },
    deleteEmptyContact: async (id) => {
      await rows(
        `DELETE FROM contacts WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM contact_keys WHERE contact_id = $1)
           AND NOT EXISTS (SELECT 1 FROM contact_sessions WHERE contact_id = $1) AND NOT EXISTS (SELECT 1 FROM contact_notes WHERE contact_id = $1)`,
        [id],
      );
    },
    // A concurrent insert of the same key waits for the other transaction and then does nothing.
    addContactKey: async (contactId, key) =>
      (await rows('INSERT INTO contact_keys (kind, value, contact_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING kind', [key.kind, key.value, contactId])).length === 1,
    listContactKeys: async (contactId) =>
      (await rows('SELECT kind, value FROM contact_keys WHERE contact_id = $1 ORDER BY kind COLLATE "C", value COLLATE "C"', [contactId])).map((r) => ({
        kind: r.kind as ContactKeyKind,
        value: r.value as string,
      })),
    linkContactSession: async (contactId, sessionId) => {
      await rows('INSERT INTO contact_sessions (session_id, contact_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [sessionId, contactId]);
    },
    getContactOfSession: async (sessionId) => {
      const r = await one('SELECT c.* FROM contacts c JOIN contact_sessions l ON l.contact_id = c.id WHERE l.session_id = $1', [sessionId]);
      return r ? toContact(r) : null;
    },
    listContactSessions: async (contactId, limit) =>
      (
        await rows('SELECT s.* FROM sessions s JOIN contact_sessions l ON l.session_id = s.id WHERE l.contact_id = $1 ORDER BY s.created_at COLLATE "C" DESC, s.id COLLATE "C" DESC LIMIT $2', [
          contactId,
          limit,
        ])
      ).map(toSession),
    insertContactNote: async (n) => {
      await rows('INSERT INTO contact_notes (id, contact_id, author_account_id, author_name, text, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        n.id,
        n.contactId,
        n.authorAccountId,
        n.authorName,
        n.text,
        n.createdAt,
      ]);
    },
    listContactNotes: async (contactId, limit) =>
      (await rows('SELECT * FROM contact_notes WHERE contact_id = $1 ORDER BY created_at COLLATE "C" DESC, id COLLATE "C" DESC LIMIT $2', [contactId, limit])).map((r) => ({
        id: r.id,
        contactId: r.contact_id,
        authorAccountId: r.author_account_id,
        authorName: r.author_name,
        text: r.text,
        createdAt: r.created_at,
      })),
  };
}
