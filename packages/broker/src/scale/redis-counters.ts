import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Counters } from './counters.ts';
import type { SlotLease, SlotLeases } from './slot-leases.ts';

/** Drops expired leases, then adds one if fewer than the limit remain; atomic in Redis. */
const ACQUIRE = `
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
  if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
    redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
    redis.call('PEXPIRE', KEYS[1], ARGV[5])
    return 1
  end
  return 0`;

type SlotsRedis = Redis & {
  nermSlotAcquire(
    key: string,
    now: number,
    limit: number,
    until: number,
    holder: string,
    ttl: number,
  ): Promise<number>;
};

/** Counters in Redis (NERM_BROKER_REDIS_URL): keys under `nerm-connect:`. */
export async function redisCounters(url: string): Promise<Counters> {
  const redis = new Redis(url, {
    keyPrefix: 'nerm-connect:',
    maxRetriesPerRequest: 2,
    lazyConnect: true,
    // Redis down or silent: a request fails (503) within seconds, never hangs.
    connectTimeout: 2_000,
    commandTimeout: 2_000,
  }) as SlotsRedis;
  // Errors surface on the commands that fail; the connection retries by itself.
  redis.on('error', () => undefined);
  await redis.connect();
  redis.defineCommand('nermSlotAcquire', { numberOfKeys: 1, lua: ACQUIRE });
  return {
    kind: 'redis',
    limiter: (options) => new RateLimiterRedis({ ...options, storeClient: redis }),
    slots: new RedisSlots(redis),
    ping: async () => {
      await redis.ping();
    },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

class RedisSlots implements SlotLeases {
  constructor(private readonly redis: SlotsRedis) {}

  async tryAcquire(key: string, limit: number, ttlMs: number): Promise<SlotLease | undefined> {
    const holder = randomBytes(9).toString('base64url');
    const now = Date.now();
    const slotKey = `slots:${key}`;
    const taken = await this.redis.nermSlotAcquire(slotKey, now, limit, now + ttlMs, holder, ttlMs);
    if (taken !== 1) return undefined;
    return {
      release: async () => {
        await this.redis.zrem(slotKey, holder);
      },
    };
  }

  async inUse(key: string): Promise<number> {
    return this.redis.zcount(`slots:${key}`, Date.now() + 1, '+inf');
  }
}
