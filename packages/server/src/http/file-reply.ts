import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { StoredFile } from '../core/types.js';

/** Sends an uploaded file so that it can never run as a page: nosniff, a sandboxing CSP, images inline, the rest as attachments. */
export function sendStoredFile(reply: FastifyReply, meta: StoredFile, bytes: Readable): FastifyReply {
  const inline = meta.mime.startsWith('image/');
  return reply
    .header('content-type', meta.mime)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-length', meta.size)
    .header('cache-control', 'private, max-age=3600')
    .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${meta.name.replace(/[^\w.\- ]/g, '_')}"`)
    .send(bytes);
}
