import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryFanout } from '../adapters/fanout-memory.js';
import { SqliteStore } from '../adapters/store-sqlite/index.js';
import type { Fanout } from '../ports/fanout.js';
import type { Account, Deployment } from '../ports/store.js';
import { DirectoryCache } from './directory-cache.js';
import { hashApiKey } from './secrets.js';

const shop: Deployment = {
  id: 'shop',
  name: 'Shop',
  allowedOrigins: [],
  asyncPolicy: { mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: '' },
  defaultQueue: 'Support',
  createdAt: new Date(0).toISOString(),
  settings: {},
};
const ann: Account = { id: 'ann', username: 'ann', displayName: 'Ann', passwordHash: 'x', role: 'agent', createdAt: new Date(0).toISOString(), tokenGeneration: 0, disabled: false };
const PAGE_KEY = hashApiKey('page-key-1');
const SERVER_KEY = hashApiKey('server-key-1');

/** Two nodes on one store and one fan-out: each its own cache. */
describe('DirectoryCache', () => {
  let store: SqliteStore;
  let fanout: MemoryFanout;
  let now: number;
  const clock = { now: () => now };
  let reads: ReturnType<typeof vi.spyOn>;
  beforeEach(async () => {
    now = 1_000_000;
    store = new SqliteStore(':memory:');
    fanout = new MemoryFanout();
    await store.tx(async (tx) => {
      await tx.insertDeployment(shop);
      await tx.addApiKey('shop', PAGE_KEY, 'page');
      await tx.addApiKey('shop', SERVER_KEY, 'back end', 'server');
      await tx.insertAccount(ann);
    });
    reads = vi.spyOn(store, 'tx');
  });
  afterEach(() => store.close());

  it('reads a deployment (by key of its kind, or by id) and an account once per lifetime', async () => {
    const cache = new DirectoryCache(store, fanout, clock, 1_000);
    for (let i = 0; i < 5; i++) {
      expect((await cache.deploymentByKeyHash(PAGE_KEY, 'public'))?.id).toBe('shop');
      expect((await cache.deployment('shop'))?.name).toBe('Shop');
      expect((await cache.account('ann'))?.role).toBe('agent');
    }
    expect(reads).toHaveBeenCalledTimes(3);
    expect(await cache.deploymentByKeyHash(PAGE_KEY, 'server')).toBeNull();
    expect((await cache.deploymentByKeyHash(SERVER_KEY, 'server'))?.id).toBe('shop');
    now += 999;
    reads.mockClear();
    await cache.account('ann');
    expect(reads).toHaveBeenCalledTimes(0);
    now += 1;
    await cache.account('ann');
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('a change announced on one node is seen at once on the other, whatever the lifetime', async () => {
    const nodeA = new DirectoryCache(store, fanout, clock, 60_000);
    const nodeB = new DirectoryCache(store, fanout, clock, 60_000);
    expect((await nodeA.account('ann'))?.role).toBe('agent');
    expect((await nodeA.deploymentByKeyHash(PAGE_KEY, 'public'))?.id).toBe('shop');
    await store.tx(async (tx) => {
      await tx.updateAccount('ann', { role: 'supervisor', tokenGeneration: 1 });
      await tx.deleteApiKey('shop', PAGE_KEY.slice(0, 16));
    });
    // Not announced yet: node A answers from memory.
    expect((await nodeA.account('ann'))?.role).toBe('agent');
    await nodeB.changed();
    expect(await nodeA.account('ann')).toMatchObject({ role: 'supervisor', tokenGeneration: 1 });
    expect(await nodeA.deploymentByKeyHash(PAGE_KEY, 'public')).toBeNull();
  });

  it('does not remember what is not found: an account or key made later is found at once', async () => {
    const cache = new DirectoryCache(store, fanout, clock, 60_000);
    expect(await cache.account('bob')).toBeNull();
    await store.tx((tx) => tx.insertAccount({ ...ann, id: 'bob', username: 'bob' }));
    expect((await cache.account('bob'))?.username).toBe('bob');
  });

  it('a fresh read passes the cache and keeps what it read', async () => {
    const cache = new DirectoryCache(store, fanout, clock, 60_000);
    await cache.account('ann');
    await store.tx((tx) => tx.updateAccount('ann', { disabled: true }));
    expect((await cache.account('ann'))?.disabled).toBe(false);
    expect((await cache.account('ann', { fresh: true }))?.disabled).toBe(true);
    expect((await cache.account('ann'))?.disabled).toBe(true);
  });

  it('keeps entries no longer than the fan-out re-check while it is degraded, and forgets all when it goes down or comes back', async () => {
    const watchers = new Set<() => void>();
    const degraded = Object.assign(new MemoryFanout(), {
      recheckMs: 300,
      onRecheckChange: (fn: () => void) => (watchers.add(fn), () => watchers.delete(fn)),
    }) as Fanout;
    const cache = new DirectoryCache(store, degraded, clock, 60_000);
    await cache.account('ann');
    reads.mockClear();
    now += 299;
    await cache.account('ann');
    expect(reads).toHaveBeenCalledTimes(0);
    now += 1;
    await cache.account('ann');
    expect(reads).toHaveBeenCalledTimes(1);
    for (const fn of watchers) fn();
    await cache.account('ann');
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('with a lifetime of 0 reads every time', async () => {
    const cache = new DirectoryCache(store, fanout, clock, 0);
    await cache.account('ann');
    await cache.account('ann');
    expect(reads).toHaveBeenCalledTimes(2);
  });
});
