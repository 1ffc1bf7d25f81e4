import { sendStoredFile } from '../file-reply.js';
import { wantsExtensions } from '../cors.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stripControlChars, type Message } from '@parley/protocol';
import { z } from 'zod';
import { Readable } from 'node:stream';
import type { ChatService } from '../../core/chat-service.js';
import type { DeploymentAccess } from '../../core/deployment-access.js';
import { authorize } from '../../core/authorize.js';
import { ChatError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Authenticator } from '../../core/request-context.js';
import type { TokenService } from '../../core/tokens.js';
import type { FileStore } from '../../ports/file-store.js';
import type { Deployment } from '../../core/types.js';
import { deploymentOf } from '../auth-customer.js';
import { clientError, parseOr400, unavailable, UNAVAILABLE_MESSAGE } from '../errors.js';
import { contentMatchesType } from '../file-sniff.js';
import type { OpenApiRegistry } from '../openapi.js';
import { customerOf } from '../request-context.js';
import {
  GMS_ERROR_CODES,
  gmsCredentials,
  gmsFileTypes,
  gmsNoticeBody,
  gmsPlainBody,
  gmsRefreshBody,
  gmsSendBody,
  gmsStartBody,
  gmsTranscript,
  gmsTypingBody,
  gmsUpdateDataBody,
  type GmsCredentials,
  type GmsErrorResponse,
  type GmsMessage,
  type GmsResponse,
} from './wire.js';

export interface GmsV2Deps {
  chat: ChatService;
  deployments: DeploymentAccess;
  tokens: TokenService;
  authn: Authenticator;
  files: FileStore;
  openapi: OpenApiRegistry;
  maxUploadBytes: number;
  uploadTypes: string[];
  startLimitPerMinute: number;
  /** Files one customer may upload into one chat (reported by `file/limits`). */
  maxFilesPerChat?: number;
}

/** Parley extension to the GMS wire (extra form fields are accepted): a client's id for one write, kept across its retries. */
const operationIdOf = (body: { operationId?: unknown }): string | undefined =>
  typeof body.operationId === 'string' && body.operationId.length > 0 && body.operationId.length <= 128 ? body.operationId : undefined;

/** Where GMS chat v2 lives: `{dataURL}` is `<server>/genesys/2/chat/{serviceName}`. */
export const GMS_V2_PREFIX = '/genesys/2/chat';

const FORM = ['application/x-www-form-urlencoded', 'application/json'];

interface Customer {
  deployment: Deployment | null;
  chatId: string;
  participantId: string;
  creds: GmsCredentials;
  /** The client asked for Parley's wire extensions at request chat. */
  ext: boolean;
}

/** An error in GMS v2's shape: `{statusCode: 2, errors: [{code, advice}]}` (plus `chatEnded` when the chat is gone). */
export function gmsErrorReply(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  let status = 500;
  let code = 'INTERNAL_ERROR';
  let advice = 'internal error; the reference id identifies it in the server log';
  if (unavailable(req, reply, err)) {
    status = 503;
    code = 'SERVICE_UNAVAILABLE';
    advice = UNAVAILABLE_MESSAGE;
  } else if (err instanceof ChatError) {
    status = err.httpStatus;
    code = err.code;
    advice = err.message;
  } else {
    const client = clientError(err);
    if (client) {
      ({ status, code, message: advice } = client);
    } else {
      req.log.error({ err }, 'request failed');
      advice = `${advice} (${String(req.id)})`;
    }
  }
  const body: GmsErrorResponse = { statusCode: 2, errors: [{ code: GMS_ERROR_CODES[code] ?? 100, advice }] };
  if (code === 'INVALID_SESSION') body.chatEnded = true;
  return reply.code(status).send(body);
}

/**
 * GMS Chat API v2 (reference §2) onto the Parley core. `chatId` is the session id, `userId` the
 * customer's participant id, `alias` the session's transport id, and `secureKey` a client token
 * signed by the server that names all three: every call checks them together.
 */
export function registerGmsV2(app: FastifyInstance, deps: GmsV2Deps): void {
  const { chat, deployments, tokens } = deps;
  const P = GMS_V2_PREFIX;
  const maxFiles = deps.maxFilesPerChat ?? 100;
  const doc = deps.openapi.add.bind(deps.openapi);

  const guard = (fn: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return await fn(req, reply);
    } catch (err) {
      return gmsErrorReply(req, reply, err);
    }
  };

  /** Checks alias, userId and secureKey together against the signed key and the chat in the path. */
  const verify = async (req: FastifyRequest, chatId: string, creds: GmsCredentials, deployment: Deployment | null): Promise<Customer> => {
    const customer = await customerOf(req, deps.authn, creds.secureKey, 'secureKey');
    authorize(customer, 'customer.session', { sessionId: chatId, participantId: creds.userId, transportId: creds.alias, ...(deployment ? { deploymentId: deployment.id } : {}) });
    const { claims } = customer;
    return { deployment, chatId, participantId: claims.participantId, creds, ext: claims.ext };
  };
  const customer = async <S extends z.ZodTypeAny>(req: FastifyRequest, reply: FastifyReply, schema: S): Promise<Customer & { body: z.infer<S> }> => {
    const deployment = await deploymentOf(req, reply, deployments);
    const body = parseOr400(schema, req.body, 'request');
    const { chatId } = req.params as { chatId: string };
    return { ...(await verify(req, chatId, body as GmsCredentials, deployment)), body };
  };

  /** Everything this customer may see, numbered for GMS (see wire.ts). */
  const transcript = async (chatId: string, ext = false): Promise<{ messages: GmsMessage[]; ended: boolean }> => {
    const log: Message[] = [];
    let after: string | undefined;
    let ended = false;
    for (;;) {
      const page = await chat.readAfter(chatId, ['All'], after, 500);
      log.push(...page.messages);
      ended = page.chatEnded;
      if (page.messages.length < 500) break;
      after = page.messages[page.messages.length - 1]!.index;
    }
    return { messages: gmsTranscript(log, ext), ended };
  };
  const respond = async (c: Customer, from: number | undefined, extra: Partial<GmsResponse> = {}): Promise<GmsResponse> => {
    const t = await transcript(c.chatId, c.ext);
    return {
      statusCode: 0,
      alias: c.creds.alias,
      userId: c.creds.userId,
      secureKey: c.creds.secureKey,
      chatId: c.chatId,
      chatEnded: t.ended,
      nextPosition: t.messages.length + 1,
      messages: from === undefined ? [] : t.messages.filter((m) => m.index >= from),
      ...extra,
    };
  };

  /** serviceName -> queue: a queue of the deployment (or its default queue) by name, any case; else the default queue. */
  const queueFor = async (deployment: Deployment, serviceName: string): Promise<string> => (await deployments.findQueue(deployment, serviceName)) ?? deployment.defaultQueue;

  // ---- request chat --------------------------------------------------------------------------

  doc({
    method: 'post',
    path: `${P}/:serviceName`,
    tag: 'gms-v2',
    summary: 'Request a chat (also with a trailing slash). serviceName names a queue of the deployment; unknown names go to its default queue',
    body: gmsStartBody,
    bodyContentTypes: FORM,
    security: ['apiKey'],
    responses: {
      '200': '{statusCode: 0, alias, userId, secureKey, chatId, chatEnded, nextPosition, messages}',
      '400': 'statusCode 2: invalid request',
      '401': 'statusCode 2: missing or unknown apikey',
    },
  });
  app.post(
    `${P}/:serviceName`,
    { config: { rateLimit: { max: deps.startLimitPerMinute, timeWindow: 60_000 } } },
    guard(async (req, reply) => {
      const deployment = await deploymentOf(req, reply, deployments);
      const { serviceName } = parseOr400(z.object({ serviceName: z.string().min(1).max(256) }), req.params, 'path');
      const body = parseOr400(gmsStartBody, req.body, 'request');
      const first = body.text?.trim() ? body.text : undefined;
      if (first !== undefined && first.length > chat.limits.maxMessageLength) {
        throw new ChatError('PAYLOAD_TOO_LARGE', `text is ${first.length} characters; the limit is ${chat.limits.maxMessageLength}`);
      }
      const queue = await queueFor(deployment, serviceName);
      const started = await chat.startSession(deployment, {
        nickname: body.nickname,
        firstName: body.firstName,
        lastName: body.lastName,
        email: body.emailAddress,
        subject: body.subject,
        userData: body.userData,
        routing: { queue },
        endpoint: serviceName,
      });
      const ext = wantsExtensions(req.headers);
      const secureKey = await tokens.signClientToken({
        sessionId: started.session.id,
        transportId: started.session.transportId,
        participantId: started.participant.id,
        deploymentId: deployment.id,
        ext,
      });
      const c: Customer = {
        deployment,
        chatId: started.session.id,
        participantId: started.participant.id,
        creds: { alias: started.session.transportId, userId: started.participant.id, secureKey },
        ext,
      };
      if (first !== undefined) await chat.customerSend(c.chatId, c.participantId, { type: 'Text', text: first });
      return respond(c, 1);
    }),
  );

  // ---- the chat ------------------------------------------------------------------------------

  const C = `${P}/:serviceName/:chatId`;
  const action = (name: string, summary: string, schema: z.ZodTypeAny, run: (c: Customer & { body: any }) => Promise<Partial<GmsResponse> | void>, responses?: Record<string, string>) => {
    doc({
      method: 'post',
      path: `${C}/${name}`,
      tag: 'gms-v2',
      summary,
      body: schema,
      bodyContentTypes: FORM,
      security: ['apiKey'],
      responses: responses ?? {
        '200': 'statusCode 0 with messages from transcriptPosition (when given)',
        '403': 'statusCode 2: alias/userId/secureKey do not match',
        '404': 'statusCode 2: chat not found or ended',
      },
    });
    app.post(
      `${C}/${name}`,
      {},
      guard(async (req, reply) => {
        const c: Customer & { body: any } = await customer(req, reply, schema);
        const extra = (await run(c)) ?? {};
        return respond(c, c.body.transcriptPosition, extra);
      }),
    );
  };

  action('refresh', 'Read the transcript from transcriptPosition (messages with index >= it); chatEnded tells the chat ended', gmsRefreshBody, async (c) => {
    await chat.customerSession(c.chatId, c.participantId, 'read');
  });
  action('send', 'Send a message (messageType is accepted and ignored; Parley extension: an optional operationId makes a retry apply once)', gmsSendBody, async (c) => {
    await chat.customerSend(c.chatId, c.participantId, { type: 'Text', text: c.body.message }, operationIdOf(c.body));
  });
  action('startTyping', 'The customer started typing (message: what is typed so far)', gmsTypingBody, async (c) => {
    await chat.customerSend(c.chatId, c.participantId, { type: 'TypingStarted', ...(c.body.message ? { text: c.body.message } : {}) }, operationIdOf(c.body));
  });
  action('stopTyping', 'The customer stopped typing', gmsTypingBody, async (c) => {
    await chat.customerSend(c.chatId, c.participantId, { type: 'TypingStopped', ...(c.body.message ? { text: c.body.message } : {}) }, operationIdOf(c.body));
  });
  action('customNotice', 'A notice from the page to the agent (shown as CustomNotice)', gmsNoticeBody, async (c) => {
    await chat.customerNotice(c.chatId, c.participantId, c.body.message, operationIdOf(c.body));
  });
  action('updateData', 'Merge userData[key]=value into the chat user data', gmsUpdateDataBody, async (c) => {
    await chat.updateUserData(c.chatId, c.body.userData, operationIdOf(c.body));
  });
  action('disconnect', 'The customer leaves: the chat ends (chatEnded: true); a chat that already ended answers the same', gmsPlainBody, async (c) => {
    const { session } = await chat.customerSession(c.chatId, c.participantId, 'read');
    if (session.state === 'Active') await chat.customerLeave(c.chatId, c.participantId, operationIdOf(c.body));
  });

  // ---- files ---------------------------------------------------------------------------------

  /** What the customer uploaded into this chat so far. */
  const customerFiles = async (chatId: string) => {
    const mine = (await transcript(chatId)).messages.filter((m) => m.type === 'FileUploaded' && m.from.type === 'Client');
    return { count: mine.length, bytes: mine.reduce((s, m) => s + Number(m.userData?.['file-size'] ?? 0), 0) };
  };
  const limitsOf = async (c: Customer) => {
    const used = await customerFiles(c.chatId);
    return {
      'upload-max-file-size': String(deps.maxUploadBytes),
      'upload-max-files': String(maxFiles),
      'upload-max-total-size': String(deps.maxUploadBytes * maxFiles),
      'upload-need-agent': 'false',
      'upload-file-types': gmsFileTypes(deps.uploadTypes),
      'used-upload-max-files': String(used.count),
      'used-upload-max-total-size': String(used.bytes),
      'download-attempts': '-1',
      'used-download-attempts': '0',
    };
  };

  action(
    'file/limits',
    'Upload limits: userData {upload-max-file-size, upload-max-files, upload-max-total-size, upload-file-types (ext:ext), used-…}',
    gmsPlainBody,
    async (c) => {
      await chat.customerSession(c.chatId, c.participantId, 'read');
      return { userData: await limitsOf(c) };
    },
    { '200': 'statusCode 0 with userData holding the limits' },
  );

  doc({
    method: 'post',
    path: `${C}/file`,
    tag: 'gms-v2',
    summary: 'Upload a file (multipart: field `file` plus alias, userId, secureKey); same types and size as the v3 API',
    bodyContentTypes: ['multipart/form-data'],
    security: ['apiKey'],
    responses: { '200': 'statusCode 0, userData {file-id}', '413': 'file too large', '415': 'type not allowed' },
  });
  app.post(
    `${C}/file`,
    {},
    guard(async (req, reply) => {
      const deployment = await deploymentOf(req, reply, deployments);
      if (!req.isMultipart()) throw new ChatError('INVALID_REQUEST', 'send the file as multipart/form-data in a field named "file", with alias, userId and secureKey');
      const fields: Record<string, string> = {};
      let upload: { name: string; mime: string; bytes: Buffer } | null = null;
      for await (const part of req.parts({ limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 20 } })) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file') throw new ChatError('INVALID_REQUEST', 'the file field must be named "file"');
          const bytes = await part.toBuffer();
          upload = { name: stripControlChars(part.filename).slice(0, 200) || 'file', mime: part.mimetype, bytes };
        } else if (typeof part.value === 'string') {
          fields[part.fieldname] = part.value;
        }
      }
      const { chatId } = req.params as { chatId: string };
      const creds = parseOr400(gmsCredentials, fields, 'request');
      const c = await verify(req, chatId, creds, deployment);
      await chat.customerSession(c.chatId, c.participantId, 'write');
      if (!upload) throw new ChatError('INVALID_REQUEST', 'no file in the "file" field');
      if (!deps.uploadTypes.includes(upload.mime)) throw new ChatError('UNSUPPORTED_MEDIA_TYPE', `files of type ${upload.mime} are not accepted; allowed: ${deps.uploadTypes.join(', ')}`);
      if (!contentMatchesType(upload.mime, upload.bytes)) throw new ChatError('UNSUPPORTED_MEDIA_TYPE', `the file's content is not ${upload.mime}`);
      const used = await customerFiles(c.chatId);
      if (used.count >= maxFiles) throw new ChatError('CONFLICT', `this chat already has ${used.count} files; the limit is ${maxFiles}`);
      const fileId = newId();
      // The form's credentials may follow the file, so the file waits in memory (at most MAX_UPLOAD_BYTES) until they are checked.
      await deps.files.put(fileId, Readable.from([upload.bytes]));
      // The same link as the v3 API, so the agent desktop opens it the same way.
      let recordedId = fileId;
      try {
        const message = await chat.recordFile(c.chatId, c.participantId, { id: fileId, name: upload.name, mime: upload.mime, size: upload.bytes.length }, fields.operationId?.slice(0, 128));
        // A repeated operationId answers with the first upload's message: this copy is not needed.
        const first = message.content?.map((a) => /\/images\/([0-9a-fA-F-]{36})/.exec(a.url)?.[1]).find(Boolean);
        if (first && first !== fileId) {
          recordedId = first;
          await deps.files.delete(fileId).catch(() => undefined);
        }
      } catch (err) {
        // Refused: the bytes go too (not after an unknown outcome, which may have recorded it).
        if (err instanceof ChatError) await deps.files.delete(fileId).catch(() => undefined);
        throw err;
      }
      const position = Number(fields.transcriptPosition);
      return respond(c, Number.isInteger(position) && position > 0 ? position : undefined, { userData: { 'file-id': recordedId } });
    }),
  );

  const download = guard(async (req, reply) => {
    const { chatId, fileId } = req.params as { chatId: string; fileId: string };
    const source = req.method === 'GET' ? req.query : { ...(req.query as object), ...((req.body as object) ?? {}) };
    // A download may be a plain link or form post that cannot carry the apikey header: the signed secureKey decides.
    const key = req.headers['x-api-key'] ?? req.headers['apikey'];
    const deployment = typeof key === 'string' && key ? await deploymentOf(req, reply, deployments) : null;
    const c = await verify(req, chatId, parseOr400(gmsCredentials, source, 'request'), deployment);
    await chat.customerSession(c.chatId, c.participantId, 'read');
    const meta = await chat.getFile(fileId);
    const bytes = meta && meta.sessionId === c.chatId ? await deps.files.get(fileId) : null;
    if (!meta || !bytes) throw new ChatError('NOT_FOUND', 'file not found');
    return sendStoredFile(reply, meta, bytes);
  });
  doc({
    method: 'get',
    path: `${C}/file/:fileId/download`,
    tag: 'gms-v2',
    summary: 'Download a file of this chat (alias, userId, secureKey in the query); POST with a form body works too',
    query: gmsCredentials,
    responses: { '200': 'the file', '404': 'statusCode 2: no such file in this chat' },
  });
  // A GET carries the secureKey in its URL: keep the request line out of the log.
  app.get(`${C}/file/:fileId/download`, { logLevel: 'warn' }, download);
  app.post(`${C}/file/:fileId/download`, {}, download);
}
