import { describe, expect, it } from 'vitest';
import { TakeOnce, TtlCache } from './ttl-cache.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('TtlCache', () => {
  it('loads once for concurrent misses of one key, and reuses the value until its TTL', async () => {
    const time = clock();
    const cache = new TtlCache<string>(60_000, 10, time.now);
    const pending = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return pending.promise;
    };
    const both = Promise.all([cache.get('a', load), cache.get('a', load)]);
    pending.resolve('A1');
    expect(await both).toEqual(['A1', 'A1']);
    time.advance(59_999);
    expect(await cache.get('a', async () => 'A2')).toBe('A1');
    expect(loads).toBe(1);
    time.advance(2);
    expect(await cache.get('a', async () => 'A2')).toBe('A2');
  });

  it('passes a failed load to every waiter and keeps nothing, so the next get loads again', async () => {
    const cache = new TtlCache<string>(60_000, 10, clock().now);
    const failing = deferred<string>();
    const waiters = [cache.get('a', () => failing.promise), cache.get('a', () => failing.promise)];
    failing.reject(new Error('NERM down'));
    for (const waiter of waiters) await expect(waiter).rejects.toThrow('NERM down');
    expect(await cache.get('a', async () => 'A')).toBe('A');
  });

  it('keeps null as a value', async () => {
    const cache = new TtlCache<string | null>(60_000, 10, clock().now);
    expect(await cache.get('a', async () => null)).toBeNull();
    expect(await cache.get('a', async () => 'loaded again')).toBeNull();
  });

  it('holds at most its bound, dropping the least recently used key', async () => {
    const cache = new TtlCache<string>(60_000, 2, clock().now);
    await cache.get('a', async () => 'A');
    await cache.get('b', async () => 'B');
    await cache.get('a', async () => 'A again');
    await cache.get('c', async () => 'C');
    expect(await cache.get('a', async () => 'A reloaded')).toBe('A');
    expect(await cache.get('b', async () => 'B reloaded')).toBe('B reloaded');
  });
});

describe('TakeOnce', () => {
  it('hands a value out once, within its TTL', () => {
    const time = clock();
    const pages = new TakeOnce<string>(15_000, 4, time.now);
    pages.put('p2', 'page 2');
    expect(pages.take('p2')).toBe('page 2');
    expect(pages.take('p2')).toBeUndefined();
    pages.put('p3', 'page 3');
    time.advance(15_001);
    expect(pages.take('p3')).toBeUndefined();
  });

  it('says whether a value waits, until it is taken or its TTL ends', () => {
    const time = clock();
    const pages = new TakeOnce<string>(15_000, 4, time.now);
    expect(pages.has('p2')).toBe(false);
    pages.put('p2', 'page 2');
    expect(pages.has('p2')).toBe(true);
    pages.take('p2');
    expect(pages.has('p2')).toBe(false);
    pages.put('p3', 'page 3');
    time.advance(15_001);
    expect(pages.has('p3')).toBe(false);
  });

  it('holds at most its bound, oldest out first', () => {
    const pages = new TakeOnce<number>(15_000, 2, clock().now);
    pages.put('a', 1);
    pages.put('b', 2);
    pages.put('c', 3);
    expect([pages.take('a'), pages.take('b'), pages.take('c')]).toEqual([undefined, 2, 3]);
  });
});
