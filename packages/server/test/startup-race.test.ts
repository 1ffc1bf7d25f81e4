/**
 * Nodes that start together on an empty PostgreSQL database (a new installation, several replicas
 * at once). The race is made certain: each node's start-up transaction waits, after reading the
 * token secret, until the other has read it too. Skipped when PostgreSQL does not answer (failed
 * under CI=true).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { MemoryFanout } from '../src/adapters/fanout-memory.js';
import { PostgresStore } from '../src/adapters/store-postgres/index.js';
import { buildParley } from '../src/app.js';
import { testConfig } from '../src/config.js';
import type { Store, StoreTx } from '../src/ports/store.js';
import { describeWithService, probePostgres } from './external-services.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stores whose first reads of `key` wait for each other (at most 3 s, so nothing can deadlock). */
function meetingAt(key: string, stores: Store[]): Store[] {
  let arrived = 0;
  let release!: () => void;
  const met = new Promise<void>((resolve) => (release = resolve));
  return stores.map((inner) => ({
    tx: (fn) =>
      inner.tx((tx) =>
        fn(
          new Proxy(tx, {
            get(target, prop, receiver) {
              if (prop !== 'getSetting') return Reflect.get(target, prop, receiver);
              return async (k: string) => {
                const value = await target.getSetting(k);
                if (k === key && arrived < stores.length) {
                  if (++arrived === stores.length) release();
                  await Promise.race([met, sleep(3_000)]);
                }
                return value;
              };
            },
          }) as StoreTx,
        ),
      ),
    read: (fn) => inner.read(fn),
    close: () => inner.close(),
  }));
}

const probe = await probePostgres();

describeWithService('nodes starting together on an empty PostgreSQL database', probe, (url) => {
  const schemas: string[] = [];
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await client.end();
  });

  it('agree on one token secret when PARLEY_SECRET is unset (a token from one is good on the other)', async () => {
    const schema = `parley_race_${process.pid}_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    const raw = await Promise.all([0, 1].map(() => PostgresStore.connect(url, { schema, max: 3 })));
    const config = testConfig();
    expect(config.PARLEY_SECRET).toBeUndefined();
    const nodes = await Promise.all(meetingAt('token.secret', raw).map((store) => buildParley(config, { store, fanout: new MemoryFanout(), routeEveryMs: 60_000, sweepEveryMs: 0 })));
    try {
      const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
      const fromA = await a.tokens.signStaffToken('account-a', 'agent', 0);
      const fromB = await b.tokens.signStaffToken('account-b', 'supervisor', 0);
      expect(await b.tokens.verifyStaffToken(fromA.token)).toMatchObject({ accountId: 'account-a', role: 'agent', generation: 0 });
      expect(await a.tokens.verifyStaffToken(fromB.token)).toMatchObject({ accountId: 'account-b', role: 'supervisor', generation: 0 });
      // And the secret kept in the database is the one both use.
      const stored = await raw[0]!.tx((tx) => tx.getSetting('token.secret'));
      const restarted = await buildParley(config, { store: await PostgresStore.connect(url, { schema, max: 2 }), fanout: new MemoryFanout(), routeEveryMs: 60_000, sweepEveryMs: 0 });
      expect(stored).toBeTruthy();
      expect(await restarted.tokens.verifyStaffToken(fromA.token)).not.toBeNull();
      await restarted.close();
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });
});
