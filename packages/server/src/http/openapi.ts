import { z } from 'zod';

/** Collects route descriptions from the API folders and serves them as one OpenAPI 3.1 document. */
export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  tag: string;
  summary: string;
  body?: z.ZodTypeAny;
  bodyContentTypes?: string[];
  query?: z.ZodObject<any>;
  security?: ('apiKey' | 'clientKey' | 'bearer')[];
  responses?: Record<string, string>;
  /** The schema of the success answer (from @parley/protocol), documented under the first 2xx response. */
  response?: z.ZodTypeAny;
}

export class OpenApiRegistry {
  private readonly routes: RouteDoc[] = [];

  add(doc: RouteDoc): void {
    this.routes.push(doc);
  }

  document(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const params = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      const query = r.query ? Object.entries(r.query.shape).map(([name, s]) => ({ name, in: 'query', required: !(s as z.ZodTypeAny).isOptional(), schema: safeSchema(s as z.ZodTypeAny) })) : [];
      const op: Record<string, unknown> = {
        tags: [r.tag],
        summary: r.summary,
        parameters: [...params, ...query],
        responses: Object.fromEntries(Object.entries(r.responses ?? { '200': 'OK' }).map(([code, description]) => [code, { description }])),
      };
      if (r.response) {
        const responses = op.responses as Record<string, Record<string, unknown>>;
        const success = Object.keys(responses).find((code) => code.startsWith('2')) ?? '200';
        responses[success] = { description: responses[success]?.description ?? 'OK', content: { 'application/json': { schema: safeSchema(r.response, 'output') } } };
      }
      if (r.security) op.security = r.security.map((s) => ({ [s]: [] }));
      if (r.body) {
        const schema = safeSchema(r.body);
        op.requestBody = { required: true, content: Object.fromEntries((r.bodyContentTypes ?? ['application/json']).map((t) => [t, { schema }])) };
      }
      (paths[path] ??= {})[r.method] = op;
    }
    return {
      openapi: '3.1.0',
      info: { title: 'Parley', version: '0.1.0', description: 'Customer web chat: consumer messaging (Chat API v3), agent API.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          clientKey: { type: 'apiKey', in: 'header', name: 'x-nexus-client-key' },
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
      paths,
    };
  }
}

function safeSchema(s: z.ZodTypeAny, io: 'input' | 'output' = 'input'): unknown {
  try {
    return z.toJSONSchema(s, { unrepresentable: 'any', io });
  } catch {
    return {};
  }
}
