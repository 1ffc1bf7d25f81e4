import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from './index.js';

class Refused extends Error {}

describe('SQLite group commit', () => {
  it('transactions asked for together commit in one BEGIN/COMMIT; each failure is rolled back alone and reaches only its caller', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('commit', 'throw-after-write', 'throw-before-write'), { minLength: 1, maxLength: 12 }), async (plan) => {
        const store = new SqliteStore(':memory:');
        try {
          const before = store.work.get('transactions');
          const outcomes = await Promise.allSettled(
            plan.map((kind, i) =>
              store.tx(async (tx) => {
                if (kind === 'throw-before-write') throw new Refused(`no ${i}`);
                await tx.putSetting(`k${i}`, `v${i}`);
                if (kind === 'throw-after-write') throw new Refused(`no ${i}`);
                return i;
              }),
            ),
          );
          expect(store.work.get('transactions') - before).toBe(1);
          for (const [i, kind] of plan.entries()) {
            const outcome = outcomes[i]!;
            if (kind === 'commit') expect(outcome).toEqual({ status: 'fulfilled', value: i });
            else expect(outcome).toEqual({ status: 'rejected', reason: new Refused(`no ${i}`) });
            expect(await store.read((tx) => tx.getSetting(`k${i}`))).toBe(kind === 'commit' ? `v${i}` : null);
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a single write run without a transaction (Store.read) is committed on its own and counted as a transaction; a read is not', async () => {
    const store = new SqliteStore(':memory:');
    const before = store.work.get('transactions');
    await store.read((tx) => tx.putSetting('a', '1'));
    expect(store.work.get('transactions') - before).toBe(1);
    expect(await store.read((tx) => tx.getSetting('a'))).toBe('1');
    expect(store.work.get('transactions') - before).toBe(1);
    await store.close();
  });

  it('transactions asked for one after another (awaited) each get their own', async () => {
    const store = new SqliteStore(':memory:');
    const before = store.work.get('transactions');
    await store.tx((tx) => tx.putSetting('a', '1'));
    await store.tx((tx) => tx.putSetting('b', '2'));
    expect(store.work.get('transactions') - before).toBe(2);
    await store.close();
  });

  it('a later transaction of a group sees what an earlier one wrote, as if they ran one after another', async () => {
    const store = new SqliteStore(':memory:');
    const [, seen] = await Promise.all([store.tx((tx) => tx.putSetting('a', '1')), store.tx((tx) => tx.getSetting('a'))]);
    expect(seen).toBe('1');
    await store.close();
  });
});
