import type { BusinessHoursStore } from '../../ports/store.js';
import { businessHoursSql as sql } from '../sql/business-hours.js';
import { toBusinessHours } from '../store-rows.js';
import type { PgConnection } from './connection.js';

export const pgBusinessHours = (db: PgConnection): BusinessHoursStore => ({
  getBusinessHours: async (deploymentId, queue) => {
    const row = await db.one(sql.get(deploymentId, queue));
    return row ? toBusinessHours(row) : null;
  },
  listBusinessHours: async (deploymentId) => (await db.rows(sql.list(deploymentId))).map(toBusinessHours),
  putBusinessHours: async (h) => {
    await db.run(sql.put(h));
  },
  deleteBusinessHours: async (deploymentId, queue) => (await db.run(sql.delete(deploymentId, queue))) === 1,
});
