import type { FastifyReply, FastifyRequest } from 'fastify';
import { findNul } from '@parley/protocol';
import { z } from 'zod';
import { ChatError } from '../core/errors.js';

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
  if (err instanceof ChatError) {
    const body: ErrorBodyShape = { status: { code: err.code, message: err.message }, referenceId: String(req.id) };
    if (operationId) body.operationId = operationId;
    return reply.code(err.httpStatus).send(body);
  }
  const e = err as { statusCode?: number; message?: string; code?: string };
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return reply.code(e.statusCode).send({ status: { code: e.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'INVALID_REQUEST', message: e.message ?? 'bad request' }, referenceId: String(req.id) });
  }
  req.log.error({ err }, 'request failed');
  return reply.code(500).send({ status: { code: 'INTERNAL_ERROR', message: 'internal error; the reference id identifies it in the server log' }, referenceId: String(req.id) });
}

export function operationIdOf(req: FastifyRequest): string | undefined {
  const fromBody = (req.body as Record<string, unknown> | undefined)?.operationId;
  const fromQuery = (req.query as Record<string, unknown> | undefined)?.operationId;
  const v = typeof fromBody === 'string' ? fromBody : typeof fromQuery === 'string' ? fromQuery : undefined;
  return v && v.length <= 128 ? v : undefined;
}
