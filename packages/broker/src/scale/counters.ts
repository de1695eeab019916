import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimiterOptions } from '../http/rate-limit.ts';
import { MemorySlots, type SlotLeases } from './slot-leases.ts';

/**
 * Counters every broker replica sees alike: fixed-window rate limits (rate-limiter-flexible)
 * and leased slots for concurrency budgets. In memory for a single process (SQLite), in
 * PostgreSQL for replicas on one database, in Redis when NERM_BROKER_REDIS_URL is set
 * (docs/operations.md, "Several replicas").
 */
export interface Counters {
  readonly kind: 'memory' | 'postgres' | 'redis';
  limiter(options: LimiterOptions): RateLimiterAbstract;
  readonly slots: SlotLeases;
  /** Rejects while the backend (or its tables) cannot be used (`GET /readyz`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function memoryCounters(now: () => number = Date.now): Counters {
  // A memory limiter keeps its counts in itself: one per rule, however often asked for.
  const limiters = new Map<string, RateLimiterMemory>();
  return {
    kind: 'memory',
    limiter: (options) => {
      const id = `${options.keyPrefix}/${options.points}/${options.duration}`;
      let limiter = limiters.get(id);
      if (!limiter) limiters.set(id, (limiter = new RateLimiterMemory(options)));
      return limiter;
    },
    slots: new MemorySlots(now),
    ping: async () => {},
    close: async () => {},
  };
}

export interface CountersConfig {
  databaseUrl: string;
  redisUrl?: string | undefined;
}

/**
 * Redis when a URL is given; else PostgreSQL when the store is PostgreSQL (same database,
 * same schema); else this process's memory. The backends load only when used.
 */
export async function openCounters(config: CountersConfig): Promise<Counters> {
  if (config.redisUrl) {
    const { redisCounters } = await import('./redis-counters.ts');
    return redisCounters(config.redisUrl);
  }
  if (/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    const { postgresCounters } = await import('./postgres-counters.ts');
    return postgresCounters(config.databaseUrl);
  }
  return memoryCounters();
}
