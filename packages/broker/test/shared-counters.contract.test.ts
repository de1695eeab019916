/**
 * The shared counters under rate limits and upstream budgets, on every backend: two
 * `Counters` opened on one PostgreSQL (or one Redis) stand for two broker replicas.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryCounters, openCounters, type Counters } from '../src/scale/counters.ts';
import { POSTGRES_URL, REDIS_URL } from './helpers.ts';

interface Backend {
  name: string;
  /** Two handles on the same counters (one for a single-process backend). */
  open(): Promise<[Counters, Counters]>;
}

const schemas: string[] = [];
const backends: Backend[] = [
  {
    name: 'memory',
    open: async () => {
      const one = memoryCounters();
      return [one, one];
    },
  },
];
if (POSTGRES_URL) {
  backends.push({
    name: 'postgres',
    open: async () => {
      const schema = `counters_${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.end();
      const databaseUrl = `${POSTGRES_URL}?schema=${schema}`;
      return [await openCounters({ databaseUrl }), await openCounters({ databaseUrl })];
    },
  });
}
if (REDIS_URL) {
  backends.push({
    name: 'redis',
    open: async () => {
      const config = { databaseUrl: 'sqlite::memory:', redisUrl: REDIS_URL };
      return [await openCounters(config), await openCounters(config)];
    },
  });
}

afterAll(async () => {
  if (!POSTGRES_URL || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
});

const fresh = (what: string) => `${what}:${randomBytes(6).toString('hex')}`;

describe.each(backends)('shared counters: $name', (backend) => {
  it('opens on the backend it was asked for', async () => {
    const [a, b] = await backend.open();
    expect(a.kind).toBe(backend.name);
    await a.close();
    if (b !== a) await b.close();
  });

  it('counts one window across both handles: the limit passes, the next hit waits', async () => {
    const [a, b] = await backend.open();
    try {
      const options = { points: 3, duration: 60, keyPrefix: fresh('rl') };
      const [onA, onB] = [a.limiter(options), b.limiter(options)];
      const key = 'ip:198.51.100.7';
      const outcomes: (number | 'ok')[] = [];
      for (const limiter of [onA, onB, onA, onB]) {
        try {
          await limiter.consume(key);
          outcomes.push('ok');
        } catch (refusal) {
          expect(refusal).toBeInstanceOf(RateLimiterRes);
          outcomes.push(Math.ceil((refusal as RateLimiterRes).msBeforeNext / 1000));
        }
      }
      expect(outcomes.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
      expect(outcomes[3]).toBeGreaterThanOrEqual(58);
      expect(outcomes[3]).toBeLessThanOrEqual(60);
      // Another key has its own window.
      await expect(onB.consume('ip:203.0.113.9')).resolves.toBeInstanceOf(RateLimiterRes);
    } finally {
      await a.close();
      if (b !== a) await b.close();
    }
  });

  it('leases at most the limit of slots across both handles, and a released slot is free again', async () => {
    const [a, b] = await backend.open();
    try {
      const key = fresh('origin');
      const first = await a.slots.tryAcquire(key, 2, 30_000);
      const second = await b.slots.tryAcquire(key, 2, 30_000);
      expect(first).toBeDefined();
      expect(second).toBeDefined();
      expect(await a.slots.tryAcquire(key, 2, 30_000)).toBeUndefined();
      expect(await b.slots.tryAcquire(key, 2, 30_000)).toBeUndefined();
      expect(await a.slots.inUse(key)).toBe(2);
      // Another key is not affected.
      expect(await a.slots.tryAcquire(fresh('origin'), 2, 30_000)).toBeDefined();
      await first!.release();
      expect(await b.slots.inUse(key)).toBe(1);
      const third = await b.slots.tryAcquire(key, 2, 30_000);
      expect(third).toBeDefined();
      expect(await a.slots.tryAcquire(key, 2, 30_000)).toBeUndefined();
      await second!.release();
      await third!.release();
      expect(await a.slots.inUse(key)).toBe(0);
    } finally {
      await a.close();
      if (b !== a) await b.close();
    }
  });

  it('never hands out more slots than the limit under a race of both handles', async () => {
    const [a, b] = await backend.open();
    try {
      const key = fresh('origin');
      const leases = await Promise.all(
        Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).slots.tryAcquire(key, 5, 30_000)),
      );
      const taken = leases.filter((l) => l !== undefined);
      expect(taken.length).toBeGreaterThan(0);
      expect(taken.length).toBeLessThanOrEqual(5);
      expect(await b.slots.inUse(key)).toBe(taken.length);
    } finally {
      await a.close();
      if (b !== a) await b.close();
    }
  });

  it('gives a slot back by itself when its holder never releases it (a killed replica)', async () => {
    const [a, b] = await backend.open();
    try {
      const key = fresh('origin');
      expect(await a.slots.tryAcquire(key, 1, 150)).toBeDefined();
      expect(await b.slots.tryAcquire(key, 1, 30_000)).toBeUndefined();
      await sleep(400); // past the lease, not a timing assertion
      expect(await b.slots.inUse(key)).toBe(0);
      expect(await b.slots.tryAcquire(key, 1, 30_000)).toBeDefined();
    } finally {
      await a.close();
      if (b !== a) await b.close();
    }
  });
});
