import type { Message } from '@parley/protocol';
import type { Session, StoreTx } from '../ports/store.js';

/** Messages whose text people search for: what was said, notices, file names, pushed pages. */
const INDEXED_TYPES = new Set<Message['type']>(['Text', 'Notice', 'File', 'PushUrl']);
/** User-data keys that name the customer (the customer filter of the search looks in these). */
export const CUSTOMER_KEYS = ['FirstName', 'LastName', 'EmailAddress', 'customerId', 'CustomerId', 'customerID'] as const;
/** The words of a query the search uses (more narrow nothing down that matters). */
const MAX_QUERY_WORDS = 8;

/**
 * Text as the search index holds it: lower case, accents removed, every run of characters that are
 * not letters or digits one space. SQLite FTS5 and PostgreSQL's 'simple' parser then split it into
 * the same words, so both stores find the same conversations.
 */
export function searchWords(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a search query (at most eight). */
export function queryWords(query: string): string[] {
  return searchWords(query).split(' ').filter(Boolean).slice(0, MAX_QUERY_WORDS);
}

/** The words the customer filter matches: the customer's name, nickname, e-mail and id. */
export function customerWords(nickname: string, userData: Record<string, string>): string {
  return searchWords([nickname, ...CUSTOMER_KEYS.map((k) => userData[k] ?? '')].join(' '));
}

/** The words a message is found by (empty when its type is not searched): stored with its append. */
export function messageWords(message: Message): string {
  if (!INDEXED_TYPES.has(message.type)) return '';
  return searchWords([message.text ?? '', message.type === 'PushUrl' ? (message.url ?? '') : ''].join(' '));
}

/** At the customer's join (the start of the session), indexes the customer's words, in the append's transaction. */
export async function indexCustomerForSearch(tx: StoreTx, session: Session, message: Message): Promise<void> {
  if (message.type === 'ParticipantJoined' && message.from.type === 'Customer') {
    await tx.indexSessionCustomer(session.id, customerWords(message.from.nickname ?? '', session.userData));
  }
}
