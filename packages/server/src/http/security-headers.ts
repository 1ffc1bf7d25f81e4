import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Headers every response gets; pages add a content security policy of their own. */
const base = {
  contentSecurityPolicy: false,
  // TLS is the proxy's: it sets Strict-Transport-Security (docs/deploy.md).
  strictTransportSecurity: false,
  xContentTypeOptions: true,
  referrerPolicy: { policy: 'no-referrer' as const },
} as const;

/** Pages of our own that no other site may frame (clickjacking), with scripts from this server only. */
export function pagePolicy(extraScript: string[], extraStyle: string[]): Middleware {
  return helmet({
    ...base,
    xFrameOptions: { action: 'deny' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...extraScript],
        styleSrc: ["'self'", ...extraStyle],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  }) as Middleware;
}

/**
 * Widget assets, API answers and files: loaded by customers' pages on other origins (a script tag,
 * an image of a chat attachment), so no same-origin resource policy; never rendered as a page of
 * ours, so a policy that forbids everything if one were opened directly.
 */
export const crossOrigin = helmet({
  ...base,
  xFrameOptions: { action: 'deny' },
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  crossOriginOpenerPolicy: false,
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], sandbox: [] } },
}) as Middleware;

/** `'sha256-…'` sources for the inline `<script>` and `<style>` blocks of a page. */
export function inlineHashes(html: string): { scripts: string[]; styles: string[] } {
  const hashes = (tag: string) => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
  return { scripts: hashes('script'), styles: hashes('style') };
}

/**
 * Security headers by area: the agent desktop and the demo page are not frameable and run only
 * this server's scripts (the demo page's inline blocks by hash); everything else is served for
 * other origins to load.
 */
export function registerSecurityHeaders(app: FastifyInstance, pages: { desktopPrefix: string; demoPage: string | null; widgetsPrefix: string }): void {
  const demoHtml = pages.demoPage && existsSync(pages.demoPage) ? readFileSync(pages.demoPage, 'utf8') : '';
  const inline = inlineHashes(demoHtml);
  // helmet's answer never depends on the request: it is taken once per area and set as one object.
  const desktop = headersOf(pagePolicy([], []));
  const demo = headersOf(pagePolicy(inline.scripts, inline.styles));
  const other = headersOf(crossOrigin);
  app.addHook('onRequest', (req, reply, done) => {
    const path = req.url.split('?', 1)[0]!;
    reply.headers(path.startsWith(pages.desktopPrefix) || path === pages.desktopPrefix.slice(0, -1) ? desktop : isDemoPage(path, pages.widgetsPrefix) ? demo : other);
    done();
  });
}

/** The headers a helmet middleware sets (it sets the same ones on every response). */
export function headersOf(policy: Middleware): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let failed: unknown;
  policy({} as IncomingMessage, res as unknown as ServerResponse, (err) => (failed = err));
  if (failed) throw failed;
  return Object.freeze(headers);
}

/** The demo page and its own files at the root (not the APIs, which live under their prefixes). */
function isDemoPage(path: string, widgetsPrefix: string): boolean {
  return path === '/' || (/^\/[^/]+\.(html|js|css)$/.test(path) && !path.startsWith(widgetsPrefix));
}
