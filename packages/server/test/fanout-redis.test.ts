/**
 * RedisFanout across two nodes (two instances on one Redis). Skipped when Redis does not answer,
 * failed instead under CI=true. Outages are simulated with a TCP proxy in front of Redis that
 * the test can take down and bring back.
 */
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEGRADED_RECHECK_MS, RedisFanout } from '../src/adapters/fanout-redis.js';
import { describeWithService, probeRedis } from './external-services.js';
import { TcpProxy } from './tcp-proxy.js';

const CHANNEL_PREFIX = 'parley:'; // as in adapters/fanout-redis.ts
const uniqueTopic = (name: string) => `test:${name}:${process.pid}:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 8)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const probe = await probeRedis();

describeWithService('RedisFanout across nodes', probe, (url) => {
  const open: RedisFanout[] = [];
  const clients: Redis[] = [];
  const proxies: TcpProxy[] = [];
  let admin: Redis;
  const node = async (at = url) => {
    const f = await RedisFanout.connect(at);
    open.push(f);
    return f;
  };
  /** How many connections are subscribed to a topic's own channel (none: nodes hold one pattern subscription each). */
  const subscribers = async (topic: string) => {
    const [, n] = (await admin.pubsub('NUMSUB', CHANNEL_PREFIX + topic)) as [string, number];
    return Number(n);
  };
  const proxied = async () => {
    const made = await TcpProxy.for(url, 6379);
    proxies.push(made.proxy);
    return made;
  };

  beforeEach(() => {
    admin = new Redis(url, { lazyConnect: false });
    admin.on('error', () => undefined);
    clients.push(admin);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((f) => f.close()));
    for (const c of clients.splice(0)) c.disconnect();
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  it('a notify on one node wakes the listeners of the topic on the other, and only them', async () => {
    const [a, b] = [await node(), await node()];
    const topic = uniqueTopic('wake');
    const other = uniqueTopic('other');
    const calls = { b1: 0, b2: 0, bOther: 0, aLocal: 0 };
    b.listen(topic, () => calls.b1++);
    b.listen(topic, () => calls.b2++);
    b.listen(other, () => calls.bOther++);
    a.listen(topic, () => calls.aLocal++);
    // Listening is effective at once: each node holds its one pattern subscription from connect on.

    await a.notify(topic);
    await until(() => calls.b1 === 1 && calls.b2 === 1, 5_000, 'node B to be woken');
    // Node A's own listener is called once, directly: its own published message (the echo) is not a second wake-up.
    await sleep(100);
    expect(calls.bOther).toBe(0);
    expect(calls.aLocal).toBe(1);

    await b.notify(topic);
    await until(() => calls.b1 >= 2, 5_000, 'a second notification');
  });

  it("a notification's data reaches the listeners on both nodes once each, newlines and all; one without data arrives without", async () => {
    const [a, b] = [await node(), await node()];
    const topic = uniqueTopic('data');
    const heard: { on: string; data: string | undefined }[] = [];
    a.listen(topic, (data) => heard.push({ on: 'a', data }));
    b.listen(topic, (data) => heard.push({ on: 'b', data }));
    const data = 'mac{"m":[{"text":"line one\\nline two"}]}\nafter a newline';
    await a.notify(topic, data);
    await until(() => heard.some((h) => h.on === 'b'), 5_000, 'the other node');
    await a.notify(topic);
    await until(() => heard.filter((h) => h.on === 'b').length === 2, 5_000, 'the second notification');
    await sleep(100);
    // Each node in publish order (which node hears first is a race).
    for (const on of ['a', 'b']) expect(heard.filter((h) => h.on === on).map((h) => h.data)).toEqual([data, undefined]);
  });

  it('unsubscribing stops delivery; listening and unlistening send Redis nothing (one pattern subscription per node)', async () => {
    const [a, b] = [await node(), await node()];
    const sentBefore = b.work.entries();
    const topic = uniqueTopic('unsub');
    let first = 0;
    let second = 0;
    const stopFirst = b.listen(topic, () => first++);
    const stopSecond = b.listen(topic, () => second++);
    expect(await subscribers(topic)).toBe(0); // no channel of its own

    stopFirst();
    await a.notify(topic);
    await until(() => second === 1, 5_000, 'the remaining listener');
    expect(first).toBe(0);

    stopSecond();
    await a.notify(topic);
    await sleep(200);
    expect(second).toBe(1);
    expect(first).toBe(0);
    stopSecond(); // calling it twice is harmless
    expect(b.work.entries()).toEqual(sentBefore);
    expect(b.work.get('SUBSCRIBE') + b.work.get('UNSUBSCRIBE')).toBe(0);
  });

  it('a notify while Redis is unreachable does not throw, still wakes local listeners, and delivery resumes when Redis is back', async () => {
    const { proxy, url: proxiedUrl } = await proxied();
    const a = await node(proxiedUrl);
    const b = await node();
    const topic = uniqueTopic('outage');
    let remote = 0;
    let local = 0;
    b.listen(topic, () => remote++);
    a.listen(topic, () => local++);

    expect(a.recheckMs).toBe(30_000);
    await proxy.stop(); // node A loses Redis: its connections are cut, reconnects are refused
    // Its listeners are woken once (to re-read the store), and re-check often from now on.
    await until(() => a.recheckMs === DEGRADED_RECHECK_MS, 5_000, 'node A to re-check often');
    expect(local).toBe(1);
    local = 0;
    const started = Date.now();
    await expect(a.notify(topic)).resolves.toBeUndefined();
    await expect(a.notify(topic)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000); // fails fast, does not wait for Redis
    expect(local).toBe(2);
    await sleep(100);
    expect(remote).toBe(0);

    await proxy.start(); // Redis is back on the same address: A reconnects and re-subscribes
    await until(() => a.recheckMs === 30_000, 5_000, 'node A to rely on notifications again');
    await until(
      async () => {
        await a.notify(topic);
        return remote > 0;
      },
      10_000,
      'node B to be woken again',
    );
  });

  it('repairs a lost notification: when Redis is back, the node whose publish failed wakes every listener everywhere', async () => {
    const { proxy, url: proxiedUrl } = await proxied();
    const a = await node(proxiedUrl);
    const b = await node();
    const topic = uniqueTopic('repair');
    let remote = 0;
    b.listen(topic, () => remote++);
    await proxy.stop();
    await a.notify(topic); // lost for node B
    await sleep(100);
    expect(remote).toBe(0);
    await proxy.start();
    // No new notify: the wake-all sent on reconnect reaches B's listener.
    await until(() => remote > 0, 10_000, 'node B to be woken by the wake-all');
  });

  it('a listener added while Redis is unreachable hears notifications once it is back', async () => {
    const { proxy, url: proxiedUrl } = await proxied();
    const b = await node(proxiedUrl);
    const a = await node();
    await proxy.stop();
    const topic = uniqueTopic('late-subscribe');
    let woken = 0;
    expect(() => b.listen(topic, () => woken++)).not.toThrow();
    await sleep(100);
    await proxy.start();
    // Back from the outage, B wakes its listeners (it may have missed notifications); then a notify reaches it.
    await until(() => woken >= 1, 10_000, 'the wake-up after the outage');
    await until(() => b.recheckMs === 30_000, 5_000, 'node B to rely on notifications again (its pattern subscription is back)');
    const before = woken;
    await a.notify(topic);
    await until(() => woken === before + 1, 5_000, 'the listener');
  });

  /** Unhandled rejections while `body` runs (and the turn after it). */
  async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await body();
      await sleep(50);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    return unhandled;
  }

  it('a connection lost again while re-subscribing: the next reconnect subscribes, and nothing is left unhandled', async () => {
    const unhandled = await unhandledDuring(async () => {
      const { proxy, url: proxiedUrl } = await proxied();
      const b = await node(proxiedUrl);
      const a = await node();
      const topic = uniqueTopic('resubscribe-cut');
      let woken = 0;
      b.listen(topic, () => woken++);
      await proxy.stop();
      await until(() => b.recheckMs === DEGRADED_RECHECK_MS, 5_000, 'node B to notice the outage');
      proxy.interceptOnce('psubscribe', 'cut');
      await proxy.start();
      await until(() => b.recheckMs === 30_000, 10_000, 'node B to subscribe again after the cut');
      expect(proxy.intercepted).toBe(1);
      expect(await b.ping()).toBe(true);
      const before = woken;
      await a.notify(topic);
      await until(() => woken === before + 1, 5_000, 'the listener');
    });
    expect(unhandled).toEqual([]);
  });

  it('a node closed while its re-subscription waits for Redis leaves no unhandled rejection', async () => {
    const unhandled = await unhandledDuring(async () => {
      const { proxy, url: proxiedUrl } = await proxied();
      const b = await node(proxiedUrl);
      await proxy.stop();
      await until(() => b.recheckMs === DEGRADED_RECHECK_MS, 5_000, 'node B to notice the outage');
      proxy.interceptOnce('psubscribe', 'hold');
      await proxy.start();
      await until(() => proxy.intercepted === 1, 10_000, 'the re-subscription to be sent');
      expect(await b.ping()).toBe(false); // connected, not yet subscribed
      await b.close();
      open.splice(open.indexOf(b), 1);
    });
    expect(unhandled).toEqual([]);
  });

  it('notify and close on a node whose Redis went away for good do not throw', async () => {
    const { proxy, url: proxiedUrl } = await proxied();
    const a = await node(proxiedUrl);
    await proxy.stop();
    await expect(a.notify(uniqueTopic('gone'))).resolves.toBeUndefined();
    await expect(a.close()).resolves.toBeUndefined();
    open.splice(open.indexOf(a), 1);
  });

  it('connecting to a port where nothing answers rejects', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(RedisFanout.connect(`redis://127.0.0.1:${port}`)).rejects.toThrow();
  });

  /** A start-up failure must not leave ioredis clients reconnecting (and the process alive). */
  it('a failed connect leaves no client reconnecting in the background', async () => {
    let attempts = 0;
    const refusing = net.createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
    const port = (refusing.address() as net.AddressInfo).port;
    try {
      await expect(RedisFanout.connect(`redis://127.0.0.1:${port}`)).rejects.toThrow();
      const afterConnect = attempts;
      await sleep(1_500);
      expect(attempts).toBe(afterConnect);
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });
});
