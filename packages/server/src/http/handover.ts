import type { FastifyReply } from 'fastify';
import type { ReadResult } from '../core/chat-service.js';

/**
 * Moves the reader's delivery cursor only once this reply has been written whole and flushed to
 * the connection ('finish'); a reply cut before that ('close' first: aborted poll, dropped
 * connection) leaves the cursor, so the same messages are served again.
 */
export function cursorMovesWhenSent(reply: FastifyReply, result: ReadResult): void {
  const handover = result.handover;
  if (!handover) return;
  reply.raw.once('finish', () => handover.complete());
  reply.raw.once('close', () => handover.abandon());
}
