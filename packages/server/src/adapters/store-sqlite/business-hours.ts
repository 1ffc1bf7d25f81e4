import type { BusinessHoursStore } from '../../ports/store.js';
import { businessHoursSql as sql } from '../sql/business-hours.js';
import { toBusinessHours } from '../store-rows.js';
import type { SqliteConnection } from './connection.js';

export const sqliteBusinessHours = (db: SqliteConnection): BusinessHoursStore => ({
  getBusinessHours: async (deploymentId, queue) => {
    const row = db.get(sql.get(deploymentId, queue));
    return row ? toBusinessHours(row) : null;
  },
  listBusinessHours: async (deploymentId) => db.all(sql.list(deploymentId)).map(toBusinessHours),
  putBusinessHours: async (h) => void db.run(sql.put(h)),
  deleteBusinessHours: async (deploymentId, queue) => db.run(sql.delete(deploymentId, queue)) === 1,
});
