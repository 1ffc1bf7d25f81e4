import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DeploymentAccess } from '../core/deployment-access.js';
import { ChatError } from '../core/errors.js';
import type { Deployment } from '../core/types.js';

export const CORS_ALLOWED_HEADERS = 'content-type, x-api-key, x-nexus-client-key, apikey, authorization, x-parley-extensions';

/** A client (Parley's SDK) asks for wire extensions with `x-parley-extensions: interaction-state`. */
export const wantsExtensions = (headers: Record<string, unknown>): boolean =>
  String(headers['x-parley-extensions'] ?? '')
    .split(/[ ,]+/)
    .includes('interaction-state');

function sameOrigin(req: FastifyRequest, origin: string): boolean {
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function originAllowed(allowed: string[], origin: string): boolean {
  return allowed.includes('*') || allowed.includes(origin);
}

/**
 * CORS per deployment. A preflight carries no API key, so it is answered for any origin that some
 * deployment allows; the real request is then checked against its own deployment (assertOrigin).
 */
export function registerCors(app: FastifyInstance, deployments: DeploymentAccess, publicPrefixes: string[]): void {
  const isPublic = (url: string) => publicPrefixes.some((p) => url.startsWith(p));

  const answer = async (req: FastifyRequest, reply: FastifyReply, origin: string): Promise<boolean> => {
    const origins = await deployments.knownOrigins();
    const maybe = sameOrigin(req, origin) || origins.has('*') || origins.has(origin);
    if (req.method === 'OPTIONS') {
      if (!maybe) {
        reply.code(403).send({ status: { code: 'FORBIDDEN', message: `origin ${origin} is not allowed` } });
        return true;
      }
      reply
        .code(204)
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS')
        .header('access-control-allow-headers', CORS_ALLOWED_HEADERS)
        .header('access-control-max-age', '600')
        .header('vary', 'Origin')
        .send();
      return true;
    }
    if (maybe) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    return false;
  };
  // Callback style: a request without an Origin (server to server, same-origin GETs) passes at once.
  app.addHook('onRequest', (req, reply, done) => {
    const origin = req.headers.origin;
    if (!origin || !isPublic(req.url)) return done();
    answer(req, reply, origin).then(
      (answered) => {
        if (!answered) done();
      },
      (err: Error) => done(err),
    );
  });
}

/** Refuses a cross-origin request whose deployment does not list the page's origin. */
export function assertOrigin(req: FastifyRequest, reply: FastifyReply | null, deployment: Deployment): void {
  const origin = req.headers.origin;
  if (!origin || sameOrigin(req, origin) || originAllowed(deployment.allowedOrigins, origin)) return;
  reply?.removeHeader('access-control-allow-origin');
  throw new ChatError('FORBIDDEN', `origin ${origin} is not allowed for this deployment`);
}
