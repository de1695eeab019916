import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flexibleRateLimiter, memoryRateLimiter, type WindowLimit } from './rate-limit.ts';

const THREE_A_MINUTE: WindowLimit = { limit: 3, windowMs: 60_000 };

describe('memoryRateLimiter', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('lets the limit through, then answers the whole seconds left in the window', async () => {
    const limiter = memoryRateLimiter();
    const waits = [];
    for (let i = 0; i < 3; i++) waits.push(await limiter.hit('ip:a', THREE_A_MINUTE));
    vi.advanceTimersByTime(20_500);
    waits.push(await limiter.hit('ip:a', THREE_A_MINUTE));
    expect(waits).toEqual([undefined, undefined, undefined, 40]);
  });

  it('never answers less than one second', async () => {
    const limiter = memoryRateLimiter();
    const rule = { limit: 1, windowMs: 60_000 };
    await limiter.hit('k', rule);
    vi.advanceTimersByTime(59_900);
    expect(await limiter.hit('k', rule)).toBe(1);
  });

  it('counts each key apart', async () => {
    const limiter = memoryRateLimiter();
    const rule = { limit: 1, windowMs: 60_000 };
    expect(await limiter.hit('ip:a', rule)).toBeUndefined();
    expect(await limiter.hit('ip:b', rule)).toBeUndefined();
    expect(await limiter.hit('ip:a', rule)).toBe(60);
  });

  it('counts one key under two rules apart', async () => {
    const limiter = memoryRateLimiter();
    expect(await limiter.hit('k', { limit: 1, windowMs: 60_000 })).toBeUndefined();
    expect(await limiter.hit('k', { limit: 1, windowMs: 30_000 })).toBeUndefined();
    expect(await limiter.hit('k', { limit: 1, windowMs: 30_000 })).toBe(30);
  });

  it('opens a fresh window once the old one has passed', async () => {
    const limiter = memoryRateLimiter();
    const rule = { limit: 1, windowMs: 60_000 };
    await limiter.hit('k', rule);
    expect(await limiter.hit('k', rule)).toBe(60);
    vi.advanceTimersByTime(60_000);
    expect(await limiter.hit('k', rule)).toBeUndefined();
    expect(await limiter.hit('k', rule)).toBe(60);
  });
});

describe('flexibleRateLimiter', () => {
  it('builds one backend limiter per rule, with the rule in its key prefix', async () => {
    const made: { points?: number; duration?: number; keyPrefix?: string }[] = [];
    const limiter = flexibleRateLimiter((options) => {
      made.push(options);
      return new RateLimiterMemory(options);
    });
    await limiter.hit('a', { limit: 5, windowMs: 60_000 });
    await limiter.hit('b', { limit: 5, windowMs: 60_000 });
    await limiter.hit('a', { limit: 60, windowMs: 60_000 });
    expect(made).toEqual([
      { points: 5, duration: 60, keyPrefix: 'rl:5/60000' },
      { points: 60, duration: 60, keyPrefix: 'rl:60/60000' },
    ]);
  });

  it('lets a failing backend fail the hit (503 service_unavailable) instead of letting it through', async () => {
    const down = new RateLimiterMemory({ points: 1, duration: 60 });
    const refused = new Error('connection refused');
    down.consume = () => Promise.reject(refused);
    const limiter = flexibleRateLimiter(() => down);
    await expect(limiter.hit('k', THREE_A_MINUTE)).rejects.toMatchObject({
      code: 'service_unavailable',
      status: 503,
      retryAfter: 2,
      cause: refused,
    });
  });
});
