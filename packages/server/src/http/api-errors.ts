import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorReply } from './errors.js';

export type ErrorReplier = (req: FastifyRequest, reply: FastifyReply, err: unknown) => FastifyReply;

/**
 * Errors raised before a handler runs (an unparseable body, a body over the size limit, a refused
 * content type, a rate limit) answer in the format of the API the request was for: each API's
 * clients only understand their own. `formats` maps path prefixes to repliers; every other path
 * (Chat API v3, agent, admin, workflow) shares Parley's `{status: {code, message}}` envelope.
 */
export function registerApiErrors(app: FastifyInstance, formats: { prefix: string; reply: ErrorReplier }[]): void {
  app.setErrorHandler((err, req, reply) => {
    const path = req.url.split('?')[0]!;
    const format = formats.find((f) => path === f.prefix || path.startsWith(f.prefix + '/'));
    return (format?.reply ?? errorReply)(req, reply, err);
  });
}
