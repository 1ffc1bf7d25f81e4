import type { BusinessHours } from '../../ports/store.js';
import { statement } from './dialect.js';

const COLUMNS = 'deployment_id, queue, time_zone, weekly, holidays, updated_at';

export const businessHoursSql = {
  get: (deploymentId: string, queue: string) => statement(`SELECT ${COLUMNS} FROM business_hours WHERE deployment_id = ? AND queue = ?`, deploymentId, queue),
  list: (deploymentId: string) => statement(`SELECT ${COLUMNS} FROM business_hours WHERE deployment_id = ? ORDER BY queue COLLATE BINARY`, deploymentId),
  put: (h: BusinessHours) =>
    statement(
      `INSERT INTO business_hours (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (deployment_id, queue) DO UPDATE SET time_zone = excluded.time_zone, weekly = excluded.weekly, holidays = excluded.holidays, updated_at = excluded.updated_at`,
      h.deploymentId,
      h.queue,
      h.timeZone,
      JSON.stringify(h.weekly),
      JSON.stringify(h.holidays),
      h.updatedAt,
    ),
  delete: (deploymentId: string, queue: string) => statement('DELETE FROM business_hours WHERE deployment_id = ? AND queue = ?', deploymentId, queue),
};
