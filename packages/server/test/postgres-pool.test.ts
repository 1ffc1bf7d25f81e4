/**
 * The PostgreSQL pool keeps its connections through a lull (DATABASE_POOL_IDLE_SECONDS), so a node
 * whose load comes in bursts does not open a new backend, and prepare every statement again, at each
 * burst. Connections are counted in pg_stat_activity by their application_name. Skipped when
 * PostgreSQL does not answer (failed under CI=true).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, expect, it, vi } from 'vitest';
import { PostgresStore } from '../src/adapters/store-postgres/index.js';
import { loadConfig } from '../src/config.js';
import { describeWithService, probePostgres } from './external-services.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const probe = await probePostgres();

describeWithService('the PostgreSQL pool through a lull', probe, (url) => {
  vi.setConfig({ testTimeout: 30_000 });
  const schemas: string[] = [];
  const admin = new pg.Client({ connectionString: url });
  afterAll(async () => {
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await admin.end();
  });

  /** A store whose connections carry their own application_name, and a count of them. */
  async function store(idleMs?: number) {
    if (!schemas.length) await admin.connect();
    const name = `parley_pool_${process.pid}_${randomBytes(4).toString('hex')}`;
    schemas.push(name);
    const named = new URL(url);
    named.searchParams.set('application_name', name);
    const s = await PostgresStore.connect(named.toString(), { schema: name, max: 4, ...(idleMs === undefined ? {} : { idleMs }) });
    const open = async () => Number((await admin.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [name])).rows[0].n);
    /** Four statements at once: four connections. */
    const burst = () => Promise.all([1, 2, 3, 4].map(() => s.tx((tx) => tx.getSetting('pool.burst')).then(() => sleep(50))));
    return { s, open, burst };
  }

  it('keeps the connections a burst opened past the 10 s of the driver default; closes them after the idle time it is given', async () => {
    const kept = await store();
    const short = await store(300);
    try {
      await Promise.all([kept.burst(), short.burst()]);
      await sleep(100);
      expect(await kept.open()).toBe(4);
      await sleep(1_500);
      expect(await short.open()).toBe(0);
      // node-postgres closes an idle connection after 10 s unless told otherwise.
      await sleep(9_500);
      expect(await kept.open()).toBe(4);
    } finally {
      await Promise.all([kept.s.close(), short.s.close()]);
    }
  });

  it('takes the idle time from DATABASE_POOL_IDLE_SECONDS: 600 s unless set, 0 for never', () => {
    expect(loadConfig({}).DATABASE_POOL_IDLE_SECONDS).toBe(600);
    expect(loadConfig({ DATABASE_POOL_IDLE_SECONDS: '0' }).DATABASE_POOL_IDLE_SECONDS).toBe(0);
    expect(() => loadConfig({ DATABASE_POOL_IDLE_SECONDS: '-1' })).toThrow(/DATABASE_POOL_IDLE_SECONDS/);
  });
});
