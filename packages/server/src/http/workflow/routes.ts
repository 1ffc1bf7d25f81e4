import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { webUrl, workflowResponses, type Visibility } from '@parley/protocol';
import { z } from 'zod';
import type { ChatService } from '../../core/chat-service.js';
import { ChatError } from '../../core/errors.js';
import { checkUrl } from '../../core/chat-service.js';
import { hashApiKey } from '../../core/secrets.js';
import type { FlowEngine } from '../../flows/engine.js';
import { UI_EVENT_CLOSE_PROMOTION, UI_EVENT_UPDATE_PROMOTION } from '../../flows/engine.js';
import { topics, type Fanout } from '../../ports/fanout.js';
import type { Deployment, Session, Store } from '../../ports/store.js';
import { errorReply, parseOr400 } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';
import { toWorkflowMessage, toWorkflowSession, toWorkflowTicket } from './wire.js';

const VIS: Record<string, Visibility> = { ALL: 'All', INT: 'Int', VIP: 'Vip' };
const visibility = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(['ALL', 'INT', 'VIP'], { message: 'Visibility must be ALL, INT or VIP' }))
  .default('ALL');

/** Seed 002 `Message`: MessageText required; MessageType, Nickname, Visibility optional. */
const messageBody = z.object({
  MessageText: z.string({ message: 'MessageText is required' }).min(1, 'MessageText is required'),
  MessageType: z.string().max(128).optional(),
  Nickname: z.string().max(128).optional(),
  Visibility: visibility,
});
/** Seed 002 `Notice`: NoticeType USER_PUSHED_URL (NoticeText a valid URL) or USER_CUSTOM. */
const noticeBody = z
  .object({
    NoticeType: z.enum(['USER_PUSHED_URL', 'USER_CUSTOM'], { message: 'NoticeType must be USER_PUSHED_URL or USER_CUSTOM' }),
    NoticeText: z.string().max(10_000).optional(),
    Nickname: z.string().max(128).optional(),
    Visibility: visibility,
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
      options: z.array(z.union([z.object({ title: z.string().max(100), text: z.string().max(500) }), z.object({ title: z.string().max(100), url: webUrl })])).max(5).optional(),
    })
    .default({}),
});
const botReplyBody = z.object({
  replies: z.array(z.union([z.string(), z.object({ text: z.string() })])).max(20).optional(),
  handoff: z.object({ queue: z.string().max(128).optional(), priority: z.number().int().min(0).max(10).optional() }).optional(),
  end: z.boolean().optional(),
});
const sessionParams = z.object({ sessionId: z.string().uuid('sessionId must be a UUID') });
const ticketParams = z.object({ ticketId: z.string().uuid('ticketId must be a UUID') });
const ticketQuery = z.object({ sessionId: z.string().uuid().optional(), state: z.enum(['open', 'closed', 'all']).default('open') });

/**
 * The workflow API (seed 002 and seed 004): routing workflows, bots and back ends put messages and
 * notices into sessions, read attached data, send UI events, hand off, and list and close tickets.
 * Authenticated with a deployment's *server* key (`x-api-key`), never a public page key.
 */
export function registerWorkflowApi(app: FastifyInstance, deps: { chat: ChatService; flows: FlowEngine; store: Store; fanout: Fanout; openapi: OpenApiRegistry; appName: string }): void {
  const { chat, flows, store, fanout } = deps;
  const P = '/workflow/v1';
  const doc = deps.openapi.add.bind(deps.openapi);

  const deploymentOf = async (req: FastifyRequest): Promise<Deployment> => {
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || !key) throw new ChatError('UNAUTHORIZED', 'the x-api-key header (a server key) is required');
    const d = await store.tx((tx) => tx.getDeploymentByApiKeyHash(hashApiKey(key), 'server'));
    if (!d) throw new ChatError('UNAUTHORIZED', 'unknown server key (public page keys are not accepted here)');
    return d;
  };
  const sessionOf = async (req: FastifyRequest, d: Deployment): Promise<Session> => {
    const { sessionId } = parseOr400(sessionParams, req.params, 'path');
    const s = await store.tx((tx) => tx.getSession(sessionId));
    if (!s || s.deploymentId !== d.id) throw new ChatError('NOT_FOUND', 'session not found');
    return s;
  };
  const online = (s: Session) => {
    if (s.state !== 'Active') throw new ChatError('INVALID_SESSION', 'the chat is offline (IsOnline is 0): nothing can be sent into it');
  };
  const route =
    (fn: (req: FastifyRequest, reply: FastifyReply, d: Deployment) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        return await fn(req, reply, await deploymentOf(req));
      } catch (err) {
        return errorReply(req, reply, err);
      }
    };
  const FORMS = ['application/json', 'application/x-www-form-urlencoded'];

  const append = async (s: Session, draft: Parameters<ChatService['log']['append']>[2]) => {
    const m = await store.tx(async (tx) => {
      const live = await tx.getSession(s.id, true);
      if (!live || live.state !== 'Active') throw new ChatError('INVALID_SESSION', 'the chat is offline (IsOnline is 0): nothing can be sent into it');
      return chat.log.append(tx, live, draft);
    });
    await fanout.notify(topics.session(s.id));
    return m;
  };
  const from = (nickname: string | undefined) => ({ participantId: '00000000-0000-0000-0000-000000000001', type: 'External' as const, nickname: nickname ?? 'Workflow' });

  doc({ method: 'get', path: `${P}/sessions/:sessionId`, tag: 'workflow', summary: 'A session and its attached data, with IsOnline and ChatServerAppName (seed 002)', security: ['apiKey'], response: workflowResponses.session });
  app.get(
    `${P}/sessions/:sessionId`,
    route(async (req, _reply, d) => {
      const s = await sessionOf(req, d);
      const interactions = await store.tx((tx) => tx.listInteractions({ sessionId: s.id }));
      return toWorkflowSession(s, interactions, d.settings?.appName ?? deps.appName);
    }),
  );

  doc({ method: 'post', path: `${P}/sessions/:sessionId/message`, tag: 'workflow', summary: 'Seed 002 Message: MessageText, MessageType, Nickname, Visibility (ALL|INT|VIP)', body: messageBody, bodyContentTypes: FORMS, security: ['apiKey'], responses: { '200': '{message}', '400': 'missing MessageText or bad Visibility', '404': 'INVALID_SESSION: the chat is offline' }, response: workflowResponses.message });
  app.post(
    `${P}/sessions/:sessionId/message`,
    route(async (req, _reply, d) => {
      const s = await sessionOf(req, d);
      const body = parseOr400(messageBody, req.body, 'Message');
      if (body.MessageText.length > chat.limits.maxMessageLength) throw new ChatError('PAYLOAD_TOO_LARGE', `MessageText is longer than ${chat.limits.maxMessageLength} characters`);
      online(s);
      const m = await append(s, { type: 'Text', from: from(body.Nickname), visibility: VIS[body.Visibility]!, text: body.MessageText, ...(body.MessageType ? { subtype: body.MessageType } : {}) });
      return { message: toWorkflowMessage(m) };
    }),
  );

  doc({ method: 'post', path: `${P}/sessions/:sessionId/notice`, tag: 'workflow', summary: 'Seed 002 Notice: NoticeType USER_PUSHED_URL (NoticeText a URL) or USER_CUSTOM', body: noticeBody, bodyContentTypes: FORMS, security: ['apiKey'], response: workflowResponses.message });
  app.post(
    `${P}/sessions/:sessionId/notice`,
    route(async (req, _reply, d) => {
      const s = await sessionOf(req, d);
      const body = parseOr400(noticeBody, req.body, 'Notice');
      online(s);
      const m =
        body.NoticeType === 'USER_PUSHED_URL'
          ? await append(s, { type: 'PushUrl', from: from(body.Nickname), visibility: VIS[body.Visibility]!, url: body.NoticeText!, text: body.NoticeText!, subtype: 'USER_PUSHED_URL' })
          : await append(s, { type: 'Notice', from: from(body.Nickname), visibility: VIS[body.Visibility]!, text: body.NoticeText ?? '', subtype: 'USER_CUSTOM' });
      return { message: toWorkflowMessage(m) };
    }),
  );

  doc({ method: 'post', path: `${P}/sessions/:sessionId/ui-events`, tag: 'workflow', summary: 'Send a UI event to the widget: ui-event-update-promotion {title, options} or ui-event-close-promotion (seed 004)', body: uiEventBody, security: ['apiKey'], response: workflowResponses.message });
  app.post(
    `${P}/sessions/:sessionId/ui-events`,
    route(async (req, _reply, d) => {
      const s = await sessionOf(req, d);
      const body = parseOr400(uiEventBody, req.body, 'UI event');
      online(s);
      const m = await append(s, { type: 'Notice', from: { participantId: '00000000-0000-0000-0000-000000000000', type: 'System' }, visibility: 'All', event: body.name, data: body.data, subtype: 'UiEvent' });
      return { message: toWorkflowMessage(m) };
    }),
  );

  doc({ method: 'post', path: `${P}/sessions/:sessionId/bot-reply`, tag: 'workflow', summary: 'An external bot answers: replies, a hand-off to a queue, or the end of the bot part', body: botReplyBody, security: ['apiKey'], response: workflowResponses.botReply });
  app.post(
    `${P}/sessions/:sessionId/bot-reply`,
    route(async (req, _reply, d) => {
      const s = await sessionOf(req, d);
      const body = parseOr400(botReplyBody, req.body, 'bot reply');
      online(s);
      const latest = await store.tx((tx) => tx.latestInteraction(s.id));
      if (latest?.state !== 'Workflow') throw new ChatError('CONFLICT', `the session is not with the bot (its interaction is ${latest?.state ?? 'missing'})`);
      await flows.applyBotAnswer(s.id, body);
      return { accepted: true };
    }),
  );

  doc({ method: 'get', path: `${P}/tickets`, tag: 'workflow', summary: 'Tickets (interactions) of this deployment: open, closed or all; optionally of one session', query: ticketQuery, security: ['apiKey'], response: workflowResponses.tickets });
  app.get(
    `${P}/tickets`,
    route(async (req, _reply, d) => {
      const q = parseOr400(ticketQuery, req.query, 'query');
      const states = q.state === 'open' ? (['Workflow', 'Queued', 'Offered', 'Handling', 'Finalizing'] as const) : q.state === 'closed' ? (['Completed'] as const) : undefined;
      const list = await store.tx((tx) => tx.listInteractions({ deploymentId: d.id, ...(states ? { states: [...states] } : {}), ...(q.sessionId ? { sessionId: q.sessionId } : {}) }));
      return { tickets: list.map(toWorkflowTicket) };
    }),
  );
  doc({ method: 'get', path: `${P}/tickets/:ticketId`, tag: 'workflow', summary: 'One ticket', security: ['apiKey'], response: workflowResponses.ticket });
  app.get(
    `${P}/tickets/:ticketId`,
    route(async (req, _reply, d) => {
      const { ticketId } = parseOr400(ticketParams, req.params, 'path');
      const t = await store.tx((tx) => tx.getInteraction(ticketId));
      if (!t || t.deploymentId !== d.id) throw new ChatError('NOT_FOUND', 'ticket not found');
      return { ticket: toWorkflowTicket(t) };
    }),
  );
  const closeBody = z.object({ comments: z.string().max(2000).default('') });
  doc({ method: 'post', path: `${P}/tickets/:ticketId/close`, tag: 'workflow', summary: 'Close a ticket with comments (the agent is told and leaves)', body: closeBody, security: ['apiKey'], response: workflowResponses.ticket });
  app.post(
    `${P}/tickets/:ticketId/close`,
    route(async (req, _reply, d) => {
      const { ticketId } = parseOr400(ticketParams, req.params, 'path');
      const { comments } = parseOr400(closeBody, req.body ?? {}, 'close');
      const t = await store.tx((tx) => tx.getInteraction(ticketId));
      if (!t || t.deploymentId !== d.id) throw new ChatError('NOT_FOUND', 'ticket not found');
      return { ticket: toWorkflowTicket(await flows.closeTicket(ticketId, comments || 'closed through the ticket API')) };
    }),
  );
}
