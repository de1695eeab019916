import { LRUCache } from 'lru-cache';

/** lru-cache refuses `null`/`undefined` values; a box lets a cache keep "nothing there". */
type Box<V> = { value: V };

/**
 * Values loaded on a miss and kept for a time, bounded (least recently used out first).
 * Concurrent misses for one key share one load (lru-cache's `fetch`); a failed load is
 * passed to every waiter and nothing is kept.
 */
export class TtlCache<V> {
  private readonly lru: LRUCache<string, Box<V>, () => Promise<V>>;

  constructor(ttlMs: number, maxEntries = 1_000, now: () => number = Date.now) {
    this.lru = new LRUCache({
      max: maxEntries,
      ttl: ttlMs,
      perf: { now },
      // Read the clock on every check (the default reuses a reading for 1 ms).
      ttlResolution: 0,
      fetchMethod: async (_key, _stale, { context }) => ({ value: await context() }),
    });
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    return (await this.lru.fetch(key, { context: load }))!.value;
  }
}

/** Values handed out once each, for a short time (read-ahead pages). Bounded. */
export class TakeOnce<V> {
  private readonly lru: LRUCache<string, Box<V>>;

  constructor(ttlMs: number, maxEntries: number, now: () => number = Date.now) {
    this.lru = new LRUCache({ max: maxEntries, ttl: ttlMs, perf: { now }, ttlResolution: 0 });
  }

  put(key: string, value: V): void {
    this.lru.set(key, { value });
  }

  /** Whether a value waits under `key` (not taken, not expired). */
  has(key: string): boolean {
    return this.lru.has(key);
  }

  take(key: string): V | undefined {
    const box = this.lru.get(key);
    this.lru.delete(key);
    return box?.value;
  }
}
