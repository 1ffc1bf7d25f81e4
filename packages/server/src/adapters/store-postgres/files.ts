import type { FileRecordStore } from '../../ports/store.js';
import { fileSql as sql } from '../sql/files.js';
import { orNull, toFile } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgFiles = (db: PgConnection): FileRecordStore => ({
  insertFile: async (f) => {
    await db.run(sql.insert(f));
  },
  getFile: async (id) => orNull(await db.one(sql.get(id)), toFile),
});
