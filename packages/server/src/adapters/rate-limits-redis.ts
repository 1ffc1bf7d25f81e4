import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import RedisStore from '@fastify/rate-limit/store/RedisStore.js';
import type { Redis } from 'ioredis';

type Counted = (err: Error | null, result?: { current: number; ttl: number }) => void;

/** Adds each key's count (ARGV[1 + i]) and returns the totals; every key expires at ARGV[1] (ms since the epoch). */
const ADD_COUNTS = `
local totals = {}
for i, key in ipairs(KEYS) do
  totals[i] = redis.call('INCRBY', key, ARGV[i + 1])
  redis.call('PEXPIREAT', key, ARGV[1])
end
return totals`;

/** Keys a batch sends at most (one script call each). */
const MAX_KEYS_PER_CALL = 500;

interface WindowCount {
  /** Which fixed window (`floor(now / timeWindow)`) the counts are of. */
  window: number;
  timeWindow: number;
  /** The total of every node as Redis last said (this node's sent counts included). */
  known: number;
  /** Counted here and sent, not answered yet. */
  sending: number;
  /** Counted here since the last send. */
  pending: number;
}

/**
 * The per-address counts of the default limit (RATE_LIMIT_PER_MINUTE), shared by every node without
 * a Redis round trip per request: each node counts at once in memory and, `syncMs` after a count,
 * adds its counts to Redis (one script for all the addresses it saw), reading back the totals of all
 * nodes. A request is refused when the last total this node read plus its own unsent counts pass
 * the limit. A node reads the others' counts only with a batch of its own, so past the limit each
 * node may still let through what it receives in one `syncMs`. Windows are fixed (aligned on the
 * clock), so nodes agree on them without talking. While Redis does not answer, the counts stay on the
 * node (it keeps limiting by what it sees) and go out with the next batch that succeeds.
 */
export class BatchedWindowCounts {
  private readonly counts = new Map<string, WindowCount>();
  private timer: NodeJS.Timeout | null = null;
  private syncing = false;
  /** The last batch failed: the next failures are not reported again until one succeeds. */
  private failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly opts: { syncMs: number; maxKeys: number; now: () => number; onError?: (err: unknown) => void },
  ) {}

  /** Counts one request of `key` and says the total so far in this window, and the window's time left. */
  incr(key: string, timeWindow: number): { current: number; ttl: number } {
    const now = this.opts.now();
    const window = Math.floor(now / timeWindow);
    let c = this.counts.get(key);
    if (!c || c.window !== window || c.timeWindow !== timeWindow) {
      c = { window, timeWindow, known: 0, sending: 0, pending: 0 };
      this.counts.delete(key);
      this.counts.set(key, c);
      if (this.counts.size > this.opts.maxKeys) this.evictOne();
    }
    c.pending++;
    this.schedule();
    return { current: c.known + c.sending + c.pending, ttl: (window + 1) * timeWindow - now };
  }

  /** Sends what is pending now (also what the timer does). */
  async sync(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const now = this.opts.now();
      const batch: [string, WindowCount, number][] = [];
      for (const [key, c] of this.counts) {
        if ((c.window + 1) * c.timeWindow <= now) {
          if (c.pending === 0 && c.sending === 0) this.counts.delete(key);
          continue;
        }
        if (c.pending === 0) continue;
        batch.push([key, c, c.pending]);
        c.sending += c.pending;
        c.pending = 0;
      }
      for (let i = 0; i < batch.length; i += MAX_KEYS_PER_CALL) await this.send(batch.slice(i, i + MAX_KEYS_PER_CALL));
    } finally {
      this.syncing = false;
    }
    if ([...this.counts.values()].some((c) => c.pending > 0)) this.schedule();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async send(part: [string, WindowCount, number][]): Promise<void> {
    // Every key of one call expires one window after the latest window in it ends.
    const expireAt = Math.max(...part.map(([, c]) => (c.window + 2) * c.timeWindow));
    try {
      const totals = (await this.redis.eval(ADD_COUNTS, part.length, ...part.map(([key, c]) => `${this.prefix}${key}:${c.timeWindow}:${c.window}`), expireAt, ...part.map(([, , n]) => n))) as number[];
      part.forEach(([, c, n], i) => {
        c.sending -= n;
        c.known = Math.max(c.known, Number(totals[i]) - c.sending);
      });
      this.failing = false;
    } catch (err) {
      // Counted again with the next batch; meanwhile the node limits by its own counts.
      for (const [, c, n] of part) {
        c.sending -= n;
        c.pending += n;
      }
      if (!this.failing) this.opts.onError?.(err);
      this.failing = true;
    }
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sync();
    }, this.opts.syncMs);
    this.timer.unref();
  }

  /** The least recently started window goes first; its unsent counts go with it. */
  private evictOne(): void {
    const oldest = this.counts.keys().next();
    if (!oldest.done) this.counts.delete(oldest.value);
  }
}

/**
 * `@fastify/rate-limit`'s store with REDIS_URL: the default limit of every route counted by
 * `BatchedWindowCounts` (no Redis command on a request's path), and a route's own, tighter limit
 * (starts, logins, transcript e-mails: rare requests, where a few more through would matter)
 * counted exactly in Redis, one script per request, shared by every node.
 */
export function sharedRateLimitStore(
  redis: Redis,
  nameSpace: string,
  opts: { syncMs: number; now?: () => number; onError?: (err: unknown) => void },
): { Store: FastifyRateLimitStoreCtor; counts: BatchedWindowCounts } {
  const counts = new BatchedWindowCounts(redis, `${nameSpace}all:`, { syncMs: opts.syncMs, maxKeys: 50_000, now: opts.now ?? Date.now, ...(opts.onError ? { onError: opts.onError } : {}) });
  class SharedRateLimitStore implements FastifyRateLimitStore {
    incr(key: string, cb: Counted, timeWindow: number): void {
      cb(null, counts.incr(key, timeWindow));
    }
    /** A route's own limit: the plugin's exact Redis store, keyed as the plugin keys it. */
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      return new RedisStore(false, false, redis, nameSpace).child(routeOptions);
    }
  }
  return { Store: SharedRateLimitStore as unknown as FastifyRateLimitStoreCtor, counts };
}
