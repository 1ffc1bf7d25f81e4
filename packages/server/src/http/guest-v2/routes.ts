import { serial } from '../serial.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { ChatService } from '../../core/chat-service.js';
import type { CustomerViews } from '../../core/customer-views.js';
import type { DeploymentAccess } from '../../core/deployment-access.js';
import { authorize } from '../../core/authorize.js';
import { ChatError } from '../../core/errors.js';
import type { Authenticator, CustomerPrincipal } from '../../core/request-context.js';
import type { TokenService } from '../../core/tokens.js';
import type { Deployment } from '../../core/types.js';
import { recheckEvery, topics, type Fanout } from '../../ports/fanout.js';
import { assertOrigin, wantsExtensions } from '../cors.js';
import { clientError, parseOr400, unavailable, UNAVAILABLE_MESSAGE } from '../errors.js';
import { cursorMovesWhenSent } from '../handover.js';
import { FrameBudget, WS_CLOSE_POLICY_VIOLATION } from '../socket-limits.js';
import type { OpenApiRegistry } from '../openapi.js';
import { customerOf } from '../request-context.js';
import {
  framesOf,
  guestCreateBody,
  guestMembersQuery,
  guestMessagesQuery,
  guestSendBody,
  HEARTBEAT_FRAME,
  syntheticMember,
  toGuestMember,
  toGuestMessage,
  type GuestMember,
  type GuestMessage,
} from './wire.js';

export interface GuestV2Deps {
  chat: ChatService;
  deployments: DeploymentAccess;
  views: CustomerViews;
  tokens: TokenService;
  authn: Authenticator;
  fanout: Fanout;
  openapi: OpenApiRegistry;
  startLimitPerMinute: number;
  /** Heartbeat frames on the event stream (the reference client expects them; ~30 s). */
  heartbeatMs: number;
  /** Path prefix that stored file URLs (`/sessions/…/images/…`) are relative to: the v3 API's base. */
  fileBase?: string;
}

/** Where guest chat v2 lives: the client's `dataURL` is this server's origin. */
export const GUEST_V2_PREFIX = '/api/v2/webchat/guest/conversations';

interface Claims {
  sessionId: string;
  participantId: string;
  deploymentId: string;
  /** Parley's wire extensions asked for at create (x-parley-extensions). */
  ext: boolean;
  transportId: string;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad.request',
  401: 'not.authorized',
  403: 'forbidden',
  404: 'not.found',
  409: 'conflict',
  413: 'request.entity.too.large',
  415: 'unsupported.media.type',
  429: 'too.many.requests',
  500: 'internal.server.error',
  503: 'service.unavailable',
};

/** An error in guest chat v2's (Genesys Cloud's) shape: `{message, code, status, contextId}`. */
export function guestErrorReply(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  let status = 500;
  let message = 'internal error; the contextId identifies it in the server log';
  if (unavailable(req, reply, err)) {
    status = 503;
    message = UNAVAILABLE_MESSAGE;
  } else if (err instanceof ChatError) {
    status = err.httpStatus;
    message = err.message;
  } else {
    const client = clientError(err);
    if (client) {
      ({ status, message } = client);
    } else {
      req.log.error({ err }, 'request failed');
    }
  }
  return reply.code(status).send({ message, code: STATUS_CODES[status] ?? 'bad.request', status, contextId: String(req.id) });
}

/**
 * Genesys Cloud guest chat v2 (reference §3) onto the Parley core: a conversation is a session,
 * a member is a participant, the JWT is a client token signed by the server for one session and
 * its customer participant, and the event stream is a WebSocket driven by the customer's
 * delivery cursor.
 */
export function registerGuestV2(app: FastifyInstance, deps: GuestV2Deps): void {
  const { chat, deployments, views, tokens, fanout } = deps;
  const P = GUEST_V2_PREFIX;
  const doc = deps.openapi.add.bind(deps.openapi);

  const guard = (fn: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return await fn(req, reply);
    } catch (err) {
      return guestErrorReply(req, reply, err);
    }
  };

  const verifyJwt = async (req: FastifyRequest, token: string | undefined, conversationId: string): Promise<CustomerPrincipal> => {
    if (!token) throw new ChatError('UNAUTHORIZED', 'Authorization: Bearer <jwt> is required (the jwt of the create call)');
    const customer = await customerOf(req, deps.authn, token, 'the jwt');
    authorize(customer, 'customer.session', { sessionId: conversationId });
    return customer;
  };
  const bearer = (req: FastifyRequest): string | undefined => {
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    return m ? m[1] : undefined;
  };
  /** The caller: a valid jwt for the conversation in the path, from an origin its deployment allows. */
  const guest = async (req: FastifyRequest, reply: FastifyReply): Promise<Claims & { conversationId: string; customer: CustomerPrincipal }> => {
    const { conversationId } = req.params as { conversationId: string };
    const customer = await verifyJwt(req, bearer(req), conversationId);
    const { claims } = customer;
    const deployment = await deployments.byId(claims.deploymentId);
    if (!deployment) throw new ChatError('INVALID_SESSION', 'conversation not found');
    assertOrigin(req, reply, deployment);
    return { ...claims, conversationId, customer };
  };
  /** Member ids in the path that a customer may act as: only their own. */
  const self = (customer: CustomerPrincipal, memberId: string) => authorize(customer, 'customer.participant', { participantId: memberId });

  const origin = (req: FastifyRequest) => `${req.protocol}://${req.host}`;
  const fileLink = (req: FastifyRequest) => (deps.fileBase === undefined ? undefined : (url: string) => `${origin(req)}${deps.fileBase}${url}`);

  /** The participants the customer may know about, as guest members. */
  const members = async (conversationId: string): Promise<GuestMember[]> => (await views.knownParticipants(conversationId)).flatMap((p) => toGuestMember(p) ?? []);

  /** targetAddress -> a queue of the deployment (or its default queue), by name in any case. */
  const queueFor = async (deployment: Deployment, name: string | undefined): Promise<string> => {
    if (name === undefined) return deployment.defaultQueue;
    const match = await deployments.findQueue(deployment, name);
    if (!match) throw new ChatError('INVALID_REQUEST', `routingTarget.targetAddress "${name}" is not a queue of this deployment; known: ${(await deployments.queueNames(deployment)).join(', ')}`);
    return match;
  };

  // ---- create ------------------------------------------------------------------------------

  doc({
    method: 'post',
    path: P,
    tag: 'guest-v2',
    summary: 'Create a chat conversation. deploymentId is the Parley deployment id (or its public key); routingTarget.targetAddress names a queue of it',
    body: guestCreateBody,
    responses: { '200': '{id, jwt, eventStreamUri, member: {id}}', '400': 'invalid body or unknown queue', '404': 'unknown deploymentId' },
  });
  app.post(
    P,
    { config: { rateLimit: { max: deps.startLimitPerMinute, timeWindow: 60_000 } } },
    guard(async (req, reply) => {
      const body = parseOr400(guestCreateBody, req.body, 'create request');
      const deployment = await deployments.byIdOrApiKey(body.deploymentId);
      if (!deployment) throw new ChatError('NOT_FOUND', `deploymentId "${body.deploymentId}" is not a deployment of this server`);
      assertOrigin(req, reply, deployment);
      const target = body.routingTarget;
      const queue = await queueFor(deployment, target?.targetAddress);
      const { firstName, lastName, email, subject, ...userData } = body.memberInfo.customFields ?? {};
      const started = await chat.startSession(deployment, {
        nickname: body.memberInfo.displayName?.trim() || undefined,
        firstName,
        lastName,
        email,
        subject,
        userData,
        routing: { queue, priority: target?.priority ?? 0, skills: target?.skills ?? [], language: target?.language ?? null },
        endpoint: queue,
      });
      const id = started.session.id;
      const jwt = await tokens.signClientToken({
        sessionId: id,
        transportId: started.session.transportId,
        participantId: started.participant.id,
        deploymentId: deployment.id,
        ext: wantsExtensions(req.headers),
      });
      const ws = req.protocol === 'https' ? 'wss' : 'ws';
      return { id, jwt, eventStreamUri: `${ws}://${req.host}${P}/${id}/stream?jwt=${encodeURIComponent(jwt)}`, member: { id: started.participant.id } };
    }),
  );

  // ---- members -----------------------------------------------------------------------------

  doc({
    method: 'get',
    path: `${P}/:conversationId/members`,
    tag: 'guest-v2',
    summary: 'Members of the conversation (customer, agents, bots)',
    query: guestMembersQuery,
    security: ['bearer'],
    responses: { '200': '{entities, pageSize, pageNumber, total, pageCount}' },
  });
  app.get(
    `${P}/:conversationId/members`,
    guard(async (req, reply) => {
      const c = await guest(req, reply);
      const q = parseOr400(guestMembersQuery, req.query, 'query');
      await chat.customerSession(c.conversationId, c.participantId, 'read');
      const all = (await members(c.conversationId)).filter((m) => q.excludeDisconnectedMembers === 'false' || m.state !== 'DISCONNECTED');
      const entities = all.slice((q.pageNumber - 1) * q.pageSize, q.pageNumber * q.pageSize);
      return { entities, pageSize: q.pageSize, pageNumber: q.pageNumber, total: all.length, pageCount: Math.ceil(all.length / q.pageSize) };
    }),
  );

  doc({
    method: 'get',
    path: `${P}/:conversationId/members/:memberId`,
    tag: 'guest-v2',
    summary: 'One member: {id, displayName, avatarImageUrl, role CUSTOMER|AGENT|WORKFLOW|ACD, state CONNECTED|DISCONNECTED|ALERTING, joinDate, leaveDate}',
    security: ['bearer'],
    responses: { '200': 'the member', '404': 'no such member' },
  });
  app.get(
    `${P}/:conversationId/members/:memberId`,
    guard(async (req, reply) => {
      const c = await guest(req, reply);
      const { memberId } = req.params as { memberId: string };
      await chat.customerSession(c.conversationId, c.participantId, 'read');
      const found = (await members(c.conversationId)).find((m) => m.id === memberId) ?? syntheticMember(memberId, await views.visibleLog(c.conversationId));
      if (!found) throw new ChatError('NOT_FOUND', 'no such member in this conversation');
      return found;
    }),
  );

  // ---- messages ----------------------------------------------------------------------------

  doc({
    method: 'get',
    path: `${P}/:conversationId/messages`,
    tag: 'guest-v2',
    summary: 'Message history, maxResults (<= 100) per page; without before/after the newest page. next is the path of the older page (or, with after, of the newer one)',
    query: guestMessagesQuery,
    security: ['bearer'],
    responses: { '200': '{entities, pageSize, next?, selfUri}' },
  });
  app.get(
    `${P}/:conversationId/messages`,
    guard(async (req, reply) => {
      const c = await guest(req, reply);
      const q = parseOr400(guestMessagesQuery, req.query, 'query');
      if (q.after && q.before) throw new ChatError('INVALID_REQUEST', 'give before or after, not both');
      await chat.customerSession(c.conversationId, c.participantId, 'read');
      const link = fileLink(req);
      const base = `${P}/${c.conversationId}/messages`;
      let page: GuestMessage[];
      let next: string | undefined;
      if (!q.after && !q.before) {
        // The newest page moves the delivery cursor past it (atomically), so a restore followed by the stream shows nothing twice.
        const newest = await chat.history(c.conversationId, c.participantId, 'Customer', 500);
        cursorMovesWhenSent(reply, newest);
        const shown = newest.messages.flatMap((m) => toGuestMessage(m, link) ?? []);
        page = shown.slice(-q.maxResults);
        if (page.length && (shown.length > q.maxResults || newest.messages.length === 500)) next = `${base}?before=${page[0]!.id}&maxResults=${q.maxResults}`;
      } else {
        const shown = (await views.visibleLog(c.conversationId)).flatMap((m) => toGuestMessage(m, link) ?? []);
        const at = shown.findIndex((m) => m.id === (q.before ?? q.after));
        if (at < 0) throw new ChatError('INVALID_REQUEST', `${q.before ? 'before' : 'after'} must be the id of a message of this conversation`);
        if (q.before) {
          page = shown.slice(Math.max(0, at - q.maxResults), at);
          if (page.length && at - q.maxResults > 0) next = `${base}?before=${page[0]!.id}&maxResults=${q.maxResults}`;
        } else {
          page = shown.slice(at + 1, at + 1 + q.maxResults);
          if (page.length && at + 1 + q.maxResults < shown.length) next = `${base}?after=${page[page.length - 1]!.id}&maxResults=${q.maxResults}`;
        }
      }
      const entities = q.sortOrder === 'descending' ? [...page].reverse() : page;
      return { entities, pageSize: q.maxResults, ...(next ? { next } : {}), selfUri: req.url };
    }),
  );

  doc({
    method: 'post',
    path: `${P}/:conversationId/members/:memberId/messages`,
    tag: 'guest-v2',
    summary: "Send a message as the customer ({body, bodyType: 'standard'}); it comes back on the stream too",
    body: guestSendBody,
    security: ['bearer'],
    responses: { '200': 'the message {id, conversation, sender, body, bodyType, timestamp}', '403': 'not your member', '404': 'conversation ended' },
  });
  app.post(
    `${P}/:conversationId/members/:memberId/messages`,
    guard(async (req, reply) => {
      const c = await guest(req, reply);
      self(c.customer, (req.params as { memberId: string }).memberId);
      const body = parseOr400(guestSendBody, req.body, 'message');
      const m = await chat.customerSend(c.conversationId, c.participantId, { type: 'Text', text: body.body });
      return toGuestMessage(m, fileLink(req));
    }),
  );

  doc({
    method: 'post',
    path: `${P}/:conversationId/members/:memberId/typing`,
    tag: 'guest-v2',
    summary: 'The customer is typing (empty body)',
    security: ['bearer'],
    responses: { '200': '{id, conversation, sender, timestamp}' },
  });
  app.post(
    `${P}/:conversationId/members/:memberId/typing`,
    guard(async (req, reply) => {
      const c = await guest(req, reply);
      self(c.customer, (req.params as { memberId: string }).memberId);
      const m = await chat.customerSend(c.conversationId, c.participantId, { type: 'TypingStarted' });
      return { id: m.id, conversation: { id: c.conversationId }, sender: { id: c.participantId }, timestamp: m.utcTime };
    }),
  );

  doc({
    method: 'delete',
    path: `${P}/:conversationId/members/:memberId`,
    tag: 'guest-v2',
    summary: 'The customer leaves: the conversation ends (member-change DISCONNECTED on the stream)',
    security: ['bearer'],
    responses: { '204': 'left (also when it had already ended)', '403': 'not your member' },
  });
  app.delete(
    `${P}/:conversationId/members/:memberId`,
    guard(async (req, reply) => {
      const c = await guest(req, reply);
      self(c.customer, (req.params as { memberId: string }).memberId);
      const { session } = await chat.customerSession(c.conversationId, c.participantId, 'read');
      if (session.state === 'Active') await chat.customerLeave(c.conversationId, c.participantId);
      return reply.code(204).send();
    }),
  );

  // ---- event stream ------------------------------------------------------------------------

  doc({
    method: 'get',
    path: `${P}/:conversationId/stream`,
    tag: 'guest-v2',
    summary:
      'WebSocket event stream (the eventStreamUri of the create call): message, typing-indicator and member-change frames, channel.metadata heartbeats; resumes from the delivery cursor after a reconnect',
    query: z.object({ jwt: z.string() }),
    responses: { '101': 'switching protocols', '401': 'missing or invalid jwt', '403': 'the jwt is for another conversation' },
  });
  app.get(
    `${P}/:conversationId/stream`,
    {
      websocket: true,
      // The jwt rides in the URL: keep the request line out of the log.
      logLevel: 'warn',
      preValidation: async (req: FastifyRequest, reply: FastifyReply) => {
        try {
          const { conversationId } = req.params as { conversationId: string };
          const { jwt } = (req.query ?? {}) as { jwt?: string };
          const { claims } = await verifyJwt(req, typeof jwt === 'string' ? jwt : bearer(req), conversationId);
          const deployment = await deployments.byId(claims.deploymentId);
          if (!deployment) throw new ChatError('INVALID_SESSION', 'conversation not found');
          assertOrigin(req, reply, deployment);
          await chat.customerSession(conversationId, claims.participantId, 'read');
        } catch (err) {
          return guestErrorReply(req, reply, err);
        }
      },
    },
    (socket: WebSocket, req: FastifyRequest) => {
      // preValidation authenticated the customer (or refused the upgrade).
      const { claims } = req.principal as CustomerPrincipal;
      const conversationId = claims.sessionId;
      const link = fileLink(req);
      const open = () => socket.readyState === socket.OPEN;
      const send = (frame: unknown) => {
        if (open()) socket.send(JSON.stringify(frame));
      };
      /** What this stream has sent: it reads on from here, the cursor follows as frames are written. */
      let position: string | undefined;
      const pump = serial(
        async () => {
          // The customer's delivery cursor moves once a batch's frames are written to the socket:
          // a reconnect resumes after what was sent, and what was not is sent again.
          while (open()) {
            const r = await chat.readNew(conversationId, claims.participantId, 'Customer', position, 200, 'on-handover');
            const frames = r.messages.flatMap((m) => framesOf(m, claims.participantId, link, claims.ext));
            if (r.messages.length) position = r.messages[r.messages.length - 1]!.index;
            if (!open()) {
              r.handover?.abandon();
              return;
            }
            if (!frames.length) r.handover?.complete();
            frames.forEach((f, i) => {
              const last = i === frames.length - 1;
              socket.send(JSON.stringify(f), last ? (err) => (err ? r.handover?.abandon() : r.handover?.complete()) : undefined);
            });
            if (r.messages.length < 200) return;
          }
        },
        (err) => req.log.warn({ err }, 'guest event stream read failed'),
      );
      const stop = fanout.listen(topics.session(conversationId), pump);
      // A lost notification costs latency, never a message.
      const stopRecheck = recheckEvery(fanout, pump);
      const heartbeat = setInterval(() => send(HEARTBEAT_FRAME), deps.heartbeatMs);
      const budget = new FrameBudget();
      socket.on('message', (raw: Buffer) => {
        if (!budget.take()) return socket.close(WS_CLOSE_POLICY_VIOLATION, 'too many frames; slow down');
        // The Genesys stream answers the client's {"message":"ping"} with a pong.
        if (raw.length < 256 && /"ping"/.test(raw.toString())) send({ topicName: 'channel.metadata', eventBody: { message: 'pong' } });
      });
      socket.on('close', () => {
        stop();
        stopRecheck();
        clearInterval(heartbeat);
      });
      pump();
    },
  );
}
