import http from 'node:http';

export interface Reply<T = any> {
  status: number;
  body: T;
}

/** A keep-alive agent with no socket limit: one per load-generator process. */
export function keepAliveAgent(maxFree = 100_000): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: maxFree, scheduling: 'lifo' });
}

/** One HTTP request with node:http (lighter than fetch for thousands of concurrent long polls). */
export function request<T = any>(
  agent: http.Agent,
  method: string,
  url: string,
  opts: { headers?: Record<string, string>; json?: unknown; form?: string; timeoutMs?: number } = {},
): Promise<Reply<T>> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string | number> = { ...opts.headers };
    let body: string | undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    } else if (opts.form !== undefined) {
      body = opts.form;
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    const req = http.request({ agent, method, host: u.hostname, port: u.port, path: u.pathname + u.search, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed as T });
      });
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${u.pathname}: no answer in ${opts.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Form-encodes `{a: 1, data: {b: 2}}` as `a=1&data[b]=2`, the way the Genesys client does. */
export function formEncode(obj: Record<string, unknown>, prefix = ''): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const key = prefix ? `${prefix}[${k}]` : k;
    if (v !== null && typeof v === 'object') parts.push(formEncode(v as Record<string, unknown>, key));
    else parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
  }
  return parts.filter(Boolean).join('&');
}

/**
 * Sends again when the connection was reset before any answer: a kept-alive socket the server
 * closed meanwhile (the ladder's next rung reuses the admin's sockets after a long teardown). Only
 * for requests that are safe to repeat (creating an account that may exist, a login).
 */
export async function againOnReset<T>(send: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await send();
    } catch (err) {
      if (i >= attempts || (err as NodeJS.ErrnoException).code !== 'ECONNRESET') throw err;
    }
  }
}
