import type { Message } from '@parley/protocol';
import type { LogStore } from '../../ports/store.js';
import { logSql as sql } from '../sql/log.js';
import type { PgConnection } from './connection.js';

export const pgLog = (db: PgConnection): LogStore => ({
  lockLogHead: async (sessionId) => {
    const r = await db.one(sql.lockHead(sessionId));
    return r ? { lastIndexNum: r.last_index_num } : null;
  },
  // One statement, search words and all; the session row is already locked by lockLogHead. Nothing
  // waits for its outcome: it goes out with the transaction's next statement or its COMMIT.
  insertMessage: (message, indexNum, clocks, words) => db.later(sql.setHeadAndInsert(message, indexNum, clocks, words)),
  listMessages: async (sessionId, q) => {
    const list = (await db.rows(sql.list(sessionId, q))).map((r) => JSON.parse(r.body) as Message);
    return q.newest ? list.reverse() : list;
  },
});
