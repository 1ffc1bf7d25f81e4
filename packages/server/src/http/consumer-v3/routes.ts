import { ClientGone } from '../../core/client-gone.js';
import { sendStoredFile } from '../file-reply.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stripControlChars, v3MessagesQuery, v3OperationOnly, v3SendBody, v3StartBody, v3UserDataBody, toV3Message, type V3Envelope } from '@parley/protocol';
import { z } from 'zod';
import type { ChatService, ReadResult } from '../../core/chat-service.js';
import type { DeploymentAccess } from '../../core/deployment-access.js';
import { authorize } from '../../core/authorize.js';
import { ChatError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { FileLinks } from '../../core/file-links.js';
import type { Authenticator } from '../../core/request-context.js';
import type { TokenService } from '../../core/tokens.js';
import type { FileStore } from '../../ports/file-store.js';
import { deploymentOf, requesterOf, v3Customer } from '../auth-customer.js';
import { errorReply, operationIdOf, parseOr400 } from '../errors.js';
import { checkedUpload } from '../upload-check.js';
import { cursorMovesWhenSent } from '../handover.js';
import type { OpenApiRegistry } from '../openapi.js';
import { v3ReadAnswer, v3SendAnswer } from '../response-schemas.js';
import { registerEndOfChat, type EndOfChatDeps } from './end-of-chat.js';
import { asksForMessageStream, messageStreamPath } from './stream.js';

export interface ConsumerV3Deps {
  chat: ChatService;
  deployments: DeploymentAccess;
  tokens: TokenService;
  authn: Authenticator;
  files: FileStore;
  fileLinks: FileLinks;
  openapi: OpenApiRegistry;
  prefix: string;
  longPollMs: number;
  /** The message stream (stream.ts) is registered: offered to starts that ask for it. */
  messageStream: boolean;
  maxUploadBytes: number;
  uploadTypes: string[];
  startLimitPerMinute: number;
  queuePosition: (sessionId: string) => Promise<{ state: string; queue: string; position: number | null; estimatedWaitSeconds: number | null }>;
  endOfChat: Omit<EndOfChatDeps, 'deployments' | 'tokens' | 'openapi' | 'prefix' | 'startLimitPerMinute'>;
}

const FORM = ['application/x-www-form-urlencoded', 'application/json'];
const sessionParams = z.object({ sessionId: z.string().uuid('sessionId must be a UUID') });

/** Chat API v3, the consumer messaging API of seed 000 and the reference (§1). */
export function registerConsumerV3(app: FastifyInstance, deps: ConsumerV3Deps): void {
  const { chat, deployments, tokens, prefix } = deps;
  /** `operationId`: one read from a multipart body (operationIdOf sees form, JSON and query only). */
  const envelope = <T>(req: FastifyRequest, data: T, operationId?: string): V3Envelope<T> => {
    const out: V3Envelope<T> = { status: { code: 'SUCCESS' }, data, referenceId: String(req.id) };
    const op = operationId ?? operationIdOf(req);
    if (op) out.operationId = op;
    return out;
  };
  /**
   * Parley's SDK asked for the message stream: the start answer names it, and the client token says
   * so (`ext`), so a session restored from its token alone finds it again. The Genesys client never
   * asks: its answer and token are unchanged.
   */
  const offersStream = (req: FastifyRequest) => deps.messageStream && asksForMessageStream(req.headers);
  const streamOffer = (req: FastifyRequest, sessionId: string) => (offersStream(req) ? { messageStream: messageStreamPath(prefix, sessionId) } : {});
  const readBody = (r: ReadResult) => ({ messages: r.messages.map(toV3Message), lastDeliveredIndex: r.lastDeliveredIndex, chatEnded: r.chatEnded });
  const guard = (fn: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return await fn(req, reply);
    } catch (err) {
      return errorReply(req, reply, err);
    }
  };
  const authed = async (req: FastifyRequest, reply: FastifyReply) => {
    const { sessionId } = parseOr400(sessionParams, req.params, 'path');
    const deployment = await deploymentOf(req, reply, deployments);
    const customer = await v3Customer(req, deps.authn, deployment, sessionId);
    return { deployment, customer, claims: customer.claims, sessionId };
  };
  const doc = deps.openapi.add.bind(deps.openapi);
  registerEndOfChat(app, { ...deps.endOfChat, deployments, tokens, openapi: deps.openapi, prefix, startLimitPerMinute: deps.startLimitPerMinute }, { guard, authed, envelope });

  doc({
    method: 'post',
    path: prefix,
    tag: 'consumer-v3',
    summary: 'Start a chat session (or resume one with x-nexus-client-key in async mode)',
    body: v3StartBody,
    bodyContentTypes: FORM,
    security: ['apiKey'],
    responses: { '200': 'data.clientToken: a JWT carrying {sessionId, transportId, participantId}', '400': 'invalid body', '401': 'missing or unknown API key' },
  });
  app.post(
    prefix,
    { config: { rateLimit: { max: deps.startLimitPerMinute, timeWindow: 60_000 } } },
    guard(async (req, reply) => {
      const deployment = await deploymentOf(req, reply, deployments);
      const body = parseOr400(v3StartBody, req.body, 'start request');
      const existing = req.headers['x-nexus-client-key'];
      if (typeof existing === 'string' && existing) {
        const claims = await tokens.verifyClientToken(existing);
        if (!claims || claims.deploymentId !== deployment.id) throw new ChatError('UNAUTHORIZED', 'the client key is not valid for this deployment');
        if (await chat.isActive(claims.sessionId)) {
          // A fresh token: a session the customer keeps coming back to never outlives its token.
          const clientToken = await tokens.signClientToken({
            sessionId: claims.sessionId,
            transportId: claims.transportId,
            participantId: claims.participantId,
            deploymentId: claims.deploymentId,
            ...(claims.ext || offersStream(req) ? { ext: true } : {}),
          });
          return envelope(req, { clientToken, sessionId: claims.sessionId, participantId: claims.participantId, restored: true, ...streamOffer(req, claims.sessionId) });
        }
      }
      const d = body.data;
      const started = await chat.startSession(
        deployment,
        {
          nickname: d.nickname,
          firstName: d.firstName,
          lastName: d.lastName,
          email: d.email,
          subject: d.subject,
          userData: d.userData,
          async: d.async === true || d.async === 'true',
          endpoint: d.endpoint,
        },
        { operationId: body.operationId, requester: requesterOf(req) },
      );
      const clientToken = await tokens.signClientToken({
        sessionId: started.session.id,
        transportId: started.session.transportId,
        participantId: started.participant.id,
        deploymentId: deployment.id,
        ext: offersStream(req),
      });
      return envelope(req, { clientToken, sessionId: started.session.id, participantId: started.participant.id, async: started.session.async, ...streamOffer(req, started.session.id) });
    }),
  );

  doc({
    method: 'get',
    path: `${prefix}/:sessionId/messages`,
    tag: 'consumer-v3',
    summary: 'Long poll for new messages (no count), or read history (count, optionally before index)',
    query: v3MessagesQuery,
    security: ['apiKey', 'clientKey'],
    responses: { '200': 'data: {messages, lastDeliveredIndex, chatEnded}', '404': 'INVALID_SESSION' },
  });
  app.get(
    `${prefix}/:sessionId/messages`,
    { schema: { response: v3ReadAnswer } },
    guard(async (req, reply) => {
      const { claims, sessionId } = await authed(req, reply);
      const query = parseOr400(v3MessagesQuery, req.query, 'query');
      if (query.count !== undefined) {
        const page = await chat.customerHistory(sessionId, claims.participantId, query.count, query.index);
        cursorMovesWhenSent(reply, page);
        return envelope(req, readBody(page));
      }
      const client = new ClientGone();
      // A client gone before its answer ends the hold; after the answer there is nothing to stop.
      req.raw.once('close', () => reply.raw.writableFinished || client.leave());
      const hold = query.wait === undefined ? deps.longPollMs : Math.min(query.wait, deps.longPollMs);
      const result = await chat.waitFor(sessionId, hold, () => chat.customerReadNew(sessionId, claims.participantId, query.index), client);
      cursorMovesWhenSent(reply, result);
      return envelope(req, readBody(result));
    }),
  );

  doc({
    method: 'post',
    path: `${prefix}/:sessionId/messages`,
    tag: 'consumer-v3',
    summary: 'Send Text, TypingStarted or TypingStopped',
    body: v3SendBody,
    bodyContentTypes: FORM,
    security: ['apiKey', 'clientKey'],
    responses: { '200': 'data.message: the stored message', '404': 'INVALID_SESSION', '413': 'text too long' },
  });
  app.post(
    `${prefix}/:sessionId/messages`,
    { schema: { response: v3SendAnswer } },
    guard(async (req, reply) => {
      const { claims, sessionId } = await authed(req, reply);
      const body = parseOr400(v3SendBody, req.body, 'message');
      const message = await chat.customerSend(sessionId, claims.participantId, { type: body.data.type, text: body.data.text }, body.operationId);
      return envelope(req, { message: toV3Message(message) });
    }),
  );

  doc({
    method: 'get',
    path: `${prefix}/:sessionId/queue-position`,
    tag: 'consumer-v3',
    summary: 'Parley extension: place in the queue and estimated wait while waiting for an agent',
    security: ['apiKey', 'clientKey'],
    responses: { '200': 'data: {state, queue, position, estimatedWaitSeconds} (position null once an agent has it)' },
  });
  app.get(
    `${prefix}/:sessionId/queue-position`,
    guard(async (req, reply) => {
      const { claims, sessionId } = await authed(req, reply);
      await chat.customerSession(sessionId, claims.participantId, 'read');
      return envelope(req, await deps.queuePosition(sessionId));
    }),
  );

  doc({
    method: 'put',
    path: `${prefix}/:sessionId/userdata`,
    tag: 'consumer-v3',
    summary: 'Merge user data (attached data) into the session',
    body: v3UserDataBody,
    bodyContentTypes: FORM,
    security: ['apiKey', 'clientKey'],
  });
  app.put(
    `${prefix}/:sessionId/userdata`,
    guard(async (req, reply) => {
      const { sessionId } = await authed(req, reply);
      const body = parseOr400(v3UserDataBody, req.body, 'user data');
      const userData = await chat.updateUserData(sessionId, body.data, body.operationId);
      return envelope(req, { userData });
    }),
  );

  doc({ method: 'delete', path: `${prefix}/:sessionId/participants/:participantId`, tag: 'consumer-v3', summary: 'The customer leaves: the session ends', security: ['apiKey', 'clientKey'] });
  app.delete(
    `${prefix}/:sessionId/participants/:participantId`,
    guard(async (req, reply) => {
      const { customer, claims, sessionId } = await authed(req, reply);
      const { participantId } = req.params as { participantId: string };
      authorize(customer, 'customer.participant', { participantId });
      const query = parseOr400(v3OperationOnly, { ...(req.query as object), ...((req.body as object) ?? {}) }, 'request');
      await chat.customerLeave(sessionId, claims.participantId, query.operationId as string | undefined);
      return envelope(req, { chatEnded: true });
    }),
  );

  doc({
    method: 'post',
    path: `${prefix}/:sessionId/images`,
    tag: 'consumer-v3',
    summary: 'Upload a file (multipart field `file`); allowed types and size are configured',
    bodyContentTypes: ['multipart/form-data'],
    security: ['apiKey', 'clientKey'],
    responses: { '200': 'data.message: the File message', '413': 'file too large', '415': 'type not allowed' },
  });
  app.post(
    `${prefix}/:sessionId/images`,
    guard(async (req, reply) => {
      const { claims, sessionId } = await authed(req, reply);
      await chat.customerSession(sessionId, claims.participantId, 'write');
      if (!req.isMultipart()) throw new ChatError('INVALID_REQUEST', 'send the file as multipart/form-data in a field named "file"');
      let operationId: string | undefined;
      let upload: { id: string; name: string; mime: string; size: number } | null = null;
      for await (const part of req.parts({ limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 5 } })) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file') throw new ChatError('INVALID_REQUEST', 'the file field must be named "file"');
          if (!deps.uploadTypes.includes(part.mimetype)) {
            part.file.resume(); // read and drop the rest (at most the size limit), so the refusal is answered
            throw new ChatError('UNSUPPORTED_MEDIA_TYPE', `files of type ${part.mimetype} are not accepted; allowed: ${deps.uploadTypes.join(', ')}`);
          }
          // Stored as it arrives (checked on the way), never held whole in memory.
          const check = checkedUpload(part.file, part.mimetype, deps.maxUploadBytes);
          const id = newId();
          await deps.files.put(id, check);
          upload = { id, name: stripControlChars(part.filename).slice(0, 200) || 'file', mime: part.mimetype, size: check.size };
        } else if (part.fieldname === 'operationId' && typeof part.value === 'string') {
          operationId = stripControlChars(part.value).slice(0, 128);
        }
      }
      if (!upload) throw new ChatError('INVALID_REQUEST', 'no file in the "file" field');
      let message;
      try {
        message = await chat.recordFile(sessionId, claims.participantId, upload, operationId);
      } catch (err) {
        // Refused (the chat ended meanwhile): the bytes go too. Not after an unknown outcome (a
        // COMMIT cut off), which may have recorded it.
        if (err instanceof ChatError) await deps.files.delete(upload.id).catch(() => undefined);
        throw err;
      }
      // A repeated operationId answers with the first upload's message: this copy is not needed.
      if (!message.content?.some((a) => a.url.includes(upload.id))) await deps.files.delete(upload.id).catch(() => undefined);
      return envelope(req, { message: toV3Message(message) }, operationId);
    }),
  );

  doc({
    method: 'get',
    path: `${prefix}/:sessionId/images/:fileId`,
    tag: 'consumer-v3',
    summary: 'Download an uploaded file (the signed URL from the File message)',
    query: z.object({ sig: z.string() }),
  });
  app.get(
    `${prefix}/:sessionId/images/:fileId`,
    guard(async (req, reply) => {
      const { sessionId, fileId } = req.params as { sessionId: string; fileId: string };
      const { sig } = parseOr400(z.object({ sig: z.string().min(1) }), req.query, 'query');
      if (!deps.fileLinks.verify(sig, fileId, sessionId)) throw new ChatError('FORBIDDEN', 'the file link is not valid or has expired; read the message again for a fresh one');
      const meta = await chat.getFile(fileId);
      const bytes = meta ? await deps.files.get(fileId) : null;
      if (!meta || !bytes || meta.sessionId !== sessionId) throw new ChatError('NOT_FOUND', 'file not found');
      return sendStoredFile(reply, meta, bytes);
    }),
  );
}
