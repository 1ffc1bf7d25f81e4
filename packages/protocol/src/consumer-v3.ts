import { z } from 'zod';
import type { Message } from './model.js';
import { nameText } from './safe-input.js';

/** Chat API v3 (consumer messaging), as seed 000 and the reference describe it. */

const text = (max: number) => z.string().max(max);

export const v3UserData = z.record(z.string().max(128), z.union([z.string().max(4096), z.number(), z.boolean()]).transform(String));

export const v3StartBody = z.object({
  operationId: z.string().max(128).optional(),
  data: z
    .object({
      firstName: nameText(256).optional(),
      lastName: nameText(256).optional(),
      nickname: nameText(256).optional(),
      email: nameText(320).optional(),
      subject: text(1024).optional(),
      endpoint: text(128).optional(),
      stream: text(128).optional(),
      async: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
      userData: v3UserData.optional(),
    })
    .passthrough()
    .default({}),
});
export type V3StartBody = z.infer<typeof v3StartBody>;

export const V3_SEND_TYPES = ['Text', 'TypingStarted', 'TypingStopped'] as const;

export const v3SendBody = z.object({
  operationId: z.string().max(128).optional(),
  data: z.object({
    type: z.enum(V3_SEND_TYPES, { message: `data[type] must be one of ${V3_SEND_TYPES.join(', ')}` }),
    text: z.string().optional(),
  }),
});
export type V3SendBody = z.infer<typeof v3SendBody>;

export const v3UserDataBody = z.object({
  operationId: z.string().max(128).optional(),
  data: v3UserData,
});

export const v3OperationOnly = z.object({ operationId: z.string().max(128).optional() }).passthrough();

export const v3MessagesQuery = z.object({
  operationId: z.string().max(128).optional(),
  count: z.coerce.number().int().min(1).max(500).optional(),
  index: z
    .string()
    .regex(/^\d+-\d+$/, 'index must look like "<ms>-<seq>"')
    .optional(),
  wait: z.coerce.number().int().min(0).max(60000).optional(),
});

export interface V3Envelope<T> {
  status: { code: 'SUCCESS' };
  data: T;
  operationId?: string;
  referenceId: string;
}

export interface V3ErrorEnvelope {
  status: { code: string; message: string };
  operationId?: string;
  referenceId?: string;
}

export interface V3ClientTokenPayload {
  sessionId: string;
  transportId: string;
  participantId: string;
}

/** A message as the v3 wire carries it: the internal model less internal fields, plus `streamId`. */
export interface V3Message {
  id: string;
  index: string;
  streamId: string;
  utcTime: string;
  visibility: Message['visibility'];
  type: Message['type'];
  from: { participantId: string; type: string; nickname?: string };
  text?: string;
  url?: string;
  content?: Message['content'];
  event?: string;
  data?: Record<string, unknown>;
}

export function toV3Message(m: Message): V3Message {
  const out: V3Message = {
    type: m.type,
    from: { participantId: m.from.participantId, type: m.from.type === 'Workflow' ? 'External' : m.from.type },
    visibility: m.visibility,
    id: m.id,
    utcTime: m.utcTime,
    streamId: m.index,
    index: m.index,
  };
  if (m.from.nickname !== undefined) out.from.nickname = m.from.nickname;
  if (m.text !== undefined) out.text = m.text;
  if (m.url !== undefined) out.url = m.url;
  if (m.content !== undefined) out.content = m.content;
  if (m.event !== undefined) out.event = m.event;
  if (m.data !== undefined) out.data = m.data;
  return out;
}

/**
 * Parley extension: Chat API v3 messages over a WebSocket, for Parley's SDK only. A start request
 * with `x-parley-extensions: message-stream` gets `data.messageStream` (the socket's path) when the
 * server offers it; the Genesys client never asks, so its wire is unchanged. The socket carries
 * what the long poll would answer, from the same delivery cursor (or after the index the client
 * names), and the cursor moves once a frame has been written to the socket.
 */
export const V3_STREAM_EXTENSION = 'message-stream';

/** The client's first (and only meaningful) frame: the v3 request headers, and the last index it holds. */
export const v3StreamAuthFrame = z.object({
  type: z.literal('auth'),
  apiKey: z.string().min(1).max(512),
  clientKey: z.string().min(1).max(4096),
  index: z
    .string()
    .regex(/^\d+-\d+$/, 'index must look like "<ms>-<seq>"')
    .optional(),
});
export type V3StreamAuthFrame = z.infer<typeof v3StreamAuthFrame>;

/** What the server sends: `ready` once authenticated, then a long poll's `data` per batch, and heartbeats. */
export type V3StreamFrame = { type: 'ready' } | { type: 'messages'; messages: V3Message[]; lastDeliveredIndex: string | null; chatEnded: boolean } | { type: 'heartbeat' };

/** Close codes of the v3 message stream beside the standard ones (1008 policy, 1009 too big, 1011, 1013 try later). */
export const V3_STREAM_CLOSE = {
  /** The chat ended and its last messages were sent. */
  chatEnded: 1000,
  /** No valid auth frame: missing, malformed, late, or credentials refused. */
  unauthorized: 4401,
  /** The credentials are valid but not for this session (or the page's origin is not allowed). */
  forbidden: 4403,
  /** The session does not exist (any more). */
  notFound: 4404,
  /** Too many sockets for this session on this node: use the long poll. */
  tooMany: 4429,
} as const;
