import type { Message } from '@parley/protocol';
import type { LogClocks, MessageQuery } from '../../ports/store.js';
import { isIn, limited, statement } from './dialect.js';

/**
 * The customer's clock is set only by the customer's own texts: left out of the other messages'
 * UPDATE, its index is not written (SQLite rewrites an index entry for every column SET, even to the
 * same value; PostgreSQL can then update the row in place, HOT, with no index entry at all).
 */
const setHead = (sessionId: string, indexNum: number, clocks: LogClocks) =>
  clocks.lastCustomerAt === null
    ? statement('UPDATE sessions SET last_index_num = ?, last_activity_at = ? WHERE id = ?', indexNum, clocks.lastActivityAt, sessionId)
    : statement('UPDATE sessions SET last_index_num = ?, last_activity_at = ?, last_customer_at = ? WHERE id = ?', indexNum, clocks.lastActivityAt, clocks.lastCustomerAt, sessionId);
const insert = (message: Message, indexNum: number) =>
  statement(
    'INSERT INTO messages (session_id, index_num, visibility, audience, body) VALUES (?, ?, ?, ?, ?)',
    message.sessionId,
    indexNum,
    message.visibility,
    message.audienceAccountId ?? null,
    JSON.stringify(message),
  );

export const logSql = {
  lockHead: (sessionId: string) => statement('SELECT last_index_num FROM sessions WHERE id = ? FOR UPDATE', sessionId),
  /** The session's head and clocks... */
  setHead,
  /** ...and the message: two statements. */
  insert,
  /** Both in one statement, with the message's search words when given, where an UPDATE may stand in a WITH (PostgreSQL; SQLite cannot). */
  setHeadAndInsert: (message: Message, indexNum: number, clocks: LogClocks, words?: string) => {
    const head = setHead(message.sessionId, indexNum, clocks);
    const row = insert(message, indexNum);
    if (words === undefined) return statement(`WITH head AS (${head.text}) ${row.text}`, ...head.values, ...row.values);
    // The words too (PostgreSQL's search_messages, its tsvector generated).
    const indexed = statement('INSERT INTO search_messages (session_id, index_num, visibility, words) VALUES (?, ?, ?, ?)', message.sessionId, indexNum, message.visibility, words);
    return statement(`WITH head AS (${head.text}), words AS (${indexed.text}) ${row.text}`, ...head.values, ...indexed.values, ...row.values);
  },
  list: (sessionId: string, q: MessageQuery) => {
    const where = ['session_id = ?'];
    const values: unknown[] = [sessionId];
    if (q.afterNum !== undefined) {
      where.push('index_num > ?');
      values.push(q.afterNum);
    }
    if (q.beforeNum !== undefined) {
      where.push('index_num < ?');
      values.push(q.beforeNum);
    }
    const visible = isIn('visibility', q.visibilities);
    values.push(...visible.values);
    if (q.audienceAccountId) {
      // A supervisor's whisper is visible to the agent it is addressed to.
      where.push(`(${visible.sql} OR (visibility = 'Vip' AND audience = ?))`);
      values.push(q.audienceAccountId);
    } else where.push(visible.sql);
    return limited(`SELECT body FROM messages WHERE ${where.join(' AND ')} ORDER BY index_num ${q.newest ? 'DESC' : 'ASC'}`, values, q.limit);
  },
};
