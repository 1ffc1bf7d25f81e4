import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Fanout } from '../ports/fanout.js';
import { WorkCounts } from '../ports/work-counts.js';
import { countCommands } from './redis-command-counts.js';

const CHANNEL_PREFIX = 'parley:';
/** Topic (under the prefix) that wakes every listener of every node: sent after a lost publish. */
const WAKE_ALL = '*wake-all*';
/** Safety net only: lost notifications are repaired by wake-all on reconnect. */
const RECHECK_MS = 30_000;
/** While Redis is down, readers re-read the store this often instead of waiting to be notified. */
export const DEGRADED_RECHECK_MS = 300;
/** After Redis is back, re-subscriptions settle: readers keep re-checking often this much longer. */
const RECOVERY_GRACE_MS = 1_000;
const PING_TIMEOUT_MS = 1_000;

export interface RedisFanoutOptions {
  /**
   * Prefix of the pub/sub channels (default `parley:`). Installations (or test servers) that
   * share one Redis but not one database keep apart with their own prefix.
   */
  channelPrefix?: string;
}

/**
 * Fan-out across nodes over Redis pub/sub. Notifications carry no data, so a lost one costs
 * latency, never a message: a node whose publish failed sends a wake-all once its connection is
 * back, a node whose subscriber reconnects wakes all its own listeners (it may have missed some),
 * and readers re-check the store every 30 s as a last safety net.
 *
 * Each node holds one pattern subscription (`<prefix>*`), made before `connect` returns: listening
 * is local bookkeeping (no SUBSCRIBE/UNSUBSCRIBE per long poll), and a listener hears every
 * notification published after `listen` returns. A notification carries its node's id, so a node
 * wakes its own listeners once (directly) and ignores its own echo.
 */
export class RedisFanout implements Fanout {
  readonly work = new WorkCounts();
  /**
   * Sent as the payload of this node's notifications (then a newline and the notification's data, if
   * any): its own echo is not a second wake-up.
   */
  private readonly nodeId = randomUUID();
  private readonly local = new Map<string, Set<(data?: string) => void>>();
  private readonly recheckWatchers = new Set<() => void>();
  private lostPublish = false;
  private subscriberWasDown = false;
  private degraded = false;
  private recoveryTimer: NodeJS.Timeout | undefined;

  /** Short while the subscriber is not connected (notifications from other nodes cannot arrive). */
  get recheckMs(): number {
    return this.degraded ? DEGRADED_RECHECK_MS : RECHECK_MS;
  }

  onRecheckChange(fn: () => void): () => void {
    this.recheckWatchers.add(fn);
    return () => this.recheckWatchers.delete(fn);
  }

  private setDegraded(degraded: boolean): void {
    if (this.degraded === degraded) return;
    this.degraded = degraded;
    for (const fn of this.recheckWatchers) fn();
  }

  private readonly pattern: string;

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix: string,
  ) {
    this.pattern = patternOf(prefix);
    for (const client of [pub, sub]) countCommands(client, this.work);
    this.sub.on('pmessage', (_pattern: string, channel: string, payload: string) => {
      if (!channel.startsWith(prefix)) return;
      const newline = payload.indexOf('\n');
      const sender = newline < 0 ? payload : payload.slice(0, newline);
      if (sender === this.nodeId) return;
      const topic = channel.slice(prefix.length);
      if (topic === WAKE_ALL) return this.wakeAllLocal();
      const data = newline < 0 ? undefined : payload.slice(newline + 1);
      for (const fn of this.local.get(topic) ?? []) fn(data);
    });
    this.sub.on('close', () => {
      if (this.closed) return;
      this.subscriberWasDown = true;
      clearTimeout(this.recoveryTimer);
      this.setDegraded(true);
      // Readers asleep until a notification that cannot come now: they re-read, then re-check often.
      this.wakeAllLocal();
    });
    this.sub.on('ready', () => {
      if (!this.subscriberWasDown || this.closed) return;
      // ioredis's own re-subscription leaves its promise unhandled when the connection closes again
      // before the answer; this one is handled, and the next 'ready' tries again.
      this.sub.psubscribe(this.pattern).then(
        () => {
          if (!this.subscriberWasDown || this.closed || this.sub.status !== 'ready') return;
          this.subscriberWasDown = false;
          this.wakeAllLocal();
          clearTimeout(this.recoveryTimer);
          this.recoveryTimer = setTimeout(() => {
            if (this.sub.status === 'ready') this.setDegraded(false);
          }, RECOVERY_GRACE_MS);
          this.recoveryTimer.unref();
        },
        () => undefined,
      );
    });
    this.pub.on('ready', () => {
      if (!this.lostPublish) return;
      this.lostPublish = false;
      this.pub.publish(prefix + WAKE_ALL, this.nodeId).catch(() => (this.lostPublish = true));
    });
  }

  private wakeAllLocal(): void {
    for (const set of this.local.values()) for (const fn of set) fn();
  }

  static async connect(url: string, opts: RedisFanoutOptions = {}): Promise<RedisFanout> {
    const prefix = opts.channelPrefix ?? CHANNEL_PREFIX;
    if (!prefix) throw new Error('channelPrefix must not be empty');
    const options = {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      lazyConnect: true,
      autoResubscribe: false,
      retryStrategy: (n: number) => Math.min(n * 200, 2000),
    };
    const pub = new Redis(url, options);
    const sub = new Redis(url, { ...options, enableOfflineQueue: true });
    for (const c of [pub, sub]) c.on('error', () => undefined);
    const results = await Promise.allSettled([pub.connect(), sub.connect()]);
    let failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) {
      await sub.psubscribe(patternOf(prefix)).catch((reason: unknown) => (failed = { status: 'rejected', reason }));
    }
    if (failed) {
      // A start-up failure must not leave clients reconnecting in the background.
      pub.disconnect();
      sub.disconnect();
      throw new Error(`cannot reach Redis at REDIS_URL: ${(failed.reason as Error).message}`);
    }
    return new RedisFanout(pub, sub, prefix);
  }

  async notify(topic: string, data?: string): Promise<void> {
    try {
      await this.pub.publish(this.prefix + topic, data === undefined ? this.nodeId : `${this.nodeId}\n${data}`);
    } catch {
      // Redis unavailable: other nodes get a wake-all when it is back.
      this.lostPublish = true;
    }
    for (const fn of this.local.get(topic) ?? []) fn(data);
  }

  listen(topic: string, onNotify: (data?: string) => void): () => void {
    let set = this.local.get(topic);
    if (!set) this.local.set(topic, (set = new Set()));
    set.add(onNotify);
    return () => {
      set!.delete(onNotify);
      if (set!.size === 0 && this.local.get(topic) === set) this.local.delete(topic);
    };
  }

  /**
   * Both connections are up: the subscriber is connected and subscribed again after any reconnect,
   * and the publisher answers PING within a second.
   */
  async ping(): Promise<boolean> {
    if (this.closed || this.subscriberWasDown || this.sub.status !== 'ready' || this.pub.status !== 'ready') return false;
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
    clearTimeout(this.recoveryTimer);
    this.recheckWatchers.clear();
    this.local.clear();
    this.pub.disconnect();
    this.sub.disconnect();
  }
}

/** The one pattern a node subscribes: every channel under the prefix, taken literally. */
function patternOf(prefix: string): string {
  return prefix.replace(/[\\*?[\]]/g, (c) => '\\' + c) + '*';
}
