import type { WebhookStore } from '../../ports/store/webhooks.js';
import { toWebhook, toWebhookDelivery } from '../webhook-rows.js';
import type { PgQueries } from './queries.js';

/**
 * Webhooks and their outbox. A claim locks the rows it takes with SKIP LOCKED (nodes claiming at the
 * same moment pass each other's rows by) and leases them; the lease, committed, keeps other nodes
 * off the row while it is being sent.
 */
export function webhookOps({ rows, one, exec, count }: PgQueries): WebhookStore {
  return {
    insertWebhook: async (w) => {
      await exec('INSERT INTO webhooks (id, deployment_id, url, events, visibilities, secret, enabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        w.id,
        w.deploymentId,
        w.url,
        JSON.stringify(w.events),
        JSON.stringify(w.visibilities),
        w.secret,
        w.enabled,
        w.createdAt,
      ]);
    },
    getWebhook: async (id) => {
      const r = await one('SELECT * FROM webhooks WHERE id = $1', [id]);
      return r ? toWebhook(r) : null;
    },
    listWebhooks: async (deploymentId) =>
      (deploymentId ? await rows('SELECT * FROM webhooks WHERE deployment_id = $1 ORDER BY created_at, id', [deploymentId]) : await rows('SELECT * FROM webhooks ORDER BY created_at, id')).map(
        toWebhook,
      ),
    updateWebhook: async (w) => {
      await exec('UPDATE webhooks SET url = $2, events = $3, visibilities = $4, secret = $5, enabled = $6 WHERE id = $1', [
        w.id,
        w.url,
        JSON.stringify(w.events),
        JSON.stringify(w.visibilities),
        w.secret,
        w.enabled,
      ]);
    },
    deleteWebhook: async (id) => {
      await exec('DELETE FROM webhook_deliveries WHERE webhook_id = $1', [id]);
      return (await count('DELETE FROM webhooks WHERE id = $1', [id])) === 1;
    },
    insertWebhookDelivery: async (d) => {
      await exec(
        `INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, ordering_key, payload, created_at, state, attempts, next_attempt_at, replay_of)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $9)`,
        [d.id, d.webhookId, d.eventId, d.eventType, d.orderingKey, d.payload, d.createdAt, d.nextAttemptAt, d.replayOf],
      );
    },
    getWebhookDelivery: async (id) => {
      const r = await one('SELECT * FROM webhook_deliveries WHERE id = $1', [id]);
      return r ? toWebhookDelivery(r) : null;
    },
    listWebhookDeliveries: async (f) => {
      const where: string[] = [];
      const values: unknown[] = [];
      for (const [value, column] of [
        [f.webhookId, 'webhook_id'],
        [f.state, 'state'],
        [f.orderingKey, 'ordering_key'],
        [f.beforeSeq, 'seq <'],
      ] as const) {
        if (value === undefined) continue;
        values.push(value);
        where.push(column.endsWith('<') ? `${column} $${values.length}` : `${column} = $${values.length}`);
      }
      values.push(f.limit);
      return (await rows(`SELECT * FROM webhook_deliveries ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT $${values.length}`, values)).map(toWebhookDelivery);
    },
    claimWebhookDeliveries: async ({ nowIso, owner, leaseUntil, limit }) =>
      (
        await rows(
          `UPDATE webhook_deliveries SET lease_owner = $2, lease_until = $3
           WHERE seq IN (
             SELECT d.seq FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.state = 'pending' AND w.enabled AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1)
               AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.ordering_key = d.ordering_key AND e.state = 'pending' AND e.seq < d.seq)
             ORDER BY d.seq LIMIT $4
             FOR UPDATE OF d SKIP LOCKED)
           RETURNING *`,
          [nowIso, owner, leaseUntil, limit],
        )
      )
        .map(toWebhookDelivery)
        .sort((a, b) => a.seq - b.seq),
    pruneWebhookDeliveries: async (before, limit) =>
      count("DELETE FROM webhook_deliveries WHERE seq IN (SELECT seq FROM webhook_deliveries WHERE state IN ('delivered', 'dead') AND created_at < $1 ORDER BY seq LIMIT $2)", [before, limit]),
    finishWebhookDelivery: async (id, owner, o) =>
      (o.delivered
        ? await count(
            "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = $3, last_status = $4, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2",
            [id, owner, o.atIso, o.status],
          )
        : await count(
            'UPDATE webhook_deliveries SET state = $3, attempts = attempts + 1, next_attempt_at = $4, last_status = $5, last_error = $6, lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2',
            [id, owner, o.dead ? 'dead' : 'pending', o.nextAttemptAt, o.status, o.error],
          )) === 1,
  };
}
