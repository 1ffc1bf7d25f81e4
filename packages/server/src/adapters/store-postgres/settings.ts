import type { SettingStore } from '../../ports/store.js';
import { settingSql as sql } from '../sql/settings.js';
import type { PgConnection } from './connection.js';

export const pgSettings = (db: PgConnection): SettingStore => ({
  getSetting: async (key) => (await db.one(sql.get(key)))?.value ?? null,
  putSetting: async (key, value) => {
    await db.run(sql.put(key, value));
  },
});
