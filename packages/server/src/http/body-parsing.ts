import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseFormBody } from '@parley/protocol';

/**
 * How request bodies are read, for every API. Genesys clients declare a Content-Type on requests
 * that carry no body (guest chat's DELETE of its member and its typing POST send
 * `application/json; charset=utf-8` and nothing else), so an empty body is "no body" whatever type
 * it is declared as; the route then decides whether it needed one, and says so in its API's error
 * format. Non-empty bodies are parsed as declared: JSON, form (bracket nesting), text, multipart
 * (by @fastify/multipart); other declared types get 415.
 */
export function registerBodyParsing(app: FastifyInstance): void {
  // No body bytes and no chunked body on the way: there is nothing to parse, so the declared type
  // is dropped before Fastify picks a parser (which would refuse an empty JSON body, or any
  // unparseable type). Chunked bodies that turn out empty are caught by the parsers below.
  app.addHook('onRequest', (req, _reply, done) => {
    const h = req.raw.headers;
    if (h['content-type'] !== undefined && h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0')) {
      delete h['content-type'];
    }
    done();
  });

  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (isBlank(body as string)) return done(null, undefined);
    return json(req, body as string, done);
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    if (isBlank(body as string)) return done(null, undefined);
    try {
      done(null, parseFormBody(body as string));
    } catch (err) {
      done(err as Error);
    }
  });
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, isBlank(body as string) ? undefined : body));
  // Any other declared type: empty is no body; content of a type no route reads is refused.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req: FastifyRequest, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    const err = new Error(`content type ${String(req.headers['content-type']).slice(0, 100)} is not accepted here; send JSON or a form`) as Error & { statusCode: number };
    err.statusCode = 415;
    done(err, undefined);
  });
}

function isBlank(body: string): boolean {
  return body.trim() === '';
}
