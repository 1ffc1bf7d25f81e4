import type { FastifyRequest } from 'fastify';

/** Query parameters that carry a credential: a file link's signature, a customer token, an API key. */
const SECRET_PARAMS = new Set(['sig', 'jwt', 'securekey', 'token', 'apikey', 'api_key', 'x-api-key', 'clienttoken', 'code', 'state']);

/** `url` with the values of credential-bearing query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return eq >= 0 && SECRET_PARAMS.has(decoded.toLowerCase()) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/** The request as the log shows it (Fastify's default fields, with the URL redacted). */
export function requestForLog(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
