import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AdminService } from '../../core/admin-service.js';
import type { CustomerKey } from '../../core/customer-data.js';
import { ChatError } from '../../core/errors.js';
import { parseOr400 } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';

/** One of: a session id, an e-mail address (any user-data value equal to it, case-insensitive), or a customer id under a user-data key (default `customerId`). */
const customerKey = z
  .object({
    sessionId: z.string().min(1).max(128).optional(),
    email: z.string().min(3).max(320).optional(),
    customerId: z.string().min(1).max(256).optional(),
    key: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/)
      .default('customerId'),
  })
  .strict();

function keyOf(input: z.infer<typeof customerKey>): { key: CustomerKey; by: string } {
  const given = [input.sessionId, input.email, input.customerId].filter((v) => v !== undefined).length;
  if (given !== 1) throw new ChatError('INVALID_REQUEST', 'give exactly one of sessionId, email, customerId');
  if (input.sessionId) return { key: { sessionId: input.sessionId }, by: 'sessionId' };
  if (input.email) return { key: { email: input.email }, by: 'email' };
  return { key: { customerId: input.customerId!, key: input.key }, by: 'customerId' };
}

/** GDPR access and erasure of one customer's data. */
export function registerCustomerRoutes(app: FastifyInstance, deps: { admin: AdminService; openapi: OpenApiRegistry; prefix: string }): void {
  const { admin } = deps;
  const P = deps.prefix;
  const doc = deps.openapi.add.bind(deps.openapi);

  // POST, not GET: the key (an e-mail address) stays out of URLs, and so out of proxy and access logs.
  doc({
    method: 'post',
    path: `${P}/customers/export`,
    tag: 'admin',
    summary: 'Everything stored about a customer (by sessionId, email, or customerId [+ key]) as JSON: sessions, participants, messages, interactions, files (base64), flow runs',
    body: customerKey,
    security: ['bearer'],
  });
  app.post('/customers/export', async (req, reply) => {
    const { key, by } = keyOf(parseOr400(customerKey, req.body, 'customer'));
    const exported = await admin.customers.export(key);
    reply.header('content-disposition', 'attachment; filename="parley-customer.json"');
    reply.header('cache-control', 'no-store');
    return { by, ...exported };
  });

  doc({
    method: 'post',
    path: `${P}/customers/erase`,
    tag: 'admin',
    summary: 'Erase a customer (by sessionId, email, or customerId [+ key]): their sessions go from every table and their files from the file store',
    body: customerKey,
    security: ['bearer'],
  });
  app.post('/customers/erase', async (req) => {
    const { key, by } = keyOf(parseOr400(customerKey, req.body, 'customer'));
    return { by, erased: await admin.customers.erase(key) };
  });
}
