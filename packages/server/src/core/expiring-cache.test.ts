import { describe, expect, it } from 'vitest';
import { ExpiringCache } from './expiring-cache.js';

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

describe('ExpiringCache', () => {
  it('answers until the entry expires on its clock, then forgets it', () => {
    let now = 1_000;
    const cache = new ExpiringCache<string, number>({ maxEntries: 10, now: () => now });
    cache.set('a', 1, 1_500);
    expect(cache.get('a')).toBe(1);
    now = 1_499;
    expect(cache.get('a')).toBe(1);
    now = 1_500;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set('b', 2, 1_500);
    expect(cache.get('b')).toBeUndefined();
  });

  it('evicts the least recently used entry past its bound', () => {
    const cache = new ExpiringCache<string, number>({ maxEntries: 2, now: () => 0 });
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3, 10);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('records hits once it is half full: an entry used then survives the next evictions, and never a value that was replaced', () => {
    const cache = new ExpiringCache<string, number>({ maxEntries: 4, now: () => 0 });
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    expect(cache.get('a')).toBe(1); // half full: recorded
    cache.set('c', 3, 10);
    cache.set('d', 4, 10);
    cache.set('e', 5, 10); // evicts b, the least recently used
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d'), cache.get('e')]).toEqual([1, 3, 4, 5]);
    cache.set('a', 6, 10);
    expect(cache.get('a')).toBe(6);
    expect(cache.size).toBe(4);
  });

  it('shares one load between concurrent callers and keeps its value', async () => {
    const cache = new ExpiringCache<string, number>({ maxEntries: 10, now: () => 0 });
    let loads = 0;
    const gate = deferred<number>();
    const load = () => {
      loads++;
      return gate.promise;
    };
    const both = Promise.all([cache.getOrLoad('k', load, () => 100), cache.getOrLoad('k', load, () => 100)]);
    gate.resolve(7);
    expect(await both).toEqual([7, 7]);
    expect(loads).toBe(1);
    expect(await cache.getOrLoad('k', load, () => 100)).toBe(7);
    expect(loads).toBe(1);
  });

  it('does not keep a value whose expiry is already past (not found)', async () => {
    const cache = new ExpiringCache<string, number | null>({ maxEntries: 10, now: () => 50 });
    let loads = 0;
    const load = async () => (loads++, null);
    expect(await cache.getOrLoad('k', load, (v) => (v === null ? 0 : 100))).toBeNull();
    expect(await cache.getOrLoad('k', load, (v) => (v === null ? 0 : 100))).toBeNull();
    expect(loads).toBe(2);
  });

  it('keeps nothing a load read before clear(): the caller gets it, the next caller reads again', async () => {
    const cache = new ExpiringCache<string, string>({ maxEntries: 10, now: () => 0 });
    const before = deferred<string>();
    const stale = cache.getOrLoad(
      'k',
      () => before.promise,
      () => 100,
    );
    cache.clear();
    let reloads = 0;
    const after = cache.getOrLoad(
      'k',
      async () => {
        reloads++;
        return 'fresh';
      },
      () => 100,
    );
    before.resolve('stale');
    expect(await stale).toBe('stale');
    expect(await after).toBe('fresh');
    expect(reloads).toBe(1);
    expect(cache.get('k')).toBe('fresh');
  });

  it('refresh reads past the entry and keeps the new value', async () => {
    const cache = new ExpiringCache<string, string>({ maxEntries: 10, now: () => 0 });
    cache.set('k', 'old', 100);
    expect(
      await cache.refresh(
        'k',
        async () => 'new',
        () => 100,
      ),
    ).toBe('new');
    expect(cache.get('k')).toBe('new');
  });
});
