import type { Queue } from '../../ports/store.js';
import { statement } from './dialect.js';

export const queueSql = {
  list: (deploymentId?: string) =>
    deploymentId
      ? statement('SELECT * FROM queues WHERE deployment_id = ? ORDER BY name COLLATE BINARY', deploymentId)
      : statement('SELECT * FROM queues ORDER BY deployment_id COLLATE BINARY, name COLLATE BINARY'),
  get: (deploymentId: string, name: string) => statement('SELECT * FROM queues WHERE deployment_id = ? AND name = ?', deploymentId, name),
  upsert: (q: Queue) =>
    statement(
      `INSERT INTO queues (id, deployment_id, name, skills, language, offer_timeout_seconds, sticky_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, skills = excluded.skills, language = excluded.language,
         offer_timeout_seconds = excluded.offer_timeout_seconds, sticky_seconds = excluded.sticky_seconds`,
      q.id,
      q.deploymentId,
      q.name,
      JSON.stringify(q.skills),
      q.language,
      q.offerTimeoutSeconds,
      q.stickySeconds,
    ),
  delete: (id: string) => statement('DELETE FROM queues WHERE id = ?', id),
};
