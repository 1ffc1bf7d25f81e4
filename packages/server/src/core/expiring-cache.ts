/**
 * A bounded in-memory map whose entries expire. Past `maxEntries` the least recently used entry
 * goes first (hits count from half full on: below that, order does not matter yet). `clear()` also voids loads that are still running: a value read from the store
 * before a change was announced is never kept after it.
 */
export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  private readonly loading = new Map<K, Promise<V>>();
  /** Raised by clear(): a load that began under an older epoch keeps nothing. */
  private epoch = 0;

  constructor(private readonly opts: { maxEntries: number; now: () => number }) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.opts.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last: eviction takes from the front. Order only matters once eviction is
    // near; below half full a hit costs no reordering.
    if (this.entries.size * 2 >= this.opts.maxEntries) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry.value;
  }

  /** Keeps `value` until `expiresAt` (a time of the clock); a time already past keeps nothing. */
  set(key: K, value: V, expiresAt: number): void {
    this.entries.delete(key);
    if (expiresAt <= this.opts.now()) return;
    this.entries.set(key, { value, expiresAt });
    while (this.entries.size > this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
    this.epoch++;
  }

  /**
   * The cached value, else `load()`'s, kept until `expiresAt(value)` (a time past or now keeps
   * nothing: use it for values not worth keeping, such as "not found"). Concurrent calls for one key
   * share one load; a load overtaken by clear() answers its caller but is not kept.
   */
  async getOrLoad(key: K, load: () => Promise<V>, expiresAt: (value: V) => number): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const running = this.loading.get(key);
    if (running) return running;
    return this.load(key, load, expiresAt);
  }

  /** Reads past the cache and keeps the fresh value (unless clear() came first). */
  async refresh(key: K, load: () => Promise<V>, expiresAt: (value: V) => number): Promise<V> {
    return this.load(key, load, expiresAt);
  }

  private async load(key: K, load: () => Promise<V>, expiresAt: (value: V) => number): Promise<V> {
    const epoch = this.epoch;
    const promise = load();
    this.loading.set(key, promise);
    try {
      const value = await promise;
      if (epoch === this.epoch) this.set(key, value, expiresAt(value));
      return value;
    } finally {
      if (this.loading.get(key) === promise) this.loading.delete(key);
    }
  }
}
