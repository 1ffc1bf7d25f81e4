import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ChatError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { DEFAULT_CAPACITY, DEFAULT_OFFER_TIMEOUT_SECONDS, defaultProfile } from '../../core/routing-service.js';
import { hashApiKey, hashPassword, randomToken } from '../../core/secrets.js';
import { parseFlow } from '../../flows/definition.js';
import type { StaffAuth } from '../../core/staff-auth.js';
import { updateStaffAccount } from '../../core/staff-accounts.js';
import type { Account, Deployment, Store } from '../../ports/store.js';
import { staffAccount } from '../agent/staff-auth.js';
import { errorReply, parseOr400 } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';

const origin = z.string().refine((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o), 'origins look like https://shop.example (no path) or *');
const asyncMode = z.enum(['sync', 'async', 'client']);
const asyncPolicy = z.object({
  mode: asyncMode,
  endpoints: z
    .record(z.string().min(1).max(256), asyncMode)
    .refine((e) => Object.keys(e).length <= 100, 'at most 100 endpoints')
    .optional(),
  afterCompletion: z.enum(['route', 'notice']),
  noticeWindowSeconds: z.number().int().min(0).max(86_400 * 30),
  noticeText: z.string().min(1).max(2000),
});
const deploymentBody = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'id: lower-case letters, digits and dashes').optional(),
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

/** The admin API: deployments and their API keys, queues, agents, canned responses, wrap-up codes. */
export function registerAdminApi(app: FastifyInstance, deps: { store: Store; auth: StaffAuth; openapi: OpenApiRegistry }): void {
  const { store, auth } = deps;
  const P = '/admin/v1';
  const doc = deps.openapi.add.bind(deps.openapi);
  const route =
    (fn: (req: FastifyRequest, reply: FastifyReply, account: Account) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        return await fn(req, reply, await staffAccount(req, auth, ['admin']));
      } catch (err) {
        return errorReply(req, reply, err);
      }
    };
  const now = () => new Date().toISOString();

  doc({ method: 'get', path: `${P}/deployments`, tag: 'admin', summary: 'Deployments', security: ['bearer'] });
  app.get(`${P}/deployments`, route(async () => ({ deployments: await store.tx((tx) => tx.listDeployments()) })));

  doc({ method: 'post', path: `${P}/deployments`, tag: 'admin', summary: 'Create a deployment; returns its first API key (shown once)', body: deploymentBody, security: ['bearer'] });
  app.post(
    `${P}/deployments`,
    route(async (req, reply) => {
      const body = parseOr400(deploymentBody, req.body, 'deployment');
      const d: Deployment = { id: body.id ?? newId(), name: body.name, allowedOrigins: body.allowedOrigins, asyncPolicy: body.asyncPolicy, defaultQueue: body.defaultQueue, createdAt: now(), settings: body.settings as Deployment['settings'] };
      const apiKey = `pk_${randomToken(24)}`;
      await store.tx(async (tx) => {
        if (await tx.getDeployment(d.id)) throw new ChatError('CONFLICT', `deployment ${d.id} exists`);
        await tx.insertDeployment(d);
        await tx.addApiKey(d.id, hashApiKey(apiKey), 'default');
      });
      reply.code(201);
      return { deployment: d, apiKey };
    }),
  );

  doc({ method: 'put', path: `${P}/deployments/:id`, tag: 'admin', summary: 'Replace a deployment’s settings', body: deploymentBody, security: ['bearer'] });
  app.put(
    `${P}/deployments/:id`,
    route(async (req) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      const body = parseOr400(deploymentBody, req.body, 'deployment');
      return store.tx(async (tx) => {
        const existing = await tx.getDeployment(id);
        if (!existing) throw new ChatError('NOT_FOUND', 'deployment not found');
        const d = { ...existing, name: body.name, allowedOrigins: body.allowedOrigins, asyncPolicy: body.asyncPolicy, defaultQueue: body.defaultQueue, settings: body.settings as Deployment['settings'] };
        await tx.updateDeployment(d);
        return { deployment: d };
      });
    }),
  );

  doc({ method: 'get', path: `${P}/deployments/:id/api-keys`, tag: 'admin', summary: 'API keys of a deployment (ids and labels; keys are stored hashed)', security: ['bearer'] });
  app.get(
    `${P}/deployments/:id/api-keys`,
    route(async (req) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      const keys = await store.tx((tx) => tx.listApiKeys(id));
      return { apiKeys: keys.map((k) => ({ id: k.keyHash.slice(0, 16), label: k.label, kind: k.kind })) };
    }),
  );
  doc({ method: 'post', path: `${P}/deployments/:id/api-keys`, tag: 'admin', summary: 'Create an API key (shown once)', body: z.object({ label: z.string().min(1).max(64) }), security: ['bearer'] });
  app.post(
    `${P}/deployments/:id/api-keys`,
    route(async (req, reply) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      const { label, kind } = parseOr400(z.object({ label: z.string().min(1).max(64), kind: z.enum(['public', 'server']).default('public') }), req.body, 'api key');
      const apiKey = `${kind === 'server' ? 'sk' : 'pk'}_${randomToken(24)}`;
      await store.tx(async (tx) => {
        if (!(await tx.getDeployment(id))) throw new ChatError('NOT_FOUND', 'deployment not found');
        await tx.addApiKey(id, hashApiKey(apiKey), label, kind);
      });
      reply.code(201);
      return { id: hashApiKey(apiKey).slice(0, 16), label, kind, apiKey };
    }),
  );
  doc({ method: 'delete', path: `${P}/deployments/:id/api-keys/:keyId`, tag: 'admin', summary: 'Revoke an API key', security: ['bearer'] });
  app.delete(
    `${P}/deployments/:id/api-keys/:keyId`,
    route(async (req) => {
      const { id, keyId } = req.params as { id: string; keyId: string };
      if (!/^[0-9a-f]{16}$/.test(keyId)) throw new ChatError('INVALID_REQUEST', 'keyId is the 16-character id from the key list');
      if (!(await store.tx((tx) => tx.deleteApiKey(id, keyId)))) throw new ChatError('NOT_FOUND', 'no such key');
      return { revoked: true };
    }),
  );

  doc({ method: 'get', path: `${P}/queues`, tag: 'admin', summary: 'Queues', security: ['bearer'] });
  app.get(`${P}/queues`, route(async () => ({ queues: await store.tx((tx) => tx.listQueues()) })));
  doc({ method: 'post', path: `${P}/queues`, tag: 'admin', summary: 'Create or replace a queue (by deployment and name)', body: queueBody, security: ['bearer'] });
  app.post(
    `${P}/queues`,
    route(async (req) => {
      const body = parseOr400(queueBody, req.body, 'queue');
      return store.tx(async (tx) => {
        if (!(await tx.getDeployment(body.deploymentId))) throw new ChatError('NOT_FOUND', 'deployment not found');
        const existing = await tx.getQueue(body.deploymentId, body.name);
        const queue = { id: existing?.id ?? newId(), ...body };
        await tx.upsertQueue(queue);
        return { queue };
      });
    }),
  );
  doc({ method: 'delete', path: `${P}/queues/:id`, tag: 'admin', summary: 'Delete a queue', security: ['bearer'] });
  app.delete(
    `${P}/queues/:id`,
    route(async (req) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      if (!(await store.tx((tx) => tx.deleteQueue(id)))) throw new ChatError('NOT_FOUND', 'no such queue');
      return { deleted: true };
    }),
  );

  const publicAgent = async (a: Account) => {
    const p = (await store.tx((tx) => tx.getProfile(a.id))) ?? defaultProfile(a.id, now());
    return { id: a.id, username: a.username, displayName: a.displayName, role: a.role, disabled: a.disabled, capacity: p.capacity, skills: p.skills, languages: p.languages, queues: p.queues, presence: p.presence };
  };
  doc({ method: 'get', path: `${P}/agents`, tag: 'admin', summary: 'Accounts with their routing profile', security: ['bearer'] });
  app.get(
    `${P}/agents`,
    route(async () => {
      const accounts = await store.tx((tx) => tx.listAccounts());
      return { agents: await Promise.all(accounts.map(publicAgent)) };
    }),
  );
  doc({ method: 'post', path: `${P}/agents`, tag: 'admin', summary: 'Create an account (agent, supervisor or admin) with its routing profile', body: agentBody, security: ['bearer'] });
  app.post(
    `${P}/agents`,
    route(async (req, reply) => {
      const body = parseOr400(agentBody, req.body, 'agent');
      const account: Account = { id: newId(), username: body.username, displayName: body.displayName, passwordHash: await hashPassword(body.password), role: body.role, createdAt: now(), tokenGeneration: 0, disabled: false };
      await store.tx(async (tx) => {
        if (await tx.getAccountByUsername(body.username)) throw new ChatError('CONFLICT', `username ${body.username} is taken`);
        await tx.insertAccount(account);
        await tx.upsertProfile({ ...defaultProfile(account.id, now()), capacity: body.capacity, skills: body.skills, languages: body.languages, queues: body.queues });
      });
      reply.code(201);
      return { agent: await publicAgent(account) };
    }),
  );
  doc({ method: 'put', path: `${P}/agents/:id`, tag: 'admin', summary: 'Change an account (only the fields given): password, name, role, disabled, capacity, skills, languages, queues. Password, role and disabled changes log the account out everywhere; the last admin cannot be demoted or disabled', body: agentPatch, security: ['bearer'] });
  app.put(
    `${P}/agents/:id`,
    route(async (req) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      const body = parseOr400(agentPatch, req.body, 'agent');
      return { agent: await publicAgent(await updateStaffAccount(store, auth, id, body, now())) };
    }),
  );

  const cannedBody = z.object({ title: z.string().min(1).max(128), text: z.string().min(1).max(4000) });
  doc({ method: 'post', path: `${P}/canned-responses`, tag: 'admin', summary: 'Add a canned response', body: cannedBody, security: ['bearer'] });
  app.post(
    `${P}/canned-responses`,
    route(async (req, reply) => {
      const c = { id: newId(), ...parseOr400(cannedBody, req.body, 'canned response') };
      await store.tx((tx) => tx.insertCannedResponse(c));
      reply.code(201);
      return { cannedResponse: c };
    }),
  );
  doc({ method: 'delete', path: `${P}/canned-responses/:id`, tag: 'admin', summary: 'Delete a canned response', security: ['bearer'] });
  app.delete(
    `${P}/canned-responses/:id`,
    route(async (req) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      if (!(await store.tx((tx) => tx.deleteCannedResponse(id)))) throw new ChatError('NOT_FOUND', 'no such canned response');
      return { deleted: true };
    }),
  );
  const wrapBody = z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), label: z.string().min(1).max(128) });
  doc({ method: 'post', path: `${P}/wrap-up-codes`, tag: 'admin', summary: 'Add or rename a wrap-up code', body: wrapBody, security: ['bearer'] });
  app.post(
    `${P}/wrap-up-codes`,
    route(async (req) => {
      const c = parseOr400(wrapBody, req.body, 'wrap-up code');
      await store.tx((tx) => tx.upsertWrapUpCode(c));
      return { wrapUpCode: c };
    }),
  );
  doc({ method: 'delete', path: `${P}/wrap-up-codes/:id`, tag: 'admin', summary: 'Delete a wrap-up code', security: ['bearer'] });
  app.delete(
    `${P}/wrap-up-codes/:id`,
    route(async (req) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      if (!(await store.tx((tx) => tx.deleteWrapUpCode(id)))) throw new ChatError('NOT_FOUND', 'no such code');
      return { deleted: true };
    }),
  );
}
