import type { FastifyInstance } from 'fastify';
import { findNul } from '@parley/protocol';

/**
 * Path parameters reach the store on some routes before any schema: one holding NUL (`%00`) is
 * refused here, for every route, so both stores see the same (bodies and queries are checked where
 * they are parsed, see parseOr400).
 */
export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (req, reply, done) => {
    const where = findNul(req.params);
    if (where === null) return done();
    reply.code(400).send({ status: { code: 'INVALID_REQUEST', message: `the path parameter ${where} contains the NUL character` } });
  });
}
