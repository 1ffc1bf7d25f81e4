import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ParleyMetrics } from '../metrics/registry.js';
import { bearerToken } from './bearer-token.js';
import { appendRouteHook } from './route-hooks.js';

export interface MetricsRouteOptions {
  metrics: ParleyMetrics;
  /** The scrape token (METRICS_TOKEN); without one `/metrics` is not served at all (404). */
  token: string | undefined;
  /** WebSocket route patterns and the transport each is counted as. */
  socketRoutes: Record<string, string>;
}

/**
 * Counts every answered request by route pattern (never the raw URL: ids and tokens stay out of
 * the labels) and the WebSockets open, and serves `GET /metrics` to holders of the scrape token.
 */
export function registerMetrics(app: FastifyInstance, opts: MetricsRouteOptions): void {
  const { metrics } = opts;
  // Only the WebSocket routes count sockets: the other requests pay nothing for it.
  app.addHook('onRoute', (route) => {
    const transport = opts.socketRoutes[route.url];
    if (!transport) return;
    const countSocket = (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      if (req.headers.upgrade?.toLowerCase() === 'websocket') {
        // The upgraded connection lives as long as its TCP socket.
        metrics.openSockets.inc({ transport });
        req.raw.socket.once('close', () => metrics.openSockets.dec({ transport }));
      }
      done();
    };
    appendRouteHook(route, 'onRequest', countSocket);
  });
  app.addHook('onResponse', (req, reply, done) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  for (const transport of new Set(Object.values(opts.socketRoutes))) metrics.openSockets.set({ transport }, 0);

  const token = opts.token;
  if (!token) return;
  const expected = digest(token);
  app.get('/metrics', async (req, reply) => {
    const given = bearerToken(req);
    if (given === null || !timingSafeEqual(digest(given), expected)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ statusCode: 401, error: 'Unauthorized', message: 'a valid metrics token is required' });
    }
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
