import type { FileRecordStore } from '../../ports/store.js';
import { fileSql as sql } from '../sql/files.js';
import { orNull, toFile } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteFiles = (db: SqliteConnection): FileRecordStore => ({
  insertFile: async (f) => void db.run(sql.insert(f)),
  getFile: async (id) => orNull(db.get(sql.get(id)), toFile),
});
