import { ClientGone } from '../../core/client-gone.js';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENT_SEND_TYPES, agentResponses, INTERACTION_STATES, PRESENCES, richContent, SURVEY_REPORT_GROUPS, VISIBILITIES } from '@parley/protocol';
import { z } from 'zod';
import type { AgentViews } from '../../core/agent-views.js';
import type { ConversationSearch } from '../../core/conversation-search.js';
import type { DayReports } from '../../core/day-report.js';
import { MAX_NOTE_LENGTH, type ContactService } from '../../core/contact-service.js';
import type { ChatService } from '../../core/chat-service.js';
import type { RoutingService } from '../../core/routing-service.js';
import type { SupervisionService } from '../../core/supervision.js';
import { authorize } from '../../core/authorize.js';
import { newId } from '../../core/ids.js';
import type { FileStore } from '../../ports/file-store.js';
import { readUpload } from '../file-upload.js';
import type { SurveyService } from '../../core/survey-service.js';
import { ChatError } from '../../core/errors.js';
import { asStaff, type Authenticator } from '../../core/request-context.js';
import type { StaffAuth } from '../../core/staff-auth.js';
import type { Account, Interaction } from '../../core/types.js';
import { errorReply, parseOr400 } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';
import { agentMessageAnswer } from '../response-schemas.js';
import { staffOf } from '../request-context.js';
import { noteActor } from '../audit.js';
import {
  toAgentAccount,
  toAgentInteraction,
  toAgentMessage,
  toAgentProfile,
  toCannedResponse,
  toContactNote,
  toContactView,
  toDayReport,
  toListedInteraction,
  toMessagesPage,
  toOverview,
  toQueueSummary,
  toSearchPage,
  toSessionDetails,
  toSessionSummary,
  toAgentSurvey,
  toSurveyReport,
  toWrapUpCode,
} from './wire.js';

export interface AgentApiDeps {
  chat: ChatService;
  routing: RoutingService;
  supervision: SupervisionService;
  surveys: SurveyService;
  views: AgentViews;
  search: ConversationSearch;
  contacts: ContactService;
  reports: DayReports;
  auth: StaffAuth;
  authn: Authenticator;
  openapi: OpenApiRegistry;
  longPollMs: number;
  loginLimitPerMinute: number;
  files: FileStore;
  maxUploadBytes: number;
  uploadTypes: string[];
  /** Files one staff member may send into one session (the customer's limit in GMS). */
  maxFilesPerSession?: number;
}

const loginBody = z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(256) });
const listQuery = z.object({
  state: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',') : undefined))
    .pipe(z.array(z.enum(INTERACTION_STATES)).optional()),
  mine: z.enum(['true', 'false']).optional(),
});
const sendBody = z.object({
  type: z.enum(AGENT_SEND_TYPES).default('Text'),
  text: z.string().optional(),
  url: z.string().max(2048).optional(),
  visibility: z.enum(VISIBILITIES).default('All'),
  /** Quick replies, buttons, a card… on a Text (docs/rich-messages.md); `text` may then be empty. */
  rich: richContent.optional(),
  operationId: z.string().max(128).optional(),
});
const readQuery = z.object({
  after: z.string().optional(),
  wait: z.coerce.number().int().min(0).max(30_000).optional(),
});
const presenceBody = z.object({ presence: z.enum(PRESENCES), reason: z.string().max(128).optional() });
const transferBody = z.object({ queue: z.string().min(1).max(128).optional(), agentId: z.string().uuid().optional() });
const conferenceBody = z.object({ agentId: z.string().uuid() });
const whisperBody = z.object({ text: z.string().min(1), agentId: z.string().uuid().optional() });
const completeBody = z.object({ wrapUpCode: z.string().max(128).optional() });
const isoInstant = z.string().datetime({ offset: true, message: 'must be an ISO date-time like 2026-01-31T00:00:00Z' });
const searchQuery = z.object({
  q: z.string().max(500).optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  queue: z.string().max(128).optional(),
  agentId: z.string().uuid().optional(),
  wrapUpCode: z.string().max(128).optional(),
  customer: z.string().max(200).optional(),
  page: z.coerce.number().int().min(0).max(1000).default(0),
  pageSize: z.coerce.number().int().min(1).max(50).default(20),
});
const reportQuery = z.object({ from: isoInstant, to: isoInstant });
const noteBody = z.object({ text: z.string().min(1).max(MAX_NOTE_LENGTH) });
const idParams = z.object({ id: z.string().uuid('id must be a UUID') });
const surveyReportQuery = z.object({
  from: z.string().datetime({ offset: true, message: 'from is an ISO date-time' }),
  to: z.string().datetime({ offset: true, message: 'to is an ISO date-time' }),
  groupBy: z.enum(SURVEY_REPORT_GROUPS).default('queue'),
});

/** The agent API: staff log in, take interactions, talk, mark done, follow up. Supervisors and routing extend it. */
export function registerAgentApi(app: FastifyInstance, deps: AgentApiDeps): void {
  const { chat, views, auth, authn } = deps;
  const P = '/agent/v1';
  const doc = deps.openapi.add.bind(deps.openapi);

  /** A staff route: the request is authenticated (once: `req.principal`) before `fn` runs; `fn` authorizes what it does. */
  const route = (fn: (req: FastifyRequest, reply: FastifyReply, account: Account) => Promise<unknown>) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return await fn(req, reply, (await staffOf(req, authn)).account);
    } catch (err) {
      return errorReply(req, reply, err);
    }
  };

  doc({
    method: 'post',
    path: `${P}/login`,
    tag: 'agent',
    summary: 'Log in; returns a bearer token that expires',
    body: loginBody,
    responses: { '200': '{token, expiresAt, account}', '401': 'wrong username or password', '429': 'too many tries from this address, or too many wrong passwords for this username' },
    response: agentResponses.login,
  });
  app.post(`${P}/login`, { config: { rateLimit: { max: deps.loginLimitPerMinute, timeWindow: 60_000 } } }, async (req, reply) => {
    try {
      const body = parseOr400(loginBody, req.body, 'login');
      const { token, expiresAt, account } = await auth.login(body.username, body.password);
      noteActor(req, account);
      return { token, expiresAt, account: toAgentAccount(account) };
    } catch (err) {
      return errorReply(req, reply, err);
    }
  });

  doc({
    method: 'post',
    path: `${P}/logout`,
    tag: 'agent',
    summary: 'Log out: every token of this account stops working (all its devices), open sockets close',
    security: ['bearer'],
    response: agentResponses.logout,
  });
  app.post(
    `${P}/logout`,
    route(async (_req, _reply, account) => {
      await auth.logout(account.id);
      return { loggedOut: true };
    }),
  );

  doc({ method: 'get', path: `${P}/me`, tag: 'agent', summary: 'The logged-in account', security: ['bearer'], response: agentResponses.me });
  app.get(
    `${P}/me`,
    route(async (_req, _reply, account) => ({ account: toAgentAccount(account), profile: toAgentProfile(await deps.routing.profile(account.id)) })),
  );

  doc({
    method: 'put',
    path: `${P}/me/presence`,
    tag: 'agent',
    summary: 'Set my presence: Ready, or NotReady with a reason',
    body: presenceBody,
    security: ['bearer'],
    response: agentResponses.profile,
  });
  app.put(
    `${P}/me/presence`,
    route(async (req, _reply, account) => {
      const body = parseOr400(presenceBody, req.body, 'presence');
      return { profile: toAgentProfile(await deps.routing.setPresence(account.id, body.presence, body.reason ?? null)) };
    }),
  );

  doc({
    method: 'get',
    path: `${P}/interactions`,
    tag: 'agent',
    summary: 'Interactions, filtered by state (comma-separated) and/or mine=true',
    query: listQuery,
    security: ['bearer'],
    response: agentResponses.interactions,
  });
  app.get(
    `${P}/interactions`,
    route(async (req, _reply, account) => {
      const q = parseOr400(listQuery, req.query, 'query');
      return { interactions: (await views.interactionsFor(account, { states: q.state, mine: q.mine === 'true' })).map(toListedInteraction) };
    }),
  );

  const interactionAction = (name: string, summary: string, act: (id: string, account: Account, req: FastifyRequest) => Promise<Interaction>) => {
    doc({
      method: 'post',
      path: `${P}/interactions/:id/${name}`,
      tag: 'agent',
      summary,
      security: ['bearer'],
      responses: { '200': '{interaction}', '404': 'not found', '409': 'not allowed in the current state' },
      response: agentResponses.interaction,
    });
    app.post(
      `${P}/interactions/:id/${name}`,
      route(async (req, _reply, account) => {
        const { id } = parseOr400(idParams, req.params, 'path');
        return { interaction: toAgentInteraction(await act(id, account, req)) };
      }),
    );
  };
  interactionAction('accept', 'Accept a queued or offered interaction: Handling, and the agent joins the session', (id, a) => chat.accept(id, a));
  interactionAction('reject', 'Turn an offer down: back to the queue, offered to someone else', (id, a) => deps.routing.reject(id, a));
  interactionAction('transfer', 'Transfer a Handling interaction to a queue ({queue}) or an agent ({agentId}); you leave', (id, a, req) =>
    deps.routing.transfer(id, a, parseOr400(transferBody, req.body ?? {}, 'transfer')),
  );
  interactionAction('done', 'Mark the interaction done: Finalizing (wrap-up)', (id, a) => chat.markDone(id, a));
  interactionAction('complete', 'Finish wrap-up: Completed; the agent leaves; a synchronous session ends', (id, a, req) =>
    chat.complete(id, a, parseOr400(completeBody, req.body ?? {}, 'body').wrapUpCode),
  );

  doc({ method: 'get', path: `${P}/sessions/:id`, tag: 'agent', summary: 'A session with its participants, interactions and user data', security: ['bearer'], response: agentResponses.session });
  app.get(
    `${P}/sessions/:id`,
    route(async (req, _reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      return toSessionDetails(await chat.getSessionForStaff(id, account));
    }),
  );

  doc({
    method: 'get',
    path: `${P}/sessions/:id/messages`,
    tag: 'agent',
    summary: 'Messages after an index (long poll with wait=ms); Int visible to agents, Vip to supervisors',
    query: readQuery,
    security: ['bearer'],
    response: agentResponses.messages,
  });
  app.get(
    `${P}/sessions/:id/messages`,
    route(async (req, reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      const q = parseOr400(readQuery, req.query, 'query');
      await chat.getSessionForStaff(id, account);
      const client = new ClientGone();
      // A client gone before its answer ends the hold; after the answer there is nothing to stop.
      req.raw.once('close', () => reply.raw.writableFinished || client.leave());
      // Access is checked again with every read: it can be lost while the poll waits.
      const read = () => chat.readForStaff(id, account, q.after, 200);
      const result = q.wait ? await chat.waitFor(id, Math.min(q.wait, deps.longPollMs), read, client) : await read();
      return toMessagesPage(result);
    }),
  );

  doc({
    method: 'post',
    path: `${P}/sessions/:id/messages`,
    tag: 'agent',
    summary: 'Send Text/Notice/PushUrl/typing with visibility All or Int (Vip: supervisors); a Text may carry `rich` (quick replies, buttons, card…)',
    body: sendBody,
    security: ['bearer'],
    response: agentResponses.message,
  });
  app.post(
    `${P}/sessions/:id/messages`,
    { schema: { response: agentMessageAnswer } },
    route(async (req, _reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      const body = parseOr400(sendBody, req.body, 'message');
      const message = await chat.agentSend(id, account, { type: body.type, text: body.text, url: body.url, visibility: body.visibility, ...(body.rich ? { rich: body.rich } : {}) }, body.operationId);
      return { message: toAgentMessage(message) };
    }),
  );

  doc({
    method: 'post',
    path: `${P}/sessions/:id/files`,
    tag: 'agent',
    summary: 'Send a file or image (multipart field `file`, optional `operationId`): the same type, size and content checks as customer uploads',
    bodyContentTypes: ['multipart/form-data'],
    security: ['bearer'],
    response: agentResponses.message,
  });
  app.post(
    `${P}/sessions/:id/files`,
    { schema: { response: agentMessageAnswer } },
    route(async (req, _reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      // Refused before the upload is read when the sender is not in the session.
      await chat.staffParticipantId(id, account);
      const upload = await readUpload(req, { maxBytes: deps.maxUploadBytes, types: deps.uploadTypes });
      const fileId = newId();
      await deps.files.put(fileId, Readable.from([upload.bytes]));
      const file = { id: fileId, name: upload.name, mime: upload.mime, size: upload.bytes.length };
      const message = await chat.recordStaffFile(id, account, file, deps.maxFilesPerSession ?? 100, upload.operationId);
      return { message: toAgentMessage(message) };
    }),
  );

  doc({ method: 'post', path: `${P}/sessions/:id/leave`, tag: 'agent', summary: 'Leave the session (ParticipantLeft)', security: ['bearer'], response: agentResponses.left });
  app.post(
    `${P}/sessions/:id/leave`,
    route(async (req, _reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      await chat.staffLeave(id, account);
      return { left: true };
    }),
  );

  doc({
    method: 'post',
    path: `${P}/sessions/:id/follow-up`,
    tag: 'agent',
    summary: 'Open a follow-up interaction on an async session whose last interaction is completed',
    security: ['bearer'],
    response: agentResponses.interaction,
  });
  app.post(
    `${P}/sessions/:id/follow-up`,
    route(async (req, _reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      return { interaction: toAgentInteraction(await chat.followUp(id, account)) };
    }),
  );

  doc({
    method: 'get',
    path: `${P}/sessions`,
    tag: 'agent',
    summary: 'Sessions I took part in (mine=true), newest first, with their interactions',
    security: ['bearer'],
    response: agentResponses.sessions,
  });
  app.get(
    `${P}/sessions`,
    route(async (_req, _reply, account) => {
      return { sessions: (await views.sessionsOf(account)).map(toSessionSummary) };
    }),
  );

  doc({
    method: 'get',
    path: `${P}/search`,
    tag: 'agent',
    summary:
      'Full-text search over the conversations I may see (agents: those they took part in, without Vip messages), newest first, with filters and paging; `from`/`to` bound the start time (to: exclusive)',
    query: searchQuery,
    security: ['bearer'],
    response: agentResponses.search,
  });
  app.get(
    `${P}/search`,
    route(async (req, _reply, account) => {
      const q = parseOr400(searchQuery, req.query, 'query');
      const from = q.from ? new Date(q.from).toISOString() : undefined;
      const to = q.to ? new Date(q.to).toISOString() : undefined;
      return toSearchPage(
        await deps.search.search(account, {
          ...(q.q ? { text: q.q } : {}),
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(q.queue ? { queue: q.queue } : {}),
          ...(q.agentId ? { agentId: q.agentId } : {}),
          ...(q.wrapUpCode ? { wrapUpCode: q.wrapUpCode } : {}),
          ...(q.customer ? { customer: q.customer } : {}),
          page: q.page,
          pageSize: q.pageSize,
        }),
      );
    }),
  );

  doc({
    method: 'get',
    path: `${P}/sessions/:id/contact`,
    tag: 'agent',
    summary: "The session's customer across conversations (by customer id or e-mail): past sessions and notes; null without a key",
    security: ['bearer'],
    response: agentResponses.contact,
  });
  app.get(
    `${P}/sessions/:id/contact`,
    route(async (req, _reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      return toContactView(await deps.contacts.ofSession(account, id));
    }),
  );

  doc({
    method: 'post',
    path: `${P}/sessions/:id/contact/notes`,
    tag: 'agent',
    summary: "Add a note to the session's contact (kept across conversations; staff only)",
    body: noteBody,
    security: ['bearer'],
    response: agentResponses.contactNote,
  });
  app.post(
    `${P}/sessions/:id/contact/notes`,
    route(async (req, reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      const { text } = parseOr400(noteBody, req.body, 'note');
      const note = await deps.contacts.addNote(account, id, text);
      return reply.code(201).send({ note: toContactNote(note) });
    }),
  );

  doc({
    method: 'post',
    path: `${P}/sessions/:id/conference`,
    tag: 'agent',
    summary: 'Add a second agent to the conversation',
    body: conferenceBody,
    security: ['bearer'],
    response: agentResponses.conferenced,
  });
  app.post(
    `${P}/sessions/:id/conference`,
    route(async (req, _reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      await deps.routing.conference(id, account, parseOr400(conferenceBody, req.body, 'conference').agentId);
      return { conferenced: true };
    }),
  );

  doc({
    method: 'get',
    path: `${P}/agents`,
    tag: 'agent',
    summary: 'Agents and supervisors with presence and load (transfer and conference targets)',
    security: ['bearer'],
    response: agentResponses.agents,
  });
  app.get(
    `${P}/agents`,
    route(async () => ({ agents: toOverview(await deps.supervision.overview()).agents })),
  );

  doc({ method: 'get', path: `${P}/queues`, tag: 'agent', summary: 'Queues with the number waiting', security: ['bearer'], response: agentResponses.queues });
  app.get(
    `${P}/queues`,
    route(async () => {
      const overview = await deps.supervision.overview();
      return { queues: overview.queues.map(toQueueSummary) };
    }),
  );

  doc({ method: 'get', path: `${P}/canned-responses`, tag: 'agent', summary: 'Canned responses', security: ['bearer'], response: agentResponses.cannedResponses });
  app.get(
    `${P}/canned-responses`,
    route(async () => ({ cannedResponses: (await views.cannedResponses()).map(toCannedResponse) })),
  );

  doc({ method: 'get', path: `${P}/wrap-up-codes`, tag: 'agent', summary: 'Wrap-up codes accepted by complete', security: ['bearer'], response: agentResponses.wrapUpCodes });
  app.get(
    `${P}/wrap-up-codes`,
    route(async () => ({ wrapUpCodes: (await views.wrapUpCodes()).map(toWrapUpCode) })),
  );

  // ---- supervisors ----
  doc({
    method: 'get',
    path: `${P}/supervisor/report`,
    tag: 'supervisor',
    summary: 'Figures of the interactions created in [from, to) (a day; at most 31 days): offered, handled, abandoned, average wait and handle time, per queue and per agent',
    query: reportQuery,
    security: ['bearer'],
    response: agentResponses.report,
  });
  app.get(
    `${P}/supervisor/report`,
    route(async (req, _reply, account) => {
      const q = parseOr400(reportQuery, req.query, 'query');
      return toDayReport(await deps.reports.report(account, new Date(q.from).toISOString(), new Date(q.to).toISOString()));
    }),
  );

  doc({ method: 'get', path: `${P}/supervisor/overview`, tag: 'supervisor', summary: 'Queues, agents and live sessions', security: ['bearer'], response: agentResponses.overview });
  app.get(
    `${P}/supervisor/overview`,
    route(async (_req, _reply, account) => {
      authorize(asStaff(account), 'supervise.overview');
      return toOverview(await deps.supervision.overview());
    }),
  );
  doc({
    method: 'post',
    path: `${P}/sessions/:id/monitor`,
    tag: 'supervisor',
    summary: 'Monitor a session silently (reads All, Int and Vip)',
    security: ['bearer'],
    response: agentResponses.monitoring,
  });
  app.post(
    `${P}/sessions/:id/monitor`,
    route(async (req, _reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      await deps.supervision.monitor(id, account);
      return { monitoring: true };
    }),
  );
  doc({
    method: 'post',
    path: `${P}/sessions/:id/whisper`,
    tag: 'supervisor',
    summary: 'Whisper to the handling agent: a Vip message the customer never sees',
    body: whisperBody,
    security: ['bearer'],
    response: agentResponses.message,
  });
  app.post(
    `${P}/sessions/:id/whisper`,
    route(async (req, _reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      const body = parseOr400(whisperBody, req.body, 'whisper');
      if (body.text.length > chat.limits.maxMessageLength) throw new ChatError('PAYLOAD_TOO_LARGE', 'text too long');
      return { message: toAgentMessage(await deps.supervision.whisper(id, account, body.text, body.agentId)) };
    }),
  );
  doc({ method: 'post', path: `${P}/sessions/:id/barge`, tag: 'supervisor', summary: 'Barge in: join the session as a visible participant', security: ['bearer'], response: agentResponses.joined });
  app.post(
    `${P}/sessions/:id/barge`,
    route(async (req, _reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      await deps.supervision.barge(id, account);
      return { joined: true };
    }),
  );
  doc({ method: 'put', path: `${P}/agents/:id/presence`, tag: 'supervisor', summary: "Change an agent's presence", body: presenceBody, security: ['bearer'], response: agentResponses.profile });
  app.put(
    `${P}/agents/:id/presence`,
    route(async (req, _reply, account) => {
      authorize(asStaff(account), 'supervise.presence');
      const { id } = parseOr400(idParams, req.params, 'path');
      const body = parseOr400(presenceBody, req.body, 'presence');
      return { profile: toAgentProfile(await deps.routing.setPresence(id, body.presence, body.reason ?? null)) };
    }),
  );

  // ---- satisfaction surveys ----
  doc({
    method: 'get',
    path: `${P}/sessions/:id/survey`,
    tag: 'agent',
    summary: "The customer's survey of the session (null when not answered)",
    security: ['bearer'],
    response: agentResponses.survey,
  });
  app.get(
    `${P}/sessions/:id/survey`,
    route(async (req, _reply, account) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      const survey = await deps.surveys.forStaff(id, account);
      return { survey: survey && toAgentSurvey(survey) };
    }),
  );
  doc({
    method: 'get',
    path: `${P}/supervisor/reports/surveys`,
    tag: 'supervisor',
    summary: 'Surveys answered in [from, to): count and average rating per queue or agent (supervisors and admins)',
    query: surveyReportQuery,
    security: ['bearer'],
    response: agentResponses.surveyReport,
  });
  app.get(
    `${P}/supervisor/reports/surveys`,
    route(async (req, _reply, account) => {
      const q = parseOr400(surveyReportQuery, req.query, 'query');
      return { report: toSurveyReport(await deps.surveys.report(account, q)) };
    }),
  );
}
