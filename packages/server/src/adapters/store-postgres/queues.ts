import type { QueueStore } from '../../ports/store.js';
import { queueSql as sql } from '../sql/queues.js';
import { orNull, toQueue } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgQueues = (db: PgConnection): QueueStore => ({
  listQueues: async (deploymentId) => (await db.rows(sql.list(deploymentId))).map(toQueue),
  getQueue: async (deploymentId, name) => orNull(await db.one(sql.get(deploymentId, name)), toQueue),
  upsertQueue: async (q) => {
    await db.run(sql.upsert(q));
  },
  deleteQueue: async (id) => (await db.run(sql.delete(id))) === 1,
});
