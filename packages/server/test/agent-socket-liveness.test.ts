import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Agent, startServer, type Running } from './helpers.js';

/**
 * A half-open agent socket (the peer gone without a close: a laptop lid, a lost network) must not
 * keep an agent present: the server pings at the protocol level, as browsers answer by themselves,
 * and ends a socket whose peer no longer answers.
 */
const PING_MS = 200;

async function authenticatedSocket(url: string, token: string, autoPong: boolean): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(url.replace('http', 'ws') + '/agent/v1/events', { autoPong });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const ready = new Promise<void>((resolve) =>
    ws.on('message', (d) => {
      if (JSON.parse(d.toString()).type === 'ready') resolve();
    }),
  );
  ws.send(JSON.stringify({ type: 'auth', token }));
  await ready;
  return { ws, closed };
}

describe('agent socket liveness', () => {
  let srv: Running;
  let token: string;
  beforeAll(async () => {
    srv = await startServer({ AGENT_SOCKET_PING_MS: String(PING_MS) });
    token = (await new Agent(srv.url).login()).token;
  });
  afterAll(() => srv?.close());

  it('ends a socket whose peer stops answering pings, and keeps one that answers', async () => {
    const silent = await authenticatedSocket(srv.url, token, false);
    const alive = await authenticatedSocket(srv.url, token, true);
    const outcome = await Promise.race([silent.closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), PING_MS * 10))]);
    expect(outcome).toBe('closed');
    await new Promise((r) => setTimeout(r, PING_MS * 5));
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    alive.ws.close();
    await alive.closed;
  });
});
