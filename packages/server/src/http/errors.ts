import type { FastifyReply, FastifyRequest } from 'fastify';
import { findNul } from '@parley/protocol';
import { z } from 'zod';
import { ChatError, StoreUnavailableError } from '../core/errors.js';

/** What a client is told to wait before retrying while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 2;
export const UNAVAILABLE_MESSAGE = 'the service is briefly unavailable; retry the request (with the same operationId) shortly';

/**
 * A failure of the infrastructure, not of the request: the request can be sent again as it is.
 * Sets the 503's Retry-After and logs it (once per request, without the request's data).
 */
export function unavailable(req: FastifyRequest, reply: FastifyReply, err: unknown): boolean {
  if (!(err instanceof StoreUnavailableError)) return false;
  req.log.warn({ reason: err.message }, 'store unavailable: answered 503');
  reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return true;
}

/** Turns a zod failure into a message that names the fields, e.g. `data.type: Invalid option`. */
export function describeZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
}

export function parseOr400<T extends z.ZodTypeAny>(schema: T, value: unknown, what: string): z.infer<T> {
  const nul = findNul(value);
  if (nul !== null) throw new ChatError('INVALID_REQUEST', `invalid ${what}: ${nul} contains the NUL character`);
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new ChatError('INVALID_REQUEST', `invalid ${what}: ${describeZodError(r.error)}`);
  return r.data;
}

export interface ErrorBodyShape {
  status: { code: string; message: string };
  operationId?: string;
  referenceId: string;
}

export function errorReply(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const operationId = operationIdOf(req);
  if (unavailable(req, reply, err)) {
    const body: ErrorBodyShape = { status: { code: 'SERVICE_UNAVAILABLE', message: UNAVAILABLE_MESSAGE }, referenceId: String(req.id) };
    if (operationId) body.operationId = operationId;
    return reply.code(503).send(body);
  }
  if (err instanceof ChatError) {
    const body: ErrorBodyShape = { status: { code: err.code, message: err.message }, referenceId: String(req.id) };
    if (operationId) body.operationId = operationId;
    return reply.code(err.httpStatus).send(body);
  }
  const client = clientError(err);
  if (client) return reply.code(client.status).send({ status: { code: client.code, message: client.message }, referenceId: String(req.id) });
  req.log.error({ err }, 'request failed');
  return reply.code(500).send({ status: { code: 'INTERNAL_ERROR', message: 'internal error; the reference id identifies it in the server log' }, referenceId: String(req.id) });
}

export function operationIdOf(req: FastifyRequest): string | undefined {
  const fromBody = (req.body as Record<string, unknown> | undefined)?.operationId;
  const fromQuery = (req.query as Record<string, unknown> | undefined)?.operationId;
  const v = typeof fromBody === 'string' ? fromBody : typeof fromQuery === 'string' ? fromQuery : undefined;
  return v && v.length <= 128 ? v : undefined;
}

/**
 * A 4xx raised outside the handlers (body parsing, size limits, rate limits): its status, the
 * ChatError code that status stands for, and its message.
 */
export function clientError(err: unknown): { status: number; code: ChatError['code']; message: string } | null {
  const e = err as { statusCode?: number; message?: string; status?: { message?: unknown } } | null;
  if (!e || typeof e.statusCode !== 'number' || e.statusCode < 400 || e.statusCode >= 500) return null;
  const byStatus: Record<number, ChatError['code']> = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED' };
  // The rate limiter's answer carries its message in status.message.
  const message = typeof e.status?.message === 'string' ? e.status.message : e.message || 'bad request';
  return { status: e.statusCode, code: byStatus[e.statusCode] ?? 'INVALID_REQUEST', message };
}
