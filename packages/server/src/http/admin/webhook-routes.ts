import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { VISIBILITIES, WEBHOOK_EVENT_TYPES, webUrl } from '@parley/protocol';
import type { AdminService } from '../../core/admin-service.js';
import type { WebhookDelivery } from '../../core/types.js';
import { parseOr400 } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';

const webhookFields = {
  url: webUrl.refine((u) => u.length <= 2000, 'at most 2000 characters'),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length),
  visibilities: z.array(z.enum(VISIBILITIES)).min(1).max(3),
  enabled: z.boolean(),
};
const webhookBody = z.object({ deploymentId: z.string().min(1).max(128), ...webhookFields, visibilities: webhookFields.visibilities.default(['All']), enabled: webhookFields.enabled.default(true) });
const webhookPatch = z.object({ ...webhookFields, rotateSecret: z.boolean() }).partial();
const listQuery = z.object({ deploymentId: z.string().max(128).optional() });
const deliveriesQuery = z.object({
  state: z.enum(['pending', 'delivered', 'dead']).optional(),
  sessionId: z.string().max(128).optional(),
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const idParams = z.object({ id: z.string().min(1).max(128) });

/** The wire form of an outbox row: what was sent (the event), where it stands, and the last failure. */
const toDelivery = (d: WebhookDelivery) => ({
  id: d.id,
  seq: d.seq,
  webhookId: d.webhookId,
  eventId: d.eventId,
  eventType: d.eventType,
  sessionId: d.orderingKey,
  event: JSON.parse(d.payload) as unknown,
  createdAt: d.createdAt,
  state: d.state,
  attempts: d.attempts,
  nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt : null,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  deliveredAt: d.deliveredAt,
  replayOf: d.replayOf,
});

/** Webhook subscriptions and their outbox, inside the admin plugin (its authentication and error mapping apply). */
export function registerWebhookRoutes(app: FastifyInstance, deps: { admin: AdminService; openapi: OpenApiRegistry; prefix: string }): void {
  const { admin } = deps;
  const P = deps.prefix;
  const doc = deps.openapi.add.bind(deps.openapi);

  doc({ method: 'get', path: `${P}/webhooks`, tag: 'admin', summary: 'Webhooks (all, or a deployment’s); secrets are never listed', query: listQuery, security: ['bearer'] });
  app.get('/webhooks', async (req) => ({ webhooks: await admin.webhooks.list(parseOr400(listQuery, req.query, 'query').deploymentId) }));

  doc({
    method: 'post',
    path: `${P}/webhooks`,
    tag: 'admin',
    summary: `Subscribe a URL to a deployment’s events (${WEBHOOK_EVENT_TYPES.join(', ')}); returns the signing secret (shown once)`,
    body: webhookBody,
    security: ['bearer'],
    responses: { '201': '{webhook, secret}' },
  });
  app.post('/webhooks', async (req, reply) => {
    const created = await admin.webhooks.create(parseOr400(webhookBody, req.body, 'webhook'));
    reply.code(201);
    return created;
  });

  doc({
    method: 'put',
    path: `${P}/webhooks/:id`,
    tag: 'admin',
    summary: 'Change a webhook (only the fields given); rotateSecret answers a new secret once',
    body: webhookPatch,
    security: ['bearer'],
  });
  app.put('/webhooks/:id', async (req) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    return admin.webhooks.update(id, parseOr400(webhookPatch, req.body, 'webhook'));
  });

  doc({ method: 'delete', path: `${P}/webhooks/:id`, tag: 'admin', summary: 'Delete a webhook and its outbox', security: ['bearer'] });
  app.delete('/webhooks/:id', async (req) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    await admin.webhooks.delete(id);
    return { deleted: true };
  });

  doc({
    method: 'get',
    path: `${P}/webhooks/:id/deliveries`,
    tag: 'admin',
    summary: 'A webhook’s outbox, newest first (filter by state or session; page with before=<seq>)',
    query: deliveriesQuery,
    security: ['bearer'],
  });
  app.get('/webhooks/:id/deliveries', async (req) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const q = parseOr400(deliveriesQuery, req.query, 'query');
    const list = await admin.webhooks.deliveries(id, q);
    return { deliveries: list.map(toDelivery), ...(list.length === q.limit ? { next: list[list.length - 1]!.seq } : {}) };
  });

  doc({
    method: 'post',
    path: `${P}/webhook-deliveries/:id/replay`,
    tag: 'admin',
    summary: 'Send a delivery’s event again (same body and event id), after the session’s other pending events',
    security: ['bearer'],
    responses: { '201': '{delivery}' },
  });
  app.post('/webhook-deliveries/:id/replay', async (req, reply) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    reply.code(201);
    return { delivery: toDelivery(await admin.webhooks.replay(id)) };
  });
}
