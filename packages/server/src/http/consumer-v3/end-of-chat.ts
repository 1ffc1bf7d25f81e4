import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { v3AvailabilityQuery, v3OfflineMessageBody, v3SurveyBody, v3TranscriptEmailBody, v3TranscriptQuery, type V3Envelope } from '@parley/protocol';
import type { AvailabilityService } from '../../core/availability.js';
import type { DeploymentAccess } from '../../core/deployment-access.js';
import type { OfflineMessageService } from '../../core/offline-messages.js';
import type { SurveyService } from '../../core/survey-service.js';
import type { ClientTokenClaims, TokenService } from '../../core/tokens.js';
import { transcriptHtml, transcriptText, type TranscriptService } from '../../core/transcript.js';
import { deploymentOf, requesterOf } from '../auth-customer.js';
import { parseOr400 } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';

export interface EndOfChatDeps {
  deployments: DeploymentAccess;
  tokens: TokenService;
  availability: AvailabilityService;
  offlineMessages: OfflineMessageService;
  surveys: SurveyService;
  transcripts: TranscriptService;
  openapi: OpenApiRegistry;
  prefix: string;
  startLimitPerMinute: number;
  transcriptEmailLimitPerMinute: number;
}

/** What consumer-v3's routes.ts lends: its error guard, session authentication and envelope. */
export interface V3RouteKit {
  guard: (fn: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  authed: (req: FastifyRequest, reply: FastifyReply) => Promise<{ claims: ClientTokenClaims; sessionId: string }>;
  envelope: <T>(req: FastifyRequest, data: T) => V3Envelope<T>;
}

const FORM = ['application/x-www-form-urlencoded', 'application/json'];

/** Parley extensions of Chat API v3 around a chat: availability and leave-a-message before it, survey and transcript after it. */
export function registerEndOfChat(app: FastifyInstance, deps: EndOfChatDeps, kit: V3RouteKit): void {
  const { prefix } = deps;
  const { guard, authed, envelope } = kit;
  const doc = deps.openapi.add.bind(deps.openapi);

  doc({
    method: 'get',
    path: `${prefix}/availability`,
    tag: 'consumer-v3',
    summary: 'Parley extension: whether a live chat can be answered now (business hours, agents able to take it), and the pre-chat form the deployment asks for',
    query: v3AvailabilityQuery,
    security: ['apiKey'],
    responses: { '200': 'data: {queue, open, reason: "closed" | "noAgents" | null, agentsAvailable, transcriptEmail, form: {fields} | null (the pre-chat form the deployment asks for)}' },
  });
  app.get(
    `${prefix}/availability`,
    guard(async (req, reply) => {
      const deployment = await deploymentOf(req, reply, deps.deployments);
      const query = parseOr400(v3AvailabilityQuery, req.query, 'query');
      const form = deployment.settings?.form ?? null;
      return envelope(req, { ...(await deps.availability.of(deployment, query.queue)), transcriptEmail: deps.transcripts.canEmail, form });
    }),
  );

  doc({
    method: 'post',
    path: `${prefix}/offline-messages`,
    tag: 'consumer-v3',
    summary: 'Parley extension: leave a message while no one can chat; an asynchronous session agents pick up later',
    body: v3OfflineMessageBody,
    bodyContentTypes: FORM,
    security: ['apiKey'],
    responses: { '200': 'data: {clientToken, sessionId, participantId, async: true}', '400': 'invalid name, address or message' },
  });
  app.post(
    `${prefix}/offline-messages`,
    { config: { rateLimit: { max: deps.startLimitPerMinute, timeWindow: 60_000 } } },
    guard(async (req, reply) => {
      const deployment = await deploymentOf(req, reply, deps.deployments);
      const body = parseOr400(v3OfflineMessageBody, req.body, 'message');
      const queue = (await deps.availability.of(deployment, body.data.queue)).queue;
      const started = await deps.offlineMessages.leave(
        deployment,
        { name: body.data.name.trim(), email: body.data.email.trim(), subject: body.data.subject, text: body.data.text, queue },
        { operationId: body.operationId, requester: requesterOf(req) },
      );
      const clientToken = await deps.tokens.signClientToken({
        sessionId: started.session.id,
        transportId: started.session.transportId,
        participantId: started.participant.id,
        deploymentId: deployment.id,
      });
      return envelope(req, { clientToken, sessionId: started.session.id, participantId: started.participant.id, async: true });
    }),
  );

  doc({
    method: 'post',
    path: `${prefix}/:sessionId/survey`,
    tag: 'consumer-v3',
    summary: 'Parley extension: the satisfaction survey once the chat is over (1-5 and a comment), once per session',
    body: v3SurveyBody,
    bodyContentTypes: FORM,
    security: ['apiKey', 'clientKey'],
    responses: { '200': 'data.survey: {rating, comment}', '409': 'the chat is not over yet, or was already rated', '404': 'INVALID_SESSION (ended more than 10 minutes ago)' },
  });
  app.post(
    `${prefix}/:sessionId/survey`,
    guard(async (req, reply) => {
      const { claims, sessionId } = await authed(req, reply);
      const body = parseOr400(v3SurveyBody, req.body, 'survey');
      const survey = await deps.surveys.submit(sessionId, claims.participantId, body.data);
      return envelope(req, { survey: { rating: survey.rating, comment: survey.comment } });
    }),
  );

  doc({
    method: 'get',
    path: `${prefix}/:sessionId/transcript`,
    tag: 'consumer-v3',
    summary: 'Parley extension: the transcript of what the customer saw, as a text or HTML file to save',
    query: v3TranscriptQuery,
    security: ['apiKey', 'clientKey'],
    responses: { '200': 'data: {fileName, contentType, content}' },
  });
  app.get(
    `${prefix}/:sessionId/transcript`,
    guard(async (req, reply) => {
      const { claims, sessionId } = await authed(req, reply);
      const { format } = parseOr400(v3TranscriptQuery, req.query, 'query');
      const transcript = await deps.transcripts.build(sessionId, claims.participantId);
      const html = format === 'html';
      return envelope(req, {
        fileName: `chat-transcript.${html ? 'html' : 'txt'}`,
        contentType: html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
        content: html ? transcriptHtml(transcript) : transcriptText(transcript),
      });
    }),
  );

  doc({
    method: 'post',
    path: `${prefix}/:sessionId/transcript/email`,
    tag: 'consumer-v3',
    summary: 'Parley extension: e-mail the transcript (when the server has SMTP); rate-limited',
    body: v3TranscriptEmailBody,
    bodyContentTypes: FORM,
    security: ['apiKey', 'clientKey'],
    responses: { '200': 'data: {sent: true}', '400': 'invalid address', '404': 'no SMTP configured', '429': 'too many e-mails' },
  });
  app.post(
    `${prefix}/:sessionId/transcript/email`,
    { config: { rateLimit: { max: deps.transcriptEmailLimitPerMinute, timeWindow: 60_000 } } },
    guard(async (req, reply) => {
      const { claims, sessionId } = await authed(req, reply);
      const body = parseOr400(v3TranscriptEmailBody, req.body, 'request');
      await deps.transcripts.email(sessionId, claims.participantId, body.data.email.trim());
      return envelope(req, { sent: true });
    }),
  );
}
