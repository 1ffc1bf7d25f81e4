import type { FastifyInstance, FastifyRequest } from 'fastify';
import { richContent, webUrl, workflowResponses, type Visibility } from '@parley/protocol';
import { z } from 'zod';
import { checkUrl } from '../../core/chat-service.js';
import type { Authenticator } from '../../core/request-context.js';
import type { TicketService } from '../../core/ticket-service.js';
import type { WorkflowCaller, WorkflowService } from '../../core/workflow-service.js';
import { UI_EVENT_CLOSE_PROMOTION, UI_EVENT_UPDATE_PROMOTION } from '../../flows/engine.js';
import { errorReply, parseOr400 } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';
import { operationIdField, workflowOperationId } from './idempotency.js';
import { toWorkflowMessage, toWorkflowSession, toWorkflowTicket } from './wire.js';

const VIS: Record<string, Visibility> = { ALL: 'All', INT: 'Int', VIP: 'Vip' };
const visibility = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(['ALL', 'INT', 'VIP'], { message: 'Visibility must be ALL, INT or VIP' }))
  .default('ALL');

/** Seed 002 `Message`: MessageText required (unless Rich is given); MessageType, Nickname, Visibility optional; Rich: docs/rich-messages.md. */
const messageBody = z
  .object({
    MessageText: z.string().optional(),
    MessageType: z.string().max(128).optional(),
    Nickname: z.string().max(128).optional(),
    Visibility: visibility,
    Rich: richContent.optional(),
    operationId: operationIdField,
  })
  .refine((b) => (b.MessageText ?? '').length > 0 || b.Rich, { path: ['MessageText'], message: 'MessageText is required' });
/** Seed 002 `Notice`: NoticeType USER_PUSHED_URL (NoticeText a valid URL) or USER_CUSTOM. */
const noticeBody = z
  .object({
    NoticeType: z.enum(['USER_PUSHED_URL', 'USER_CUSTOM'], { message: 'NoticeType must be USER_PUSHED_URL or USER_CUSTOM' }),
    NoticeText: z.string().max(10_000).optional(),
    Nickname: z.string().max(128).optional(),
    Visibility: visibility,
    operationId: operationIdField,
  })
  .superRefine((n, ctx) => {
    if (n.NoticeType !== 'USER_PUSHED_URL') return;
    try {
      checkUrl(n.NoticeText);
    } catch {
      ctx.addIssue({ code: 'custom', path: ['NoticeText'], message: 'USER_PUSHED_URL needs a valid http(s) URL in NoticeText' });
    }
  });
const uiEventBody = z.object({
  name: z.enum([UI_EVENT_UPDATE_PROMOTION, UI_EVENT_CLOSE_PROMOTION]),
  data: z
    .object({
      title: z.string().max(500).optional(),
      options: z
        .array(z.union([z.object({ title: z.string().max(100), text: z.string().max(500) }), z.object({ title: z.string().max(100), url: webUrl })]))
        .max(5)
        .optional(),
    })
    .default({}),
  operationId: operationIdField,
});
const botReplyBody = z.object({
  replies: z
    .array(z.union([z.string(), z.object({ text: z.string().optional(), rich: richContent.optional() }).refine((r) => r.text || r.rich, 'a reply needs text or rich')]))
    .max(20)
    .optional(),
  handoff: z.object({ queue: z.string().max(128).optional(), priority: z.number().int().min(0).max(10).optional() }).optional(),
  end: z.boolean().optional(),
  operationId: operationIdField,
});
const sessionParams = z.object({ sessionId: z.string().uuid('sessionId must be a UUID') });
const ticketParams = z.object({ ticketId: z.string().uuid('ticketId must be a UUID') });
const ticketQuery = z.object({ sessionId: z.string().uuid().optional(), state: z.enum(['open', 'closed', 'all']).default('open') });
const closeBody = z.object({ comments: z.string().max(2000).default('') });

export const WORKFLOW_PREFIX = '/workflow/v1';
const FORMS = ['application/json', 'application/x-www-form-urlencoded'];
const ONCE = ' A body `operationId` or an `Idempotency-Key` header (1-128 characters) makes a retry apply once';

/**
 * The workflow API (seed 002 and seed 004), a Fastify plugin registered under WORKFLOW_PREFIX:
 * routing workflows, bots and back ends put messages and notices into sessions, read attached data,
 * send UI events, hand off, and list and close tickets. Authenticated with a deployment's *server*
 * key (`x-api-key`), never a public page key, before any handler runs; handlers parse, call core's
 * WorkflowService or TicketService, and map the answer.
 */
export async function workflowApi(app: FastifyInstance, deps: { workflows: WorkflowService; tickets: TicketService; authn: Authenticator; openapi: OpenApiRegistry }): Promise<void> {
  const { workflows, tickets } = deps;
  const P = WORKFLOW_PREFIX;
  const doc = deps.openapi.add.bind(deps.openapi);
  app.addHook('preHandler', async (req) => {
    const key = req.headers['x-api-key'];
    req.principal = await deps.authn.backEnd(typeof key === 'string' ? key : undefined);
  });
  app.setErrorHandler((err, req, reply) => errorReply(req, reply, err));
  /** The deployment whose server key the request carries (set by the preHandler before any handler runs). */
  const callerOf = (req: FastifyRequest): WorkflowCaller => {
    if (req.principal?.kind !== 'backEnd') throw new Error('workflow route reached without its preHandler');
    return req.principal.deployment;
  };
  const sessionIdOf = (req: FastifyRequest) => parseOr400(sessionParams, req.params, 'path').sessionId;

  doc({
    method: 'get',
    path: `${P}/sessions/:sessionId`,
    tag: 'workflow',
    summary: 'A session and its attached data, with IsOnline and ChatServerAppName (seed 002)',
    security: ['apiKey'],
    response: workflowResponses.session,
  });
  app.get('/sessions/:sessionId', async (req) => toWorkflowSession(await workflows.session(callerOf(req), sessionIdOf(req))));

  doc({
    method: 'post',
    path: `${P}/sessions/:sessionId/message`,
    tag: 'workflow',
    summary: `Seed 002 Message: MessageText, MessageType, Nickname, Visibility (ALL|INT|VIP); Rich: quick replies, buttons, card, carousel or list picker (docs/rich-messages.md).${ONCE}: it answers with the first message.`,
    body: messageBody,
    bodyContentTypes: FORMS,
    security: ['apiKey'],
    responses: { '200': '{message}', '400': 'missing MessageText or bad Visibility', '404': 'INVALID_SESSION: the chat is offline' },
    response: workflowResponses.message,
  });
  app.post('/sessions/:sessionId/message', async (req) => {
    const sessionId = sessionIdOf(req);
    const body = parseOr400(messageBody, req.body, 'Message');
    const input = {
      text: body.MessageText ?? '',
      visibility: VIS[body.Visibility]!,
      ...(body.Rich ? { rich: body.Rich } : {}),
      ...(body.MessageType ? { messageType: body.MessageType } : {}),
      ...(body.Nickname !== undefined ? { nickname: body.Nickname } : {}),
    };
    return { message: toWorkflowMessage(await workflows.message(callerOf(req), sessionId, input, workflowOperationId(req, body.operationId))) };
  });

  doc({
    method: 'post',
    path: `${P}/sessions/:sessionId/notice`,
    tag: 'workflow',
    summary: `Seed 002 Notice: NoticeType USER_PUSHED_URL (NoticeText a URL) or USER_CUSTOM.${ONCE}: it answers with the first message.`,
    body: noticeBody,
    bodyContentTypes: FORMS,
    security: ['apiKey'],
    response: workflowResponses.message,
  });
  app.post('/sessions/:sessionId/notice', async (req) => {
    const sessionId = sessionIdOf(req);
    const body = parseOr400(noticeBody, req.body, 'Notice');
    const common = { visibility: VIS[body.Visibility]!, ...(body.Nickname !== undefined ? { nickname: body.Nickname } : {}) };
    const notice = body.NoticeType === 'USER_PUSHED_URL' ? { kind: 'pushUrl' as const, url: body.NoticeText!, ...common } : { kind: 'custom' as const, text: body.NoticeText ?? '', ...common };
    return { message: toWorkflowMessage(await workflows.notice(callerOf(req), sessionId, notice, workflowOperationId(req, body.operationId))) };
  });

  doc({
    method: 'post',
    path: `${P}/sessions/:sessionId/ui-events`,
    tag: 'workflow',
    summary: `Send a UI event to the widget: ui-event-update-promotion {title, options} or ui-event-close-promotion (seed 004).${ONCE}: it answers with the first message.`,
    body: uiEventBody,
    security: ['apiKey'],
    response: workflowResponses.message,
  });
  app.post('/sessions/:sessionId/ui-events', async (req) => {
    const sessionId = sessionIdOf(req);
    const body = parseOr400(uiEventBody, req.body, 'UI event');
    return { message: toWorkflowMessage(await workflows.uiEvent(callerOf(req), sessionId, { name: body.name, data: body.data }, workflowOperationId(req, body.operationId))) };
  });

  doc({
    method: 'post',
    path: `${P}/sessions/:sessionId/bot-reply`,
    tag: 'workflow',
    summary: `An external bot answers: replies, a hand-off to a queue, or the end of the bot part.${ONCE}.`,
    body: botReplyBody,
    security: ['apiKey'],
    response: workflowResponses.botReply,
  });
  app.post('/sessions/:sessionId/bot-reply', async (req) => {
    const sessionId = sessionIdOf(req);
    const { operationId, ...answer } = parseOr400(botReplyBody, req.body, 'bot reply');
    await workflows.botReply(callerOf(req), sessionId, answer, workflowOperationId(req, operationId));
    return { accepted: true };
  });

  doc({
    method: 'get',
    path: `${P}/tickets`,
    tag: 'workflow',
    summary: 'Tickets (interactions) of this deployment: open, closed or all; optionally of one session',
    query: ticketQuery,
    security: ['apiKey'],
    response: workflowResponses.tickets,
  });
  app.get('/tickets', async (req) => ({ tickets: (await tickets.list(callerOf(req), parseOr400(ticketQuery, req.query, 'query'))).map(toWorkflowTicket) }));
  doc({ method: 'get', path: `${P}/tickets/:ticketId`, tag: 'workflow', summary: 'One ticket', security: ['apiKey'], response: workflowResponses.ticket });
  app.get('/tickets/:ticketId', async (req) => {
    const { ticketId } = parseOr400(ticketParams, req.params, 'path');
    return { ticket: toWorkflowTicket(await tickets.get(callerOf(req), ticketId)) };
  });
  doc({
    method: 'post',
    path: `${P}/tickets/:ticketId/close`,
    tag: 'workflow',
    summary: 'Close a ticket with comments (the agent is told and leaves)',
    body: closeBody,
    security: ['apiKey'],
    response: workflowResponses.ticket,
  });
  app.post('/tickets/:ticketId/close', async (req) => {
    const { ticketId } = parseOr400(ticketParams, req.params, 'path');
    const { comments } = parseOr400(closeBody, req.body ?? {}, 'close');
    return { ticket: toWorkflowTicket(await tickets.close(callerOf(req), ticketId, comments)) };
  });
}
