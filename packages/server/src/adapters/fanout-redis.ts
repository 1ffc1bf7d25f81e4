import { Redis } from 'ioredis';
import type { Fanout } from '../ports/fanout.js';

const CHANNEL_PREFIX = 'parley:';
const PING_TIMEOUT_MS = 1_000;

export interface RedisFanoutOptions {
  /**
   * Prefix of the pub/sub channels (default `parley:`). Installations (or test servers) that
   * share one Redis but not one database keep apart with their own prefix.
   */
  channelPrefix?: string;
}

/**
 * Fan-out across nodes over Redis pub/sub. Notifications carry no data: when Redis is down a
 * notification is lost, readers fall back to re-checking the store, and nothing is lost.
 */
export class RedisFanout implements Fanout {
  private readonly local = new Map<string, Set<() => void>>();

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix: string,
  ) {
    this.sub.on('message', (channel: string) => {
      if (!channel.startsWith(prefix)) return;
      const topic = channel.slice(prefix.length);
      for (const fn of this.local.get(topic) ?? []) fn();
    });
  }

  static async connect(url: string, opts: RedisFanoutOptions = {}): Promise<RedisFanout> {
    const prefix = opts.channelPrefix ?? CHANNEL_PREFIX;
    if (!prefix) throw new Error('channelPrefix must not be empty');
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
    return new RedisFanout(pub, sub, prefix);
  }

  async notify(topic: string): Promise<void> {
    try {
      await this.pub.publish(this.prefix + topic, '');
    } catch {
      // Redis unavailable: readers on other nodes re-check the store on their own.
    }
    for (const fn of this.local.get(topic) ?? []) fn();
  }

  listen(topic: string, onNotify: () => void): () => void {
    let set = this.local.get(topic);
    if (!set) {
      this.local.set(topic, (set = new Set()));
      this.sub.subscribe(this.prefix + topic).catch(() => undefined);
    }
    set.add(onNotify);
    return () => {
      set!.delete(onNotify);
      if (set!.size === 0) {
        this.local.delete(topic);
        this.sub.unsubscribe(this.prefix + topic).catch(() => undefined);
      }
    };
  }

  /**
   * Both connections are up: the subscriber is connected (it re-subscribes on its own after a
   * reconnect) and the publisher answers PING within a second.
   */
  async ping(): Promise<boolean> {
    if (this.closed || this.sub.status !== 'ready' || this.pub.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        this.pub.ping(),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), PING_TIMEOUT_MS);
        }),
      ]);
      return answer === 'PONG';
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private closed = false;

  async close(): Promise<void> {
    this.closed = true;
    this.local.clear();
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
