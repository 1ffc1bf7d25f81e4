import type { SettingStore } from '../../ports/store.js';
import { settingSql as sql } from '../sql/settings.js';
import type { SqliteConnection } from './connection.js';

export const sqliteSettings = (db: SqliteConnection): SettingStore => ({
  getSetting: async (key) => db.get(sql.get(key))?.value ?? null,
  putSetting: async (key, value) => void db.run(sql.put(key, value)),
});
