import type { Message } from '@parley/protocol';
import type { LogStore } from '../../ports/store.js';
import { logSql as sql } from '../sql/log.js';
import type { SqliteConnection } from './connection.js';

export const sqliteLog = (db: SqliteConnection): LogStore => ({
  lockLogHead: async (sessionId) => {
    const r = db.get(sql.lockHead(sessionId));
    return r ? { lastIndexNum: r.last_index_num } : null;
  },
  insertMessage: async (message, indexNum, clocks) => {
    db.run(sql.setHead(message.sessionId, indexNum, clocks));
    db.run(sql.insert(message, indexNum));
  },
  listMessages: async (sessionId, q) => {
    const list = db.all(sql.list(sessionId, q)).map((r) => JSON.parse(r.body) as Message);
    return q.newest ? list.reverse() : list;
  },
});
