import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or the text when it is not JSON. */
  body: any;
}

export interface RawRequest {
  method: string;
  /** Sent exactly as listed: names keep their case, nothing is added but Host. */
  headers?: [string, string][];
  /** Body bytes; none when undefined. */
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length). */
  chunked?: boolean;
}

/**
 * One HTTP request in exactly the shape a client sends it: the given header names and values,
 * the body bytes as they are, Content-Length only when the caller lists it (or the body is not
 * chunked and not empty), so empty-bodied requests can be replayed with and without it.
 */
export function rawRequest(url: string, r: RawRequest): Promise<RawAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: r.method, setDefaultHeaders: false });
    req.setHeader('Host', u.host);
    for (const [name, value] of r.headers ?? []) req.setHeader(name, value);
    const bytes = r.body === undefined ? undefined : Buffer.from(r.body);
    const listed = (name: string) => (r.headers ?? []).some(([n]) => n.toLowerCase() === name);
    if (r.chunked) req.setHeader('Transfer-Encoding', 'chunked');
    else if (bytes && bytes.length && !listed('content-length')) req.setHeader('Content-Length', String(bytes.length));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    if (r.chunked) {
      if (bytes && bytes.length) req.write(bytes);
      req.end();
    } else req.end(bytes && bytes.length ? bytes : undefined);
  });
}
