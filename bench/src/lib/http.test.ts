import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { againOnReset, keepAliveAgent, request } from './http.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A server that resets the connection of its first `resets` requests without answering, then answers 200. */
async function resettingServer(resets: number): Promise<{ url: string; seen: () => number }> {
  let seen = 0;
  const server = http.createServer((req, res) => {
    seen++;
    if (seen <= resets) return req.socket.resetAndDestroy();
    res.end('{"ok":true}');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen: () => seen };
}

describe('againOnReset', () => {
  it('sends again after a connection reset and returns the answer', async () => {
    const s = await resettingServer(2);
    const agent = keepAliveAgent();
    const r = await againOnReset(() => request(agent, 'POST', s.url, { json: {} }));
    expect(r).toEqual({ status: 200, body: { ok: true } });
    expect(s.seen()).toBe(3);
    agent.destroy();
  });

  it('gives up after the attempts it was given', async () => {
    const s = await resettingServer(5);
    const agent = keepAliveAgent();
    await expect(againOnReset(() => request(agent, 'POST', s.url, { json: {} }), 2)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(s.seen()).toBe(2);
    agent.destroy();
  });

  it('does not repeat a request that failed otherwise', async () => {
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    };
    await expect(againOnReset(failing)).rejects.toThrow('refused');
    expect(calls).toBe(1);
  });
});
