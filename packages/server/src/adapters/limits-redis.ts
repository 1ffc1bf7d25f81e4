import { Redis } from 'ioredis';
import type { WorkCounts } from '../ports/work-counts.js';
import { countCommands } from './redis-command-counts.js';

/**
 * The Redis connection that counts rate limits and login failures for every node. A command fails
 * at once while Redis is away (no offline queue, one attempt), so a request never waits on a
 * counter: the callers fall back (rate limits let the request through, the lockout counts on the node).
 * Its commands are counted in `work`.
 */
export async function connectLimitsRedis(url: string, work: WorkCounts): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (n: number) => Math.min(n * 200, 2000),
  });
  redis.on('error', () => undefined);
  countCommands(redis, work);
  try {
    await redis.connect();
  } catch (err) {
    // A start-up failure must not leave a client reconnecting in the background.
    redis.disconnect();
    throw new Error(`cannot reach Redis at REDIS_URL: ${(err as Error).message}`);
  }
  return redis;
}
