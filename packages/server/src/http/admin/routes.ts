import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AdminService } from '../../core/admin-service.js';
import type { StaffMember } from '../../core/admin/accounts.js';
import type { DeploymentInput } from '../../core/admin/deployments.js';
import { DEFAULT_CAPACITY, DEFAULT_OFFER_TIMEOUT_SECONDS } from '../../core/routing-service.js';
import { parseFlow } from '../../flows/definition.js';
import { START_FORM_FIELDS } from '../../core/start-form.js';
import { authorize } from '../../core/authorize.js';
import type { Authenticator } from '../../core/request-context.js';
import { errorReply, parseOr400 } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';
import { staffOf } from '../request-context.js';
import { registerWebhookRoutes } from './webhook-routes.js';
import { registerAuditRoutes } from './audit-routes.js';
import { registerCustomerRoutes } from './customer-routes.js';
import { registerBusinessHoursRoutes } from './business-hours.js';

const origin = z.string().refine((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o), 'origins look like https://shop.example (no path) or *');
const asyncMode = z.enum(['sync', 'async', 'client']);
const asyncPolicy = z.object({
  mode: asyncMode,
  endpoints: z
    .record(z.string().min(1).max(256), asyncMode)
    .refine((e) => Object.keys(e).length <= 100, 'at most 100 endpoints')
    .optional(),
  afterCompletion: z.enum(['route', 'notice']),
  noticeWindowSeconds: z
    .number()
    .int()
    .min(0)
    .max(86_400 * 30),
  noticeText: z.string().min(1).max(2000),
});
const deploymentBody = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'id: lower-case letters, digits and dashes')
    .optional(),
  name: z.string().min(1).max(200),
  allowedOrigins: z.array(origin).max(100).default([]),
  asyncPolicy: asyncPolicy.default({ mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: 'Thank you.' }),
  defaultQueue: z.string().min(1).max(128).default('Support'),
  settings: z
    .object({
      flow: z.unknown().optional(),
      idle: z
        .object({
          alertAfterSeconds: z.number().int().min(0),
          alertText: z.string().min(1).max(1000),
          closeAfterSeconds: z.number().int().min(0),
          closeText: z.string().min(1).max(1000),
          asyncCloseAfterSeconds: z.number().int().min(0),
        })
        .optional(),
      appName: z.string().max(128).optional(),
      retention: z
        .object({
          days: z.number().int().min(1).max(36_500),
          mode: z.enum(['delete', 'anonymize']),
        })
        .strict()
        .optional(),
      form: z
        .object({ fields: z.partialRecord(z.enum(START_FORM_FIELDS), z.union([z.enum(['required', 'optional']), z.literal(false)])) })
        .strict()
        .optional(),
    })
    .default({})
    .superRefine((s, ctx) => {
      if (s.flow === undefined || s.flow === null) return;
      try {
        parseFlow(s.flow);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['flow'], message: (err as Error).message });
      }
    }),
});
const queueBody = z.object({
  deploymentId: z.string().min(1),
  name: z.string().min(1).max(128),
  skills: z.array(z.string().min(1).max(64)).max(50).default([]),
  language: z.string().max(64).nullable().default(null),
  offerTimeoutSeconds: z.number().int().min(5).max(600).default(DEFAULT_OFFER_TIMEOUT_SECONDS),
  stickySeconds: z.number().int().min(0).max(86_400).default(120),
});
const agentFields = {
  password: z.string().min(8, 'password: at least 8 characters').max(256),
  displayName: z.string().min(1).max(128),
  role: z.enum(['agent', 'supervisor', 'admin']),
  capacity: z.number().int().min(1).max(50),
  skills: z.record(z.string().min(1).max(64), z.number().int().min(1).max(10)),
  languages: z.array(z.string().min(1).max(64)).max(20),
  queues: z.array(z.string().min(1).max(128)).max(100),
};
const agentBody = z.object({
  username: z.string().regex(/^[A-Za-z0-9._@-]{2,64}$/, 'username: 2-64 letters, digits, . _ @ -'),
  ...agentFields,
  role: agentFields.role.default('agent'),
  capacity: agentFields.capacity.default(DEFAULT_CAPACITY),
  skills: agentFields.skills.default({}),
  languages: agentFields.languages.default([]),
  queues: agentFields.queues.default([]),
});
// No defaults here: a field the body leaves out is not changed.
const agentPatch = z.object({ ...agentFields, disabled: z.boolean() }).partial();
const idParams = z.object({ id: z.string().min(1).max(128) });
const keyParams = idParams.extend({ keyId: z.string().max(128) });
const apiKeyBody = z.object({ label: z.string().min(1).max(64), kind: z.enum(['public', 'server']).default('public') });
const cannedBody = z.object({ title: z.string().min(1).max(128), text: z.string().min(1).max(4000) });
const wrapBody = z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), label: z.string().min(1).max(128) });

export const ADMIN_PREFIX = '/admin/v1';

/** The wire form of an account: never its password hash or token generation. */
const publicAgent = ({ account: a, profile: p }: StaffMember) => ({
  id: a.id,
  username: a.username,
  displayName: a.displayName,
  role: a.role,
  disabled: a.disabled,
  capacity: p.capacity,
  skills: p.skills,
  languages: p.languages,
  queues: p.queues,
  presence: p.presence,
});

/**
 * The admin API (a Fastify plugin, registered under ADMIN_PREFIX): deployments and their API keys,
 * queues, accounts, canned responses, wrap-up codes. Every request is an admin's (checked before
 * any handler); handlers parse, call core's AdminService and map its answer.
 */
export async function adminApi(app: FastifyInstance, deps: { admin: AdminService; authn: Authenticator; openapi: OpenApiRegistry }): Promise<void> {
  const { admin, authn } = deps;
  const P = ADMIN_PREFIX;
  const doc = deps.openapi.add.bind(deps.openapi);
  app.addHook('preHandler', async (req) => {
    authorize(await staffOf(req, authn), 'admin.manage');
  });
  app.setErrorHandler((err, req, reply) => errorReply(req, reply, err));

  doc({ method: 'get', path: `${P}/deployments`, tag: 'admin', summary: 'Deployments', security: ['bearer'] });
  app.get('/deployments', async () => ({ deployments: await admin.deployments.list() }));

  doc({ method: 'post', path: `${P}/deployments`, tag: 'admin', summary: 'Create a deployment; returns its first API key (shown once)', body: deploymentBody, security: ['bearer'] });
  app.post('/deployments', async (req, reply) => {
    const body = parseOr400(deploymentBody, req.body, 'deployment');
    const created = await admin.deployments.create({ ...body, settings: body.settings as DeploymentInput['settings'] });
    reply.code(201);
    return { deployment: created.deployment, apiKey: created.apiKey };
  });

  doc({ method: 'put', path: `${P}/deployments/:id`, tag: 'admin', summary: 'Replace a deployment’s settings', body: deploymentBody, security: ['bearer'] });
  app.put('/deployments/:id', async (req) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const body = parseOr400(deploymentBody, req.body, 'deployment');
    return { deployment: await admin.deployments.replace(id, { ...body, settings: body.settings as DeploymentInput['settings'] }) };
  });

  doc({ method: 'get', path: `${P}/deployments/:id/api-keys`, tag: 'admin', summary: 'API keys of a deployment (ids and labels; keys are stored hashed)', security: ['bearer'] });
  app.get('/deployments/:id/api-keys', async (req) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    return { apiKeys: await admin.deployments.listKeys(id) };
  });
  doc({ method: 'post', path: `${P}/deployments/:id/api-keys`, tag: 'admin', summary: 'Create an API key (shown once)', body: apiKeyBody, security: ['bearer'] });
  app.post('/deployments/:id/api-keys', async (req, reply) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    const { label, kind } = parseOr400(apiKeyBody, req.body, 'api key');
    const key = await admin.deployments.createKey(id, label, kind);
    reply.code(201);
    return { id: key.id, label: key.label, kind: key.kind, apiKey: key.apiKey };
  });
  doc({ method: 'delete', path: `${P}/deployments/:id/api-keys/:keyId`, tag: 'admin', summary: 'Revoke an API key', security: ['bearer'] });
  app.delete('/deployments/:id/api-keys/:keyId', async (req) => {
    const { id, keyId } = parseOr400(keyParams, req.params, 'path');
    await admin.deployments.revokeKey(id, keyId);
    return { revoked: true };
  });

  doc({ method: 'get', path: `${P}/queues`, tag: 'admin', summary: 'Queues', security: ['bearer'] });
  app.get('/queues', async () => ({ queues: await admin.queues.list() }));
  doc({ method: 'post', path: `${P}/queues`, tag: 'admin', summary: 'Create or replace a queue (by deployment and name)', body: queueBody, security: ['bearer'] });
  app.post('/queues', async (req) => ({ queue: await admin.queues.put(parseOr400(queueBody, req.body, 'queue')) }));
  doc({ method: 'delete', path: `${P}/queues/:id`, tag: 'admin', summary: 'Delete a queue', security: ['bearer'] });
  app.delete('/queues/:id', async (req) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    await admin.queues.delete(id);
    return { deleted: true };
  });

  doc({ method: 'get', path: `${P}/agents`, tag: 'admin', summary: 'Accounts with their routing profile', security: ['bearer'] });
  app.get('/agents', async () => ({ agents: (await admin.accounts.list()).map(publicAgent) }));
  doc({ method: 'post', path: `${P}/agents`, tag: 'admin', summary: 'Create an account (agent, supervisor or admin) with its routing profile', body: agentBody, security: ['bearer'] });
  app.post('/agents', async (req, reply) => {
    const member = await admin.accounts.create(parseOr400(agentBody, req.body, 'agent'));
    reply.code(201);
    return { agent: publicAgent(member) };
  });
  doc({
    method: 'put',
    path: `${P}/agents/:id`,
    tag: 'admin',
    summary:
      'Change an account (only the fields given): password, name, role, disabled, capacity, skills, languages, queues. Password, role and disabled changes log the account out everywhere; the last admin cannot be demoted or disabled',
    body: agentPatch,
    security: ['bearer'],
  });
  app.put('/agents/:id', async (req) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    return { agent: publicAgent(await admin.accounts.update(id, parseOr400(agentPatch, req.body, 'agent'))) };
  });

  doc({ method: 'post', path: `${P}/canned-responses`, tag: 'admin', summary: 'Add a canned response', body: cannedBody, security: ['bearer'] });
  app.post('/canned-responses', async (req, reply) => {
    const cannedResponse = await admin.cannedResponses.add(parseOr400(cannedBody, req.body, 'canned response'));
    reply.code(201);
    return { cannedResponse };
  });
  doc({ method: 'delete', path: `${P}/canned-responses/:id`, tag: 'admin', summary: 'Delete a canned response', security: ['bearer'] });
  app.delete('/canned-responses/:id', async (req) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    await admin.cannedResponses.delete(id);
    return { deleted: true };
  });
  doc({ method: 'post', path: `${P}/wrap-up-codes`, tag: 'admin', summary: 'Add or rename a wrap-up code', body: wrapBody, security: ['bearer'] });
  app.post('/wrap-up-codes', async (req) => ({ wrapUpCode: await admin.wrapUpCodes.put(parseOr400(wrapBody, req.body, 'wrap-up code')) }));
  doc({ method: 'delete', path: `${P}/wrap-up-codes/:id`, tag: 'admin', summary: 'Delete a wrap-up code', security: ['bearer'] });
  app.delete('/wrap-up-codes/:id', async (req) => {
    const { id } = parseOr400(idParams, req.params, 'path');
    await admin.wrapUpCodes.delete(id);
    return { deleted: true };
  });

  registerWebhookRoutes(app, { admin, openapi: deps.openapi, prefix: P });
  registerAuditRoutes(app, { admin, openapi: deps.openapi, prefix: P });
  registerCustomerRoutes(app, { admin, openapi: deps.openapi, prefix: P });
  registerBusinessHoursRoutes(app, admin, deps.openapi, P);
}
