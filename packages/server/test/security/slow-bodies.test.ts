/**
 * Issue 13, finding 7: a client gets a bounded time to send headers and a whole request, and an idle
 * keep-alive connection closes; long polls (answered later than the request timeout) and
 * WebSockets keep working.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, startServer, V3Customer, type Running } from '../helpers.js';
import { AgentSocket } from './agent-socket.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw connection that records what the server sent and when it closed the connection. */
async function rawConnection(base: string): Promise<{ socket: Socket; received: () => string; closedAt: () => number | null }> {
  const { port } = new URL(base);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  let closedAt: number | null = null;
  socket.on('data', (d) => (received += d.toString()));
  socket.on('close', () => (closedAt = Date.now()));
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  return { socket, received: () => received, closedAt: () => closedAt };
}

/** Writes `chunk` every `everyMs` until the connection closes or `maxMs` passes. */
async function trickle(c: Awaited<ReturnType<typeof rawConnection>>, chunk: string, everyMs: number, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  while (c.closedAt() === null && Date.now() < end) {
    if (!c.socket.destroyed) c.socket.write(chunk);
    await sleep(everyMs);
  }
}

describe('request, header and keep-alive timeouts', () => {
  let srv: Running;
  beforeAll(async () => {
    srv = await startServer({ HEADERS_TIMEOUT_MS: '600', REQUEST_TIMEOUT_MS: '1000', KEEP_ALIVE_TIMEOUT_MS: '500', LONG_POLL_MS: '2000' });
  });
  afterAll(() => srv.close());

  it('cuts a body trickled one byte at a time (408)', async () => {
    const c = await rawConnection(srv.url);
    const started = Date.now();
    c.socket.write('POST /agent/v1/login HTTP/1.1\r\nHost: parley\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{');
    await trickle(c, ' ', 150, 5_000);
    expect(c.closedAt()).not.toBeNull();
    expect(c.closedAt()! - started).toBeLessThan(3_000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts headers that never end', async () => {
    const c = await rawConnection(srv.url);
    const started = Date.now();
    c.socket.write('GET /health HTTP/1.1\r\nHost: parley\r\n');
    await trickle(c, 'X-Slow: 1\r\n', 100, 5_000);
    expect(c.closedAt()).not.toBeNull();
    expect(c.closedAt()! - started).toBeLessThan(2_500);
    expect(c.received()).not.toMatch(/200 OK/);
  });

  it('closes an idle keep-alive connection', async () => {
    const c = await rawConnection(srv.url);
    c.socket.write('GET /health HTTP/1.1\r\nHost: parley\r\nConnection: keep-alive\r\n\r\n');
    const answered = Date.now();
    await sleep(2_000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(c.closedAt()).not.toBeNull();
    expect(c.closedAt()! - answered).toBeLessThan(2_000);
  });

  it('answers long polls that wait longer than the request timeout', async () => {
    const customer = new V3Customer(srv.url);
    await customer.start();
    await customer.poll();
    const t0 = Date.now();
    const r = await customer.poll();
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThan(1_500);
    const agent = await new Agent(srv.url).login();
    const t1 = Date.now();
    const waited = await agent.call('GET', `/sessions/${customer.sessionId}/messages?after=${customer.seen.at(-1).index}&wait=1800`);
    expect(waited.status).toBe(200);
    expect(Date.now() - t1).toBeGreaterThan(1_500);
  });

  it('keeps a WebSocket open and streaming well past every timeout', async () => {
    const customer = new V3Customer(srv.url);
    await customer.start();
    const agent = await new Agent(srv.url).login();
    const socket = await AgentSocket.connect(srv.url, agent.token);
    socket.send({ type: 'subscribe', sessionId: customer.sessionId });
    await socket.until((f) => f.find((x) => x.type === 'subscribed'), 'subscribed');
    await sleep(2_500);
    expect(socket.closed).toBeNull();
    await customer.send('Text', 'still there?');
    await socket.until((f) => f.find((x) => x.type === 'message' && x.message.text === 'still there?'), 'the message');
    socket.close();
  });
});
