import type { Message } from '@parley/protocol';
import type { LogStore } from '../../ports/store.js';
import { logSql as sql } from '../sql/log.js';
import type { PgConnection } from './connection.js';

export const pgLog = (db: PgConnection): LogStore => ({
  lockLogHead: async (sessionId) => {
    const r = await db.one(sql.lockHead(sessionId));
    return r ? { lastIndexNum: r.last_index_num } : null;
  },
  // One round trip, search words and all; the session row is already locked by lockLogHead.
  insertMessage: async (message, indexNum, clocks, words) => {
    await db.run(sql.setHeadAndInsert(message, indexNum, clocks, words));
  },
  listMessages: async (sessionId, q) => {
    const list = (await db.rows(sql.list(sessionId, q))).map((r) => JSON.parse(r.body) as Message);
    return q.newest ? list.reverse() : list;
  },
});
