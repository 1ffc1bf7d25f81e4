/**
 * Liveness (`/health`), readiness (`/ready`: the store, and Redis when the fan-out uses it; 503
 * while shutting down) and what sockets see on shutdown (close code 1012, "service restart").
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RedisFanout } from '../src/adapters/fanout-redis.js';
import { SqliteStore } from '../src/adapters/store-sqlite/index.js';
import { WS_CLOSE_SERVICE_RESTART } from '../src/app.js';
import type { Fanout } from '../src/ports/fanout.js';
import type { Store } from '../src/ports/store.js';
import { describeWithService, probeRedis } from './external-services.js';
import { GuestCustomer, guestCreateBody } from './compat-helpers.js';
import { Agent, createTestData, http, startServer, testBackend, V3Customer, type Running } from './helpers.js';
import { TcpProxy } from './tcp-proxy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(check: () => Promise<T | false | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The backend's store behind a switch: up, failing at once, or answering only after 4 s. */
async function switchableStore(): Promise<{ store: Store; fanout?: Fanout; set(mode: 'up' | 'fail' | 'slow'): void; drop(): Promise<void> }> {
  let inner: Store;
  let fanout: Fanout | undefined;
  let drop = async () => {};
  if (testBackend === 'postgres') {
    const data = await createTestData();
    const attached = await data.attach();
    inner = attached.store!;
    fanout = attached.fanout;
    drop = () => data.drop();
  } else {
    inner = new SqliteStore(':memory:');
  }
  let mode: 'up' | 'fail' | 'slow' = 'up';
  const store: Store = {
    tx: async (fn) => {
      if (mode === 'fail') throw new Error('connection refused');
      if (mode === 'slow') await sleep(4_000);
      return inner.tx(fn);
    },
    read: async (fn) => {
      if (mode === 'fail') throw new Error('connection refused');
      if (mode === 'slow') await sleep(4_000);
      return inner.read(fn);
    },
    close: () => inner.close(),
  };
  return { store, ...(fanout ? { fanout } : {}), set: (m) => (mode = m), drop };
}

const running: Running[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close().catch(() => undefined)));
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
});
const start = async (...args: Parameters<typeof startServer>) => {
  const srv = await startServer(...args);
  running.push(srv);
  return srv;
};

describe('health and readiness', () => {
  it('/health (liveness) and /ready (readiness) answer 200 when the store and the fan-out answer', async () => {
    const srv = await start();
    const health = await http(`${srv.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', uptimeSeconds: expect.any(Number) });
    const ready = await http(`${srv.url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  it('/ready answers 503 with the reason while the store fails, and within ~2 s while it hangs; 200 again when it is back', async () => {
    const s = await switchableStore();
    cleanups.push(s.drop);
    const srv = await start({}, undefined, { store: s.store, ...(s.fanout ? { fanout: s.fanout } : {}), routeEveryMs: 60_000, sweepEveryMs: 0 });
    expect((await http(`${srv.url}/ready`)).status).toBe(200);

    s.set('fail');
    const failing = await http(`${srv.url}/ready`);
    expect(failing.status).toBe(503);
    expect(failing.body).toEqual({ status: 'unavailable', reason: 'store not answering' });

    s.set('slow');
    const started = Date.now();
    const hanging = await http(`${srv.url}/ready`);
    expect(hanging.status).toBe(503);
    expect(hanging.body.reason).toBe('store not answering');
    expect(Date.now() - started).toBeLessThan(3_500);

    s.set('up');
    await until(async () => (await http(`${srv.url}/ready`)).status === 200, 10_000, '/ready to recover');
  });

  it('while shutting down /ready answers 503 at once, and requests are still served during the drain delay', async () => {
    const srv = await start();
    const customer = new V3Customer(srv.url);
    await customer.start();
    const closing = srv.parley.close({ drainDelayMs: 600 });
    const ready = await http(`${srv.url}/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable', reason: 'shutting down' });
    // Traffic the load balancer still sends meanwhile is served.
    expect((await http(`${srv.url}/health`)).status).toBe(200);
    expect((await customer.send('Text', 'still served while draining')).status).toBe(200);
    await closing;
  });

  it('a request that never completes (its body never arrives) does not hold the shutdown: its connection is cut after the grace', async () => {
    const srv = await start();
    const { port } = new URL(srv.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const cut = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('POST /nexus/v3/chat/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: test-key-1234\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\noperationId=');
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await srv.parley.close();
    expect(Date.now() - t0).toBeLessThan(10_000);
    await cut;
  });

  it('on shutdown agent and guest WebSockets are closed with 1012 (service restart)', async () => {
    const srv = await start();
    const agent = await new Agent(srv.url).login();
    const agentWs = new WebSocket(srv.url.replace('http', 'ws') + '/agent/v1/events');
    const agentClosed = new Promise<number>((resolve) => agentWs.on('close', (code) => resolve(code)));
    const agentReady = new Promise<void>((resolve) => agentWs.on('message', (d) => JSON.parse(d.toString()).type === 'ready' && resolve()));
    agentWs.on('open', () => agentWs.send(JSON.stringify({ type: 'auth', token: agent.token })));
    await agentReady;

    const guest = new GuestCustomer(srv.url);
    await guest.create(guestCreateBody('demo'));
    const stream = guest.stream();
    await stream.opened();

    await srv.close();
    expect(await agentClosed).toBe(WS_CLOSE_SERVICE_RESTART);
    await until(async () => stream.closed, 5_000, 'the guest stream to close');
    expect(stream.closed!.code).toBe(WS_CLOSE_SERVICE_RESTART);
  });
});

const redisProbe = await probeRedis();

describeWithService('readiness with Redis fan-out', redisProbe, (redisUrl) => {
  it('/ready answers 503 while Redis is unreachable and 200 once it is back', async () => {
    const { proxy, url } = await TcpProxy.for(redisUrl, 6379);
    cleanups.push(() => proxy.stop());
    const fanout = await RedisFanout.connect(url, { channelPrefix: `ready-test-${process.pid}-${Date.now()}:` });
    const srv = await start({}, undefined, { fanout });
    expect((await http(`${srv.url}/ready`)).status).toBe(200);

    await proxy.stop();
    const started = Date.now();
    const down = await until(
      async () => {
        const r = await http(`${srv.url}/ready`);
        return r.status === 503 && r;
      },
      5_000,
      '/ready to report Redis down',
    );
    expect(down.body).toEqual({ status: 'unavailable', reason: 'fan-out (Redis) not answering' });
    expect(Date.now() - started).toBeLessThan(3_000);
    // Liveness does not depend on Redis.
    expect((await http(`${srv.url}/health`)).status).toBe(200);

    await proxy.start();
    await until(async () => (await http(`${srv.url}/ready`)).status === 200, 15_000, '/ready to recover with Redis');
  });

  it('a REDIS_URL where nothing answers stops the start with a clear error', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(startServer({ REDIS_URL: `redis://127.0.0.1:${port}` })).rejects.toThrow(/cannot reach Redis at REDIS_URL/);
  });
});
