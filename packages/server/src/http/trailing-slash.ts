import type { IncomingMessage } from 'node:http';

/**
 * API paths answer with or without one trailing slash: the GMS client adds one to every request
 * (`enableUrlTrailingSlash`, on by default) and pages may configure a `dataURL` ending in one.
 * Used as Fastify's `rewriteUrl`, before routing; only paths under the API prefixes change, so the
 * static folders keep their `/desktop/` style index URLs.
 */
export function trailingSlashRewriter(prefixes: string[]): (req: IncomingMessage) => string {
  return (req) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path.length < 2 || !path.endsWith('/') || path.endsWith('//')) return url;
    const bare = path.slice(0, -1);
    if (!prefixes.some((p) => bare === p || bare.startsWith(p + '/'))) return url;
    return bare + (q < 0 ? '' : url.slice(q));
  };
}
