import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { crossOrigin, headersOf, pagePolicy } from './security-headers.js';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** The headers helmet itself puts on a real response of a real server. */
async function servedWith(policy: Middleware): Promise<Record<string, string>> {
  const server = createServer((req, res) => policy(req, res, () => res.end('ok')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await r.text();
    const out: Record<string, string> = {};
    for (const [name, value] of r.headers) if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)) out[name] = value;
    return out;
  } finally {
    server.close();
  }
}

describe('security headers taken once per area', () => {
  it.each([
    ['widget assets, APIs and files', crossOrigin],
    ['the desktop', pagePolicy([], [])],
    ['the demo page', pagePolicy(["'sha256-abc'"], ["'sha256-def'"])],
  ])('%s: the same headers as helmet sets on each response', async (_area, policy) => {
    expect(headersOf(policy)).toEqual(await servedWith(policy));
  });
});
