import type { Contact, ContactKey, ContactNote } from '../ports/store/contacts.js';
import type { Account, Interaction, Session, Store } from '../ports/store.js';
import type { ChatService } from './chat-service.js';
import type { Clock } from '../ports/clock.js';
import { ChatError } from './errors.js';
import { newId } from './ids.js';

/** How many past sessions and notes a contact view lists (newest first). */
const SESSIONS_LISTED = 50;
const NOTES_LISTED = 100;
export const MAX_NOTE_LENGTH = 2000;
export type { ContactNote };

export interface ContactView {
  contact: Contact;
  keys: ContactKey[];
  /** The contact's sessions with their interactions, newest first (this one included). */
  sessions: (Session & { interactions: Interaction[] })[];
  notes: ContactNote[];
}

/**
 * The customer across conversations, as staff see it from a conversation they may read: the
 * contact, its other sessions (when, where, who, how it ended: no message of them) and notes.
 * Opening another session's transcript follows that session's own access rules.
 */
export class ContactService {
  constructor(
    private readonly store: Store,
    private readonly chat: ChatService,
    private readonly clock: Clock,
  ) {}

  async ofSession(account: Account, sessionId: string): Promise<ContactView | null> {
    await this.chat.getSessionForStaff(sessionId, account);
    return this.store.tx(async (tx) => {
      const contact = await tx.getContactOfSession(sessionId);
      if (!contact) return null;
      const sessions = [];
      for (const s of await tx.listContactSessions(contact.id, SESSIONS_LISTED)) sessions.push({ ...s, interactions: await tx.listInteractions({ sessionId: s.id }) });
      return { contact, keys: await tx.listContactKeys(contact.id), sessions, notes: await tx.listContactNotes(contact.id, NOTES_LISTED) };
    });
  }

  async addNote(account: Account, sessionId: string, text: string): Promise<ContactNote> {
    const body = text.trim();
    if (!body) throw new ChatError('INVALID_REQUEST', 'text is required');
    if (body.length > MAX_NOTE_LENGTH) throw new ChatError('PAYLOAD_TOO_LARGE', `a note is at most ${MAX_NOTE_LENGTH} characters`);
    await this.chat.getSessionForStaff(sessionId, account);
    return this.store.tx(async (tx) => {
      const contact = await tx.getContactOfSession(sessionId);
      if (!contact) throw new ChatError('CONFLICT', 'this conversation has no contact: the customer gave no customer id or e-mail');
      const note: ContactNote = {
        id: newId(),
        contactId: contact.id,
        authorAccountId: account.id,
        authorName: account.displayName,
        text: body,
        createdAt: new Date(this.clock.now()).toISOString(),
      };
      await tx.insertContactNote(note);
      return note;
    });
  }
}
