import type { Visibility } from '@parley/protocol';

/**
 * The full-text index of conversations (SQLite FTS5, PostgreSQL tsvector/GIN). Core hands it text
 * already normalized (core/search-index.ts: lower case, no accents, words of letters and digits
 * separated by single spaces), so both engines split it into the same words and answer the same.
 */
export interface SearchEntry {
  sessionId: string;
  /** Numeric index of the message (one entry per message). */
  indexNum: number;
  visibility: Visibility;
  /** Normalized words. */
  text: string;
}

export interface SearchFilter {
  /** Normalized words; a session matches when one of its messages has every word (as a word prefix). Empty: no text condition. */
  words: string[];
  /** Message visibilities the words may be found in. */
  visibilities: Visibility[];
  /** Only sessions this account took part in (a participant, or an interaction assigned to it). */
  involvingAccountId?: string;
  /** Sessions created at or after / before these ISO times. */
  createdFrom?: string;
  createdBefore?: string;
  /** Sessions with an interaction in this queue / assigned to this agent / wrapped up with this code. */
  queue?: string;
  agentAccountId?: string;
  wrapUpCode?: string;
  /** Normalized words the customer's indexed name, e-mail or id starts with (contiguous, from a word start). */
  customer?: string;
  limit: number;
  offset: number;
}

/** Matching sessions, newest first (creation time, then id), and how many match in all. */
export interface SearchPage {
  sessionIds: string[];
  total: number;
}

export interface SearchStore {
  /** Sets the words the customer filter looks in for a session (its customer's name, e-mail, id). */
  indexSessionCustomer(sessionId: string, words: string): Promise<void>;
  searchSessions(filter: SearchFilter): Promise<SearchPage>;
}
