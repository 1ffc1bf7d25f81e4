import type { Message } from '@parley/protocol';
import type { LogStore } from '../../ports/store.js';
import type { SearchEntry } from '../../ports/store/search.js';
import { logSql as sql } from '../sql/log.js';
import type { SqliteConnection } from './connection.js';

/** `indexWords`: puts a message's search words in the index (search.ts), in the same transaction. */
export const sqliteLog = (db: SqliteConnection, indexWords: (entry: SearchEntry) => void): LogStore => ({
  lockLogHead: async (sessionId) => {
    const r = db.get(sql.lockHead(sessionId));
    return r ? { lastIndexNum: r.last_index_num } : null;
  },
  insertMessage: async (message, indexNum, clocks, words) => {
    db.run(sql.setHead(message.sessionId, indexNum, clocks));
    db.run(sql.insert(message, indexNum));
    if (words !== undefined) indexWords({ sessionId: message.sessionId, indexNum, visibility: message.visibility, text: words });
  },
  listMessages: async (sessionId, q) => {
    const list = db.all(sql.list(sessionId, q)).map((r) => JSON.parse(r.body) as Message);
    return q.newest ? list.reverse() : list;
  },
});
