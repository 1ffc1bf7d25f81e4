import type Database from 'better-sqlite3';
import type { WebhookDelivery, WebhookStore } from '../../ports/store/webhooks.js';
import type { Row } from '../store-rows.js';
import { toWebhook, toWebhookDelivery } from '../webhook-rows.js';

type Db = { prepare(sql: string): Database.Statement };

/** Webhooks and their outbox (SQLite runs one transaction at a time, so a claim needs no row locks). */
export function webhookOps(db: Db): WebhookStore {
  return {
    insertWebhook: async (w) => {
      db.prepare('INSERT INTO webhooks (id, deployment_id, url, events, visibilities, secret, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        w.id,
        w.deploymentId,
        w.url,
        JSON.stringify(w.events),
        JSON.stringify(w.visibilities),
        w.secret,
        w.enabled ? 1 : 0,
        w.createdAt,
      );
    },
    getWebhook: async (id) => {
      const r = db.prepare('SELECT * FROM webhooks WHERE id = ?').get(id) as Row | undefined;
      return r ? toWebhook(r) : null;
    },
    listWebhooks: async (deploymentId) =>
      (deploymentId
        ? (db.prepare('SELECT * FROM webhooks WHERE deployment_id = ? ORDER BY created_at, id').all(deploymentId) as Row[])
        : (db.prepare('SELECT * FROM webhooks ORDER BY created_at, id').all() as Row[])
      ).map(toWebhook),
    updateWebhook: async (w) => {
      db.prepare('UPDATE webhooks SET url = ?, events = ?, visibilities = ?, secret = ?, enabled = ? WHERE id = ?').run(
        w.url,
        JSON.stringify(w.events),
        JSON.stringify(w.visibilities),
        w.secret,
        w.enabled ? 1 : 0,
        w.id,
      );
    },
    deleteWebhook: async (id) => {
      db.prepare('DELETE FROM webhook_deliveries WHERE webhook_id = ?').run(id);
      return db.prepare('DELETE FROM webhooks WHERE id = ?').run(id).changes === 1;
    },
    insertWebhookDelivery: async (d) => {
      db.prepare(
        `INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, ordering_key, payload, created_at, state, attempts, next_attempt_at, replay_of)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      ).run(d.id, d.webhookId, d.eventId, d.eventType, d.orderingKey, d.payload, d.createdAt, d.nextAttemptAt, d.replayOf);
    },
    getWebhookDelivery: async (id) => {
      const r = db.prepare('SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as Row | undefined;
      return r ? toWebhookDelivery(r) : null;
    },
    listWebhookDeliveries: async (f) => {
      const where: string[] = [];
      const values: unknown[] = [];
      for (const [value, column] of [
        [f.webhookId, 'webhook_id'],
        [f.state, 'state'],
        [f.orderingKey, 'ordering_key'],
      ] as const) {
        if (value !== undefined) {
          where.push(`${column} = ?`);
          values.push(value);
        }
      }
      if (f.beforeSeq !== undefined) {
        where.push('seq < ?');
        values.push(f.beforeSeq);
      }
      const sql = `SELECT * FROM webhook_deliveries ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ?`;
      return (db.prepare(sql).all(...values, f.limit) as Row[]).map(toWebhookDelivery);
    },
    claimWebhookDeliveries: async ({ nowIso, owner, leaseUntil, limit }) => {
      const due = db
        .prepare(
          `SELECT d.seq FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
           WHERE d.state = 'pending' AND w.enabled = 1 AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.ordering_key = d.ordering_key AND e.state = 'pending' AND e.seq < d.seq)
           ORDER BY d.seq LIMIT ?`,
        )
        .all(nowIso, nowIso, limit) as Row[];
      const claimed: WebhookDelivery[] = [];
      for (const { seq } of due) {
        const r = db.prepare('UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ? WHERE seq = ? RETURNING *').get(owner, leaseUntil, seq) as Row;
        claimed.push(toWebhookDelivery(r));
      }
      return claimed;
    },
    pruneWebhookDeliveries: async (before, limit) =>
      db.prepare("DELETE FROM webhook_deliveries WHERE seq IN (SELECT seq FROM webhook_deliveries WHERE state IN ('delivered', 'dead') AND created_at < ? ORDER BY seq LIMIT ?)").run(before, limit)
        .changes,
    finishWebhookDelivery: async (id, owner, o) => {
      const res = o.delivered
        ? db
            .prepare(
              "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_status = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
            )
            .run(o.atIso, o.status, id, owner)
        : db
            .prepare(
              'UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_status = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
            )
            .run(o.dead ? 'dead' : 'pending', o.nextAttemptAt, o.status, o.error, id, owner);
      return res.changes === 1;
    },
  };
}
