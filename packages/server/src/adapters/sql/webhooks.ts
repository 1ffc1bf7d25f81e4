import type { NewWebhookDelivery, Webhook, WebhookDeliveryFilter, WebhookStore } from '../../ports/store/webhooks.js';
import { toWebhook, toWebhookDelivery } from '../webhook-rows.js';
import { statement } from './dialect.js';
import type { SqlRunner } from './runner.js';

/** The columns a webhook's owner sets, in the order the insert and the update name them. */
const settable = (w: Webhook): unknown[] => [w.url, JSON.stringify(w.events), JSON.stringify(w.visibilities), w.secret, w.enabled ? 1 : 0];

export const webhookSql = {
  insert: (w: Webhook) =>
    statement('INSERT INTO webhooks (url, events, visibilities, secret, enabled, id, deployment_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ...settable(w), w.id, w.deploymentId, w.createdAt),
  get: (id: string) => statement('SELECT * FROM webhooks WHERE id = ?', id),
  list: (deploymentId?: string) =>
    deploymentId ? statement('SELECT * FROM webhooks WHERE deployment_id = ? ORDER BY created_at, id', deploymentId) : statement('SELECT * FROM webhooks ORDER BY created_at, id'),
  update: (w: Webhook) => statement('UPDATE webhooks SET url = ?, events = ?, visibilities = ?, secret = ?, enabled = ? WHERE id = ?', ...settable(w), w.id),
  deleteDeliveriesOf: (webhookId: string) => statement('DELETE FROM webhook_deliveries WHERE webhook_id = ?', webhookId),
  delete: (id: string) => statement('DELETE FROM webhooks WHERE id = ?', id),
  insertDelivery: (d: NewWebhookDelivery) =>
    statement(
      `INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, ordering_key, payload, created_at, state, attempts, next_attempt_at, replay_of)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      d.id,
      d.webhookId,
      d.eventId,
      d.eventType,
      d.orderingKey,
      d.payload,
      d.createdAt,
      d.nextAttemptAt,
      d.replayOf,
    ),
  getDelivery: (id: string) => statement('SELECT * FROM webhook_deliveries WHERE id = ?', id),
  listDeliveries: (f: WebhookDeliveryFilter) => {
    const where: string[] = [];
    const values: unknown[] = [];
    for (const [value, clause] of [
      [f.webhookId, 'webhook_id = ?'],
      [f.state, 'state = ?'],
      [f.orderingKey, 'ordering_key = ?'],
      [f.beforeSeq, 'seq < ?'],
    ] as const) {
      if (value === undefined) continue;
      values.push(value);
      where.push(clause);
    }
    return statement(`SELECT * FROM webhook_deliveries ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ?`, ...values, f.limit);
  },
  /** `rowLock` is the adapter's clause for the rows the inner SELECT takes (PostgreSQL: skip the ones another node is claiming). */
  claim: (c: { nowIso: string; owner: string; leaseUntil: string; limit: number }, rowLock: string) =>
    statement(
      `UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?
       WHERE seq IN (
         SELECT d.seq FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.state = 'pending' AND w.enabled AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.ordering_key = d.ordering_key AND e.state = 'pending' AND e.seq < d.seq)
         ORDER BY d.seq LIMIT ? ${rowLock})
       RETURNING *`,
      c.owner,
      c.leaseUntil,
      c.nowIso,
      c.nowIso,
      c.limit,
    ),
  prune: (before: string, limit: number) =>
    statement("DELETE FROM webhook_deliveries WHERE seq IN (SELECT seq FROM webhook_deliveries WHERE state IN ('delivered', 'dead') AND created_at < ? ORDER BY seq LIMIT ?)", before, limit),
  delivered: (id: string, owner: string, atIso: string, status: number | null) =>
    statement(
      "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_status = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
      atIso,
      status,
      id,
      owner,
    ),
  failed: (id: string, owner: string, o: { dead: boolean; nextAttemptAt: string; status: number | null; error: string | null }) =>
    statement(
      'UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_status = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
      o.dead ? 'dead' : 'pending',
      o.nextAttemptAt,
      o.status,
      o.error,
      id,
      owner,
    ),
};

/**
 * Webhooks and their outbox on either store. A claim leases the rows it takes; the lease, committed,
 * keeps other nodes off a row while it is being sent. `claimRowLock` is how the claim's SELECT locks:
 * SQLite runs one transaction at a time and needs none; PostgreSQL passes the rows other nodes are
 * claiming at the same moment by (`FOR UPDATE OF d SKIP LOCKED`).
 */
export const sqlWebhooks = (db: SqlRunner, claimRowLock: string): WebhookStore => ({
  insertWebhook: async (w) => {
    await db.run(webhookSql.insert(w));
  },
  getWebhook: async (id) => {
    const r = await db.one(webhookSql.get(id));
    return r ? toWebhook(r) : null;
  },
  listWebhooks: async (deploymentId) => (await db.rows(webhookSql.list(deploymentId))).map(toWebhook),
  updateWebhook: async (w) => {
    await db.run(webhookSql.update(w));
  },
  deleteWebhook: async (id) => {
    await db.run(webhookSql.deleteDeliveriesOf(id));
    return (await db.run(webhookSql.delete(id))) === 1;
  },
  insertWebhookDelivery: async (d) => {
    await db.run(webhookSql.insertDelivery(d));
  },
  getWebhookDelivery: async (id) => {
    const r = await db.one(webhookSql.getDelivery(id));
    return r ? toWebhookDelivery(r) : null;
  },
  listWebhookDeliveries: async (f) => (await db.rows(webhookSql.listDeliveries(f))).map(toWebhookDelivery),
  claimWebhookDeliveries: async (c) => (await db.rows(webhookSql.claim(c, claimRowLock))).map(toWebhookDelivery).sort((a, b) => a.seq - b.seq),
  pruneWebhookDeliveries: async (before, limit) => db.run(webhookSql.prune(before, limit)),
  finishWebhookDelivery: async (id, owner, o) => (await db.run(o.delivered ? webhookSql.delivered(id, owner, o.atIso, o.status) : webhookSql.failed(id, owner, o))) === 1,
});
