import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { toV3Message, V3_STREAM_CLOSE, V3_STREAM_EXTENSION, v3StreamAuthFrame, type V3StreamAuthFrame, type V3StreamFrame } from '@parley/protocol';
import { z } from 'zod';
import type { ChatService } from '../../core/chat-service.js';
import type { DeploymentAccess } from '../../core/deployment-access.js';
import { ChatError, StoreUnavailableError } from '../../core/errors.js';
import type { Authenticator } from '../../core/request-context.js';
import { topics, type Fanout } from '../../ports/fanout.js';
import { deploymentByKey, v3Customer } from '../auth-customer.js';
import { errorReply, parseOr400 } from '../errors.js';
import type { OpenApiRegistry } from '../openapi.js';
import { serial } from '../serial.js';
import type { Clock } from '../../ports/clock.js';
import { closeReason, FrameBudget, WS_CLOSE_POLICY_VIOLATION } from '../socket-limits.js';

export interface ConsumerV3StreamDeps {
  chat: ChatService;
  deployments: DeploymentAccess;
  authn: Authenticator;
  fanout: Fanout;
  openapi: OpenApiRegistry;
  prefix: string;
  /** A `heartbeat` frame and a protocol ping this often; a peer that did not answer the previous ping is cut. */
  heartbeatMs: number;
  /** The node's clock, the tokens' too (a socket closes when its client token expires). */
  clock: Clock;
}

export const V3_STREAM_LIMITS = {
  /** Authenticated sockets per session on one node (tabs of one page); more are refused with 4429. */
  maxPerSession: 4,
  /** The auth frame must come this soon after the socket opens. */
  authTimeoutMs: 10_000,
  /** The client sends one small frame; anything bigger is refused (1009). */
  maxClientFrameBytes: 8 * 1024,
  /** Messages per frame, as a long poll's page. */
  batch: 100,
} as const;

const sessionParams = z.object({ sessionId: z.string().uuid('sessionId must be a UUID') });

/** The socket's path for a session: what a start answer offers. */
export const messageStreamPath = (prefix: string, sessionId: string): string => `${prefix}/${sessionId}/stream`;

/** The start request asked for the message stream (`x-parley-extensions: message-stream`): Parley's SDK does, the Genesys client never. */
export const asksForMessageStream = (headers: Record<string, unknown>): boolean =>
  String(headers['x-parley-extensions'] ?? '')
    .split(/[ ,]+/)
    .includes(V3_STREAM_EXTENSION);

/** One socket, as the node's shared sweep sees it. */
interface Stream {
  readonly socket: WebSocket;
  readonly opened: number;
  /** Set once authenticated: reads on from the socket's position. */
  pump?: () => void;
  lastRead: number;
  lastBeat: number;
  /** The peer answered (pong or any frame) since the last ping. */
  alive: boolean;
  /** The client token's end: the socket closes then, as a long poll with that token would be refused. */
  expiresAtMs?: number;
}

function closeCodeOf(err: unknown): { code: number; reason: string } {
  if (err instanceof StoreUnavailableError) return { code: 1013, reason: 'service briefly unavailable; reconnect' };
  if (!(err instanceof ChatError)) return { code: 1011, reason: 'internal error; reconnect' };
  const code =
    err.code === 'UNAUTHORIZED'
      ? V3_STREAM_CLOSE.unauthorized
      : err.code === 'FORBIDDEN'
        ? V3_STREAM_CLOSE.forbidden
        : err.code === 'INVALID_SESSION' || err.code === 'NOT_FOUND'
          ? V3_STREAM_CLOSE.notFound
          : WS_CLOSE_POLICY_VIOLATION;
  return { code, reason: closeReason(err.message) };
}

/**
 * Parley extension to Chat API v3: the customer's messages over a WebSocket instead of long polls
 * (`GET {prefix}/:sessionId/stream`). The client's first frame authenticates it exactly as the long
 * poll's headers do (same functions: page key and origin, client key, `customer.session`, the read
 * check); then every batch the long poll would answer is sent as one `messages` frame, read after
 * the index the client named (or the delivery cursor), and the cursor moves once the frame has been
 * written. Idle sockets cost a fan-out listener and an entry in one shared sweep per node (auth
 * deadline, heartbeat and dead-peer check, the fan-out's safety-net re-read): no timer per socket,
 * no store or Redis work while nothing happens.
 */
export function registerConsumerV3Stream(app: FastifyInstance, deps: ConsumerV3StreamDeps): void {
  const { chat, fanout, prefix } = deps;
  const streams = new Set<Stream>();
  const perSession = new Map<string, number>();
  let sweeper: NodeJS.Timeout | undefined;

  const sweep = () => {
    sweeper = undefined;
    const now = deps.clock.now();
    for (const s of streams) {
      if (!s.pump) {
        if (now - s.opened >= V3_STREAM_LIMITS.authTimeoutMs) s.socket.close(V3_STREAM_CLOSE.unauthorized, 'authenticate first');
        continue;
      }
      if (s.expiresAtMs !== undefined && now >= s.expiresAtMs) {
        s.socket.close(V3_STREAM_CLOSE.unauthorized, 'the client token expired; restore the session');
        continue;
      }
      if (now - s.lastBeat >= deps.heartbeatMs) {
        // No answer to the previous ping: the peer is gone without a close.
        if (!s.alive) {
          s.socket.terminate();
          continue;
        }
        s.alive = false;
        s.lastBeat = now;
        s.socket.ping();
        s.socket.send(JSON.stringify({ type: 'heartbeat' } satisfies V3StreamFrame));
      }
      // A lost notification costs latency, never a message (the long poll's safety net).
      if (now - s.lastRead >= fanout.recheckMs) s.pump();
    }
    schedule();
  };
  const schedule = () => {
    if (sweeper || streams.size === 0) return;
    sweeper = setTimeout(sweep, Math.max(50, Math.min(1_000, deps.heartbeatMs, fanout.recheckMs)));
    sweeper.unref();
  };
  app.addHook('onClose', async () => clearTimeout(sweeper));

  deps.openapi.add({
    method: 'get',
    path: `${prefix}/:sessionId/stream`,
    tag: 'consumer-v3',
    summary:
      'Parley extension (Parley SDK only; offered as data.messageStream when the start asks with x-parley-extensions: message-stream): WebSocket receiving what the long poll would. First frame {type:"auth", apiKey, clientKey, index?}; then {type:"ready"}, {type:"messages", messages, lastDeliveredIndex, chatEnded} and {type:"heartbeat"} frames',
    responses: { '101': 'switching protocols', '400': 'sessionId is not a UUID' },
  });
  app.get(
    `${prefix}/:sessionId/stream`,
    {
      websocket: true,
      preValidation: async (req: FastifyRequest, reply: FastifyReply) => {
        try {
          parseOr400(sessionParams, req.params, 'path');
        } catch (err) {
          return errorReply(req, reply, err);
        }
      },
    },
    (socket: WebSocket, req: FastifyRequest) => {
      const { sessionId } = req.params as { sessionId: string };
      const now = deps.clock.now();
      const s: Stream = { socket, opened: now, lastRead: now, lastBeat: now, alive: true };
      streams.add(s);
      schedule();
      const open = () => socket.readyState === socket.OPEN;
      let counted = false;
      let stopListening = () => {};
      const budget = new FrameBudget();
      let authenticating = false;

      const start = async (frame: V3StreamAuthFrame) => {
        const deployment = await deploymentByKey(req, null, deps.deployments, frame.apiKey);
        const { claims } = await v3Customer(req, deps.authn, deployment, sessionId, frame.clientKey);
        await chat.customerSession(sessionId, claims.participantId, 'read');
        if (!open()) return;
        if ((perSession.get(sessionId) ?? 0) >= V3_STREAM_LIMITS.maxPerSession) return socket.close(V3_STREAM_CLOSE.tooMany, 'too many sockets for this session; use the long poll');
        perSession.set(sessionId, (perSession.get(sessionId) ?? 0) + 1);
        counted = true;
        /** The index of the last message this socket sent (or the client holds): it reads on from there. */
        let position = frame.index;
        const pump = serial(
          async () => {
            while (open()) {
              s.lastRead = deps.clock.now();
              const r = await chat.readNew(sessionId, claims.participantId, 'Customer', position, V3_STREAM_LIMITS.batch, 'on-handover');
              if (r.messages.length) position = r.messages[r.messages.length - 1]!.index;
              if (!open()) return r.handover?.abandon();
              if (!r.messages.length && !r.chatEnded) return r.handover?.complete();
              const out: V3StreamFrame = { type: 'messages', messages: r.messages.map(toV3Message), lastDeliveredIndex: r.lastDeliveredIndex, chatEnded: r.chatEnded };
              socket.send(JSON.stringify(out), (err) => {
                if (err) return r.handover?.abandon();
                r.handover?.complete();
                if (r.chatEnded) socket.close(V3_STREAM_CLOSE.chatEnded, 'chat ended');
              });
              if (r.chatEnded || r.messages.length < V3_STREAM_LIMITS.batch) return;
            }
          },
          (err) => {
            const { code, reason } = closeCodeOf(err);
            if (code === 1011) req.log.warn({ err }, 'v3 message stream read failed');
            if (open()) socket.close(code, reason);
          },
        );
        s.pump = pump;
        s.expiresAtMs = claims.expiresAtMs;
        socket.send(JSON.stringify({ type: 'ready' } satisfies V3StreamFrame));
        stopListening = fanout.listen(topics.session(sessionId), pump);
        pump();
      };

      socket.on('pong', () => (s.alive = true));
      socket.on('message', (raw: Buffer) => {
        s.alive = true;
        if (raw.length > V3_STREAM_LIMITS.maxClientFrameBytes) return socket.close(1009, 'frame too large');
        if (!budget.take()) return socket.close(WS_CLOSE_POLICY_VIOLATION, 'too many frames; slow down');
        // Only the first frame means something: the auth.
        if (authenticating) return;
        authenticating = true;
        let frame: V3StreamAuthFrame;
        try {
          frame = v3StreamAuthFrame.parse(JSON.parse(raw.toString()));
        } catch {
          return socket.close(V3_STREAM_CLOSE.unauthorized, 'the first frame must be {"type":"auth","apiKey","clientKey","index"?}');
        }
        start(frame).catch((err: unknown) => {
          const { code, reason } = closeCodeOf(err);
          if (code === 1011) req.log.error({ err }, 'v3 message stream authentication failed');
          if (open()) socket.close(code, reason);
        });
      });
      socket.on('close', () => {
        streams.delete(s);
        stopListening();
        if (counted) {
          const left = (perSession.get(sessionId) ?? 1) - 1;
          if (left > 0) perSession.set(sessionId, left);
          else perSession.delete(sessionId);
        }
      });
    },
  );
}
