import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryFanout } from '../adapters/fanout-memory.js';
import { SqliteStore } from '../adapters/store-sqlite/index.js';
import type { Deployment } from '../ports/store.js';
import { DeploymentAccess, ORIGINS_CACHE_MS } from './deployment-access.js';
import { DirectoryCache } from './directory-cache.js';
import { hashApiKey } from './secrets.js';

const deployment = (id: string, allowedOrigins: string[]): Deployment => ({
  id,
  name: id,
  allowedOrigins,
  asyncPolicy: { mode: 'sync', afterCompletion: 'route', noticeWindowSeconds: 0, noticeText: '' },
  defaultQueue: 'Support',
  createdAt: new Date(0).toISOString(),
  settings: {},
});
const queue = (deploymentId: string, name: string) => ({ id: `${deploymentId}-${name}`, deploymentId, name, skills: [], language: null, offerTimeoutSeconds: 30, stickySeconds: 0 });

describe('DeploymentAccess', () => {
  let store: SqliteStore;
  let now = 1_000_000;
  let access: DeploymentAccess;
  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    now = 1_000_000;
    const clock = { now: () => now };
    access = new DeploymentAccess(store, clock, new DirectoryCache(store, new MemoryFanout(), clock));
    await store.tx(async (tx) => {
      await tx.insertDeployment(deployment('shop', ['https://shop.example']));
      await tx.addApiKey('shop', hashApiKey('public-key-1'), 'page');
      await tx.addApiKey('shop', hashApiKey('server-key-1'), 'back end', 'server');
      await tx.upsertQueue(queue('shop', 'Billing'));
      await tx.upsertQueue(queue('shop', 'support'));
    });
  });
  afterEach(() => store.close());

  it('a page key is found again after more unknown keys than it remembers the hashes of; a server key never', async () => {
    for (let i = 0; i < 600; i++) expect(await access.byApiKey(`guess-${i}`)).toBeNull();
    expect((await access.byApiKey('public-key-1'))?.id).toBe('shop');
    for (let i = 0; i < 600; i++) await access.byApiKey(`guess-${i}`);
    expect((await access.byApiKey('public-key-1'))?.id).toBe('shop');
    expect(await access.byApiKey('server-key-1')).toBeNull();
    expect(await access.byApiKey('server-key-1')).toBeNull();
  });

  it('finds a deployment by its API key, by id, or by either; an unknown one is null', async () => {
    expect((await access.byApiKey('public-key-1'))?.id).toBe('shop');
    expect(await access.byApiKey('no-such-key')).toBeNull();
    // A server key is a back end's secret, not a page's key.
    expect(await access.byApiKey('server-key-1')).toBeNull();
    expect((await access.byId('shop'))?.id).toBe('shop');
    expect(await access.byId('public-key-1')).toBeNull();
    expect((await access.byIdOrApiKey('shop'))?.id).toBe('shop');
    expect((await access.byIdOrApiKey('public-key-1'))?.id).toBe('shop');
    expect(await access.byIdOrApiKey('nothing')).toBeNull();
  });

  it('names queues in any case, the default queue first and each name once', async () => {
    const shop = (await access.byId('shop'))!;
    const names = await access.queueNames(shop);
    expect(names[0]).toBe('Support');
    expect(names).toContain('Billing');
    expect(new Set(names).size).toBe(names.length);
    expect(await access.findQueue(shop, 'BILLING')).toBe('Billing');
    expect(await access.findQueue(shop, 'support')).toBe('Support');
    expect(await access.findQueue(shop, 'Sales')).toBeNull();
  });

  it('reads the allowed origins again only once the cache time has passed on its clock', async () => {
    expect([...(await access.knownOrigins())]).toEqual(['https://shop.example']);
    await store.tx((tx) => tx.insertDeployment(deployment('blog', ['https://blog.example'])));
    now += ORIGINS_CACHE_MS - 1;
    expect((await access.knownOrigins()).has('https://blog.example')).toBe(false);
    now += 1;
    expect((await access.knownOrigins()).has('https://blog.example')).toBe(true);
  });
});
