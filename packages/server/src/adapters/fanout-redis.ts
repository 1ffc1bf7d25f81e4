import { Redis } from 'ioredis';
import type { Fanout } from '../ports/fanout.js';

const CHANNEL_PREFIX = 'parley:';

/**
 * Fan-out across nodes over Redis pub/sub. Notifications carry no data: when Redis is down a
 * notification is lost, readers fall back to re-checking the store, and nothing is lost.
 */
export class RedisFanout implements Fanout {
  private readonly local = new Map<string, Set<() => void>>();

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
  ) {
    this.sub.on('message', (channel: string) => {
      const topic = channel.slice(CHANNEL_PREFIX.length);
      for (const fn of this.local.get(topic) ?? []) fn();
    });
  }

  static async connect(url: string): Promise<RedisFanout> {
    const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, retryStrategy: (n: number) => Math.min(n * 200, 2000) };
    const pub = new Redis(url, options);
    const sub = new Redis(url, { ...options, enableOfflineQueue: true });
    for (const c of [pub, sub]) c.on('error', () => undefined);
    const results = await Promise.allSettled([pub.connect(), sub.connect()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // A start-up failure must not leave clients reconnecting in the background.
      pub.disconnect();
      sub.disconnect();
      throw new Error(`cannot reach Redis at REDIS_URL: ${(failed.reason as Error).message}`);
    }
    return new RedisFanout(pub, sub);
  }

  async notify(topic: string): Promise<void> {
    try {
      await this.pub.publish(CHANNEL_PREFIX + topic, '');
    } catch {
      // Redis unavailable: readers on other nodes re-check the store on their own.
    }
    for (const fn of this.local.get(topic) ?? []) fn();
  }

  listen(topic: string, onNotify: () => void): () => void {
    let set = this.local.get(topic);
    if (!set) {
      this.local.set(topic, (set = new Set()));
      this.sub.subscribe(CHANNEL_PREFIX + topic).catch(() => undefined);
    }
    set.add(onNotify);
    return () => {
      set!.delete(onNotify);
      if (set!.size === 0) {
        this.local.delete(topic);
        this.sub.unsubscribe(CHANNEL_PREFIX + topic).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.local.clear();
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
