import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ChatError } from '../../core/errors.js';

/** The body field a workflow write may carry to be applied once (Parley's addition to seed 002). */
export const operationIdField = z.string().min(1).max(128).optional();
const headerValue = z.string().min(1, 'Idempotency-Key is empty').max(128, 'Idempotency-Key: at most 128 characters');

/**
 * The id that makes a workflow write apply once: the body's `operationId` or the
 * `Idempotency-Key` header (either; both only when they agree).
 */
export function workflowOperationId(req: FastifyRequest, fromBody: string | undefined): string | undefined {
  const header = req.headers['idempotency-key'];
  if (header === undefined) return fromBody;
  const parsed = headerValue.safeParse(header);
  if (!parsed.success) throw new ChatError('INVALID_REQUEST', parsed.error.issues[0]?.message ?? 'Idempotency-Key must be one value of 1-128 characters');
  if (fromBody !== undefined && fromBody !== parsed.data) throw new ChatError('INVALID_REQUEST', 'operationId and the Idempotency-Key header differ; send one, or the same in both');
  return parsed.data;
}
