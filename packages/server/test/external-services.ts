/**
 * PostgreSQL and Redis for integration tests. A suite that needs one is skipped, with the reason in
 * its name, when the service does not answer; with CI=true it fails instead, so CI never passes
 * by skipping.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

export type Probe = { ok: true; url: string } | { ok: false; reason: string };

export const inCI = process.env.CI === 'true';

const errorText = (err: unknown) => (err instanceof Error ? err.message || err.name : String(err)) || 'no answer';

/** `PARLEY_TEST_POSTGRES_URL`, else the local server as `postgres`, else as `root` (trust auth). */
export async function probePostgres(): Promise<Probe> {
  const fromEnv = process.env.PARLEY_TEST_POSTGRES_URL;
  const candidates = fromEnv ? [fromEnv] : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];
  const failures: string[] = [];
  for (const url of candidates) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { ok: true, url };
    } catch (err) {
      failures.push(`${redact(url)}: ${errorText(err)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { ok: false, reason: `PostgreSQL unreachable (${failures.join('; ')}); set PARLEY_TEST_POSTGRES_URL` };
}

/** `PARLEY_TEST_REDIS_URL`, else redis://127.0.0.1:6379. */
export async function probeRedis(): Promise<Probe> {
  const url = process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return { ok: true, url };
  } catch (err) {
    return { ok: false, reason: `Redis unreachable at ${redact(url)} (${errorText(err)}); set PARLEY_TEST_REDIS_URL` };
  } finally {
    client.disconnect();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * `describe(name, body)` when the service answered. Otherwise a skipped suite whose name carries
 * the reason, or under CI=true one failing test with it.
 */
export function describeWithService(name: string, probe: Probe, body: (url: string) => void): void {
  if (probe.ok) {
    describe(name, () => body(probe.url));
    return;
  }
  if (inCI) {
    describe(name, () => {
      it('needs its service (CI=true: unreachable services fail, never skip)', () => {
        throw new Error(probe.reason);
      });
    });
    return;
  }
  console.warn(`[skip] ${name}: ${probe.reason}`);
  describe.skip(`${name} [skipped: ${probe.reason}]`, () => body(''));
}
