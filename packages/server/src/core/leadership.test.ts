import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../adapters/store-sqlite/index.js';
import { Leadership, LEADERSHIP_LEASE_MS } from './leadership.js';

/** A clock the test moves. */
const clock = { t: Date.UTC(2026, 11, 2), now: () => clock.t };

describe('Leadership: one node runs the periodic passes', () => {
  let store: SqliteStore;
  afterEach(() => store.close());

  it('the first to ask leads; the others do not while it renews; one takes over once it stops', async () => {
    store = new SqliteStore(':memory:');
    const [a, b, c] = [new Leadership(store, clock), new Leadership(store, clock), new Leadership(store, clock)];
    expect(await a.leads()).toBe(true);
    expect(await b.leads()).toBe(false);
    expect(await c.leads()).toBe(false);
    // a renews every third of the lease; b and c keep trying as often.
    for (let i = 0; i < 10; i++) {
      clock.t += LEADERSHIP_LEASE_MS / 3;
      expect(await a.leads()).toBe(true);
      expect(await b.leads()).toBe(false);
      expect(await c.leads()).toBe(false);
    }
    // a stops asking (it died): nobody takes over before its lease runs out...
    clock.t += LEADERSHIP_LEASE_MS - 1;
    expect(await b.leads()).toBe(false);
    // ...and exactly one does after.
    clock.t += LEADERSHIP_LEASE_MS / 3;
    const [bLeads, cLeads] = [await b.leads(), await c.leads()];
    expect([bLeads, cLeads].filter(Boolean)).toHaveLength(1);
    // The old leader coming back asks again (its turn came long ago) and learns it no longer leads.
    expect(await a.leads()).toBe(false);
  });

  it('between renewals the answer comes from memory (no statement); the lease is asked for again when the clock goes back', async () => {
    store = new SqliteStore(':memory:');
    const a = new Leadership(store, clock);
    const statements = () => store.work.get('statements');
    expect(await a.leads()).toBe(true);
    const before = statements();
    for (let i = 0; i < 5; i++) expect(await a.leads()).toBe(true);
    clock.t += LEADERSHIP_LEASE_MS / 3 - 1;
    expect(await a.leads()).toBe(true);
    expect(statements()).toBe(before);
    clock.t -= 60_000;
    expect(await a.leads()).toBe(true);
    expect(statements()).toBe(before + 1);
    clock.t += 60_000;
  });

  it('asks concurrent callers with one statement, and does not lead while the store fails', async () => {
    store = new SqliteStore(':memory:');
    const a = new Leadership(store, clock);
    const before = store.work.get('statements');
    expect(await Promise.all([a.leads(), a.leads(), a.leads()])).toEqual([true, true, true]);
    expect(store.work.get('statements')).toBe(before + 1);
    const failing = new Leadership({ ...store, read: () => Promise.reject(new Error('store down')) } as unknown as SqliteStore, clock);
    expect(await failing.leads()).toBe(false);
  });
});
