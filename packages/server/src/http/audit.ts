import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { auditDetails, type AuditTrail } from '../core/audit-trail.js';
import { appendRouteHook } from './route-hooks.js';
import type { Account } from '../core/types.js';

/**
 * The audit trail's one hook: every staff and admin request that changes something is recorded
 * (who, what, target, details, address, status) before its answer goes out. Which routes, and under
 * what action name, is the table below; an admin route that changes something and is not in it is
 * recorded all the same, under its method and path. Actors are noted by the authentication of each
 * API (`noteActor`), so nothing is authenticated twice.
 */
type Target = { type: string; id: string } | null;
interface Audited {
  action: string;
  /** What the action acted on, from the path parameters, the request body or the answer. */
  target?: (params: Record<string, string>, body: any, answer: any, actor: Account | undefined) => Target;
  /** Record refusals too (failed logins); otherwise only 2xx answers are actions that happened. */
  failures?: boolean;
  /** The request body and query are not recorded (they carry a password, message text, personal data, or nothing of interest). */
  noBody?: boolean;
  /** Details of its own (from the body or query, and the answer) instead of the request's. */
  details?: (input: any, answer: any) => Record<string, unknown>;
}

const param =
  (type: string, name = 'id') =>
  (p: Record<string, string>): Target =>
    p[name] ? { type, id: p[name]! } : null;
const self = (_p: Record<string, string>, _b: unknown, _a: unknown, actor: Account | undefined): Target => (actor ? { type: 'account', id: actor.id } : null);

const keyKind = (q: any) => (q?.sessionId ? 'sessionId' : q?.email ? 'email' : q?.customerId ? 'customerId' : null);
const AGENT = '/agent/v1';
const ADMIN = '/admin/v1';
export const AUDITED_ROUTES: Readonly<Record<string, Audited>> = {
  [`POST ${AGENT}/login`]: { action: 'staff.login', target: self, failures: true, noBody: true },
  [`POST ${AGENT}/logout`]: { action: 'staff.logout', target: self, noBody: true },
  [`PUT ${AGENT}/me/presence`]: { action: 'presence.set', target: self },
  [`PUT ${AGENT}/agents/:id/presence`]: { action: 'presence.set', target: param('account') },
  [`POST ${AGENT}/interactions/:id/accept`]: { action: 'interaction.accept', target: param('interaction') },
  [`POST ${AGENT}/interactions/:id/reject`]: { action: 'interaction.reject', target: param('interaction') },
  [`POST ${AGENT}/interactions/:id/transfer`]: { action: 'interaction.transfer', target: param('interaction') },
  [`POST ${AGENT}/interactions/:id/done`]: { action: 'interaction.done', target: param('interaction') },
  [`POST ${AGENT}/interactions/:id/complete`]: { action: 'interaction.complete', target: param('interaction') },
  [`POST ${AGENT}/sessions/:id/leave`]: { action: 'session.leave', target: param('session') },
  [`POST ${AGENT}/sessions/:id/follow-up`]: { action: 'session.follow_up', target: param('session') },
  [`POST ${AGENT}/sessions/:id/conference`]: { action: 'session.conference', target: param('session') },
  [`POST ${AGENT}/sessions/:id/monitor`]: { action: 'session.monitor', target: param('session') },
  [`POST ${AGENT}/sessions/:id/whisper`]: { action: 'session.whisper', target: param('session') },
  [`POST ${AGENT}/sessions/:id/barge`]: { action: 'session.barge', target: param('session') },
  [`POST ${AGENT}/sessions/:id/contact/notes`]: { action: 'contact.note.add', target: param('session') },
  [`POST ${ADMIN}/deployments`]: { action: 'admin.deployment.create', target: (_p, b, a) => ({ type: 'deployment', id: a?.deployment?.id ?? b?.id }) },
  [`PUT ${ADMIN}/deployments/:id`]: { action: 'admin.deployment.update', target: param('deployment') },
  [`POST ${ADMIN}/deployments/:id/api-keys`]: { action: 'admin.api_key.create', target: (p, _b, a) => ({ type: 'api_key', id: `${p.id}/${a?.id}` }) },
  [`DELETE ${ADMIN}/deployments/:id/api-keys/:keyId`]: { action: 'admin.api_key.revoke', target: (p) => ({ type: 'api_key', id: `${p.id}/${p.keyId}` }) },
  [`PUT ${ADMIN}/deployments/:id/business-hours`]: { action: 'admin.business_hours.put', target: param('deployment') },
  [`DELETE ${ADMIN}/deployments/:id/business-hours`]: { action: 'admin.business_hours.delete', target: param('deployment') },
  [`POST ${ADMIN}/queues`]: { action: 'admin.queue.put', target: (_p, _b, a) => (a?.queue?.id ? { type: 'queue', id: a.queue.id } : null) },
  [`DELETE ${ADMIN}/queues/:id`]: { action: 'admin.queue.delete', target: param('queue') },
  [`POST ${ADMIN}/agents`]: { action: 'admin.account.create', target: (_p, _b, a) => (a?.agent?.id ? { type: 'account', id: a.agent.id } : null) },
  [`PUT ${ADMIN}/agents/:id`]: { action: 'admin.account.update', target: param('account') },
  [`POST ${ADMIN}/canned-responses`]: { action: 'admin.canned_response.create', target: (_p, _b, a) => (a?.cannedResponse?.id ? { type: 'canned_response', id: a.cannedResponse.id } : null) },
  [`DELETE ${ADMIN}/canned-responses/:id`]: { action: 'admin.canned_response.delete', target: param('canned_response') },
  [`POST ${ADMIN}/wrap-up-codes`]: { action: 'admin.wrap_up_code.put', target: (_p, b) => (b?.code ? { type: 'wrap_up_code', id: String(b.code) } : null) },
  [`DELETE ${ADMIN}/wrap-up-codes/:id`]: { action: 'admin.wrap_up_code.delete', target: param('wrap_up_code') },
  [`POST ${ADMIN}/webhooks`]: { action: 'admin.webhook.create', target: (_p, _b, a) => (a?.webhook?.id ? { type: 'webhook', id: a.webhook.id } : null) },
  [`PUT ${ADMIN}/webhooks/:id`]: { action: 'admin.webhook.update', target: param('webhook') },
  [`DELETE ${ADMIN}/webhooks/:id`]: { action: 'admin.webhook.delete', target: param('webhook') },
  [`POST ${ADMIN}/webhook-deliveries/:id/replay`]: { action: 'admin.webhook.replay', target: param('webhook_delivery') },
  // A customer's data: neither the key (an e-mail, a customer id) nor the answer goes into the trail.
  [`POST ${ADMIN}/customers/erase`]: { action: 'admin.customer.erase', noBody: true, details: (_b, a) => ({ by: a?.by, sessions: a?.erased?.sessions, files: a?.erased?.files }) },
  [`POST ${ADMIN}/customers/export`]: { action: 'admin.customer.export', noBody: true, details: (b, a) => ({ by: keyKind(b), sessions: a?.sessions?.length }) },
  // Reads worth a trace: the trail's own export.
  [`GET ${ADMIN}/audit/export`]: { action: 'admin.audit.export' },
};

const actors = new WeakMap<FastifyRequest, Account>();

/** Called by each API's authentication with the account it found (and by the login with the account that logged in). */
export function noteActor(req: FastifyRequest, account: Account): void {
  actors.set(req, account);
}

export function registerAuditTrail(app: FastifyInstance, trail: AuditTrail): void {
  const record = async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const url = req.routeOptions.url;
    if (!url) return payload;
    const audited = auditedAs(req.method, url);
    if (!audited) return payload;
    const ok = reply.statusCode >= 200 && reply.statusCode < 300;
    if (!ok && !audited.failures) return payload;
    const account = actors.get(req) ?? (req.principal?.kind === 'staff' ? req.principal.account : undefined);
    const body = req.body as any;
    const username = typeof body?.username === 'string' ? body.username : '';
    if (!account && !username) return payload;
    let answer: unknown = null;
    if (ok && typeof payload === 'string' && payload.length < 64_000) {
      try {
        answer = JSON.parse(payload);
      } catch {
        answer = null;
      }
    }
    const params = (req.params ?? {}) as Record<string, string>;
    try {
      await trail.record({
        actor: account ? { account } : { username },
        action: ok || !audited.failures ? audited.action : `${audited.action}_failed`,
        target: audited.target?.(params, body, answer, account) ?? null,
        details: audited.details ? audited.details(req.method === 'GET' ? req.query : body, answer) : audited.noBody ? {} : { ...auditDetails(req.query), ...auditDetails(body) },
        ip: req.ip,
        status: reply.statusCode,
      });
    } catch (err) {
      req.log.error({ err, action: audited.action }, 'audit entry not recorded');
    }
    return payload;
  };
  // Only the routes that are audited carry the hook: the others (the chat APIs' hot paths) pay nothing.
  app.addHook('onRoute', (route) => {
    if (![route.method].flat().some((method) => auditedAs(method, route.url))) return;
    appendRouteHook(route, 'onSend', record);
  });
}

/** The action a request to this route pattern is recorded as, if it is recorded at all. */
function auditedAs(method: string, url: string): Audited | undefined {
  return (
    AUDITED_ROUTES[`${method} ${url}`] ?? (url.startsWith(`${ADMIN}/`) && method !== 'GET' && method !== 'HEAD' ? { action: `admin.${method.toLowerCase()} ${url.slice(ADMIN.length)}` } : undefined)
  );
}
