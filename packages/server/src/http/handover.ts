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
  const raw = reply.raw;
  // The client went away while the answer was being prepared: 'close' has fired already.
  if (raw.destroyed || raw.closed || !raw.socket || raw.socket.destroyed) return handover.abandon();
  raw.once('finish', () => handover.complete());
  raw.once('close', () => handover.abandon());
}
