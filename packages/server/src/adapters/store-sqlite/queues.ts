import type { QueueStore } from '../../ports/store.js';
import { queueSql as sql } from '../sql/queues.js';
import { orNull, toQueue } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteQueues = (db: SqliteConnection): QueueStore => ({
  listQueues: async (deploymentId) => db.all(sql.list(deploymentId)).map(toQueue),
  getQueue: async (deploymentId, name) => orNull(db.get(sql.get(deploymentId, name)), toQueue),
  upsertQueue: async (q) => void db.run(sql.upsert(q)),
  deleteQueue: async (id) => db.run(sql.delete(id)) === 1,
});
