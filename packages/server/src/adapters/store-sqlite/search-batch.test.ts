import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './index.js';
import { SEARCH_BATCH } from './search.js';
import type { Message } from '@parley/protocol';
import { formatIndex } from '../../core/message-index.js';
import { deployment } from '../../core/views.testkit.js';
import type { StoreTx } from '../../ports/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function storeFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-search-batch-'));
  dirs.push(dir);
  return join(dir, 'parley.db');
}

/** What `read` finds over a second, read-only connection: what is committed. */
function peek<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const rowCount = (db: Database.Database, table: string, sessionId?: string) =>
  (
    (sessionId === undefined ? db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() : db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE session_id = ?`).get(sessionId)) as {
      n: number;
    }
  ).n;

/** Row counts of the two search tables. */
const counts = (file: string) => peek(file, (db) => ({ pending: rowCount(db, 'search_pending'), indexed: rowCount(db, 'search_messages') }));

const T0 = new Date(0).toISOString();
/** Appends message `i` of session `sessionId` (made on first use) with its search words. */
async function appendWords(tx: StoreTx, i: number, sessionId: string, text = `word${i} order`): Promise<void> {
  if (!(await tx.getDeployment(deployment.id))) await tx.insertDeployment(deployment);
  if (!(await tx.getSession(sessionId))) {
    await tx.insertSession({
      id: sessionId,
      deploymentId: deployment.id,
      async: false,
      state: 'Active',
      customerParticipantId: 'c',
      transportId: 't',
      userData: {},
      createdAt: T0,
      endedAt: null,
      lastIndexNum: 0,
      lastCustomerAt: T0,
      lastActivityAt: T0,
    });
  }
  const indexNum = 1000 + i;
  const message: Message = { id: `m${i}`, type: 'Text', from: { participantId: 'c', type: 'Customer' }, visibility: 'All', text, sessionId, index: formatIndex(indexNum), utcTime: T0 };
  await tx.insertMessage(message, indexNum, { lastActivityAt: T0, lastCustomerAt: null }, text);
}
const words = (store: SqliteStore, i: number, sessionId = 's1') => store.tx((tx) => appendWords(tx, i, sessionId));

describe('SQLite search indexing in batches', () => {
  it('appended words wait in search_pending and move into the FTS5 table a batch at a time (the first append takes in what a stopped node left)', async () => {
    const file = storeFile();
    const store = new SqliteStore(file);
    try {
      await words(store, 0);
      expect(counts(file)).toEqual({ pending: 0, indexed: 1 });
      for (let i = 1; i < SEARCH_BATCH; i++) await words(store, i);
      expect(counts(file)).toEqual({ pending: SEARCH_BATCH - 1, indexed: 1 });
      await words(store, SEARCH_BATCH);
      expect(counts(file)).toEqual({ pending: 0, indexed: SEARCH_BATCH + 1 });
      await words(store, SEARCH_BATCH + 1);
      expect(counts(file)).toEqual({ pending: 1, indexed: SEARCH_BATCH + 1 });
    } finally {
      await store.close();
    }
    // A node that stops leaves its pending words; the next one takes them in with its first append.
    const again = new SqliteStore(file);
    try {
      expect(counts(file)).toEqual({ pending: 1, indexed: SEARCH_BATCH + 1 });
      await words(again, SEARCH_BATCH + 2);
      expect(counts(file)).toEqual({ pending: 0, indexed: SEARCH_BATCH + 3 });
    } finally {
      await again.close();
    }
  });

  it('a search for words takes in every pending word first, in its own transaction', async () => {
    const file = storeFile();
    const store = new SqliteStore(file);
    try {
      await words(store, 0);
      await words(store, 1);
      await words(store, 2);
      expect(counts(file)).toEqual({ pending: 2, indexed: 1 });
      const filter = { visibilities: ['All'], limit: 10, offset: 0 };
      await store.tx((tx) => tx.searchSessions({ ...filter, words: [] }));
      expect(counts(file)).toEqual({ pending: 2, indexed: 1 });
      await store.tx((tx) => tx.searchSessions({ ...filter, words: ['word2'] }));
      expect(counts(file)).toEqual({ pending: 0, indexed: 3 });
    } finally {
      await store.close();
    }
  });

  it('erasing or anonymizing a session leaves none of its words, pending or indexed; other sessions keep theirs', async () => {
    const file = storeFile();
    const store = new SqliteStore(file);
    const wordsOf = (sessionId: string) => peek(file, (db) => rowCount(db, 'search_pending', sessionId) + rowCount(db, 'search_messages', sessionId));
    try {
      for (const [i, sessionId] of ['erased', 'anonymized', 'kept', 'erased', 'anonymized', 'kept'].entries()) await words(store, i, sessionId);
      expect(counts(file).pending).toBeGreaterThan(0);
      // Each one alone: the first takes in everything pending, which would cover the second.
      await store.tx((tx) => tx.anonymizeSessionData('anonymized', { messages: [], customerNickname: 'Customer', atIso: new Date().toISOString() }));
      expect([wordsOf('anonymized'), wordsOf('kept')]).toEqual([0, 2]);
      await words(store, 6, 'erased');
      await store.tx((tx) => tx.deleteSessionData('erased'));
      expect([wordsOf('erased'), wordsOf('kept')]).toEqual([0, 2]);
    } finally {
      await store.close();
    }
  });

  it('words of a transaction that is rolled back are neither pending nor indexed', async () => {
    const file = storeFile();
    const store = new SqliteStore(file);
    try {
      await words(store, 0);
      await expect(
        store.tx(async (tx) => {
          await appendWords(tx, 7, 's1', 'never said');
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      expect(counts(file)).toEqual({ pending: 0, indexed: 1 });
    } finally {
      await store.close();
    }
  });
});
