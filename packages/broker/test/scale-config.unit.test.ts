import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { tempDir } from './helpers.ts';

async function problems(env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    await loadConfig({ NERM_BROKER_DATA_DIR: tempDir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('scale-out settings', () => {
  it('has defaults fit for one broker and for a fleet', async () => {
    const config = await loadConfig({ NERM_BROKER_DATA_DIR: tempDir() });
    expect(config.scale).toEqual({
      redisUrl: undefined,
      budget: { concurrency: 16, perSecond: 100, maxWaitMs: 10_000 },
      breaker: { failures: 5, cooldownMs: 30_000 },
      syncConcurrency: 4,
      idempotencyLeaseMs: 60_000,
    });
  });

  it('reads every variable', async () => {
    const config = await loadConfig({
      NERM_BROKER_DATA_DIR: tempDir(),
      NERM_BROKER_REDIS_URL: 'redis://127.0.0.1:6379/2',
      NERM_BROKER_UPSTREAM_CONCURRENCY: '4',
      NERM_BROKER_UPSTREAM_RPS: '0',
      NERM_BROKER_UPSTREAM_MAX_WAIT: '0',
      NERM_BROKER_BREAKER_FAILURES: '3',
      NERM_BROKER_BREAKER_COOLDOWN: '5',
      NERM_BROKER_SYNC_CONCURRENCY: '16',
      NERM_BROKER_IDEMPOTENCY_LEASE: '5',
    });
    expect(config.scale).toEqual({
      redisUrl: 'redis://127.0.0.1:6379/2',
      budget: { concurrency: 4, perSecond: 0, maxWaitMs: 0 },
      breaker: { failures: 3, cooldownMs: 5_000 },
      syncConcurrency: 16,
      idempotencyLeaseMs: 5_000,
    });
  });

  it('names each bad variable, never its value', async () => {
    const found = await problems({
      NERM_BROKER_REDIS_URL: 'http://user:hunter2@cache:6379',
      NERM_BROKER_UPSTREAM_CONCURRENCY: '0',
      NERM_BROKER_BREAKER_COOLDOWN: '2.5',
      NERM_BROKER_SYNC_CONCURRENCY: 'many',
      NERM_BROKER_IDEMPOTENCY_LEASE: '1',
    });
    expect(found).toEqual([
      'NERM_BROKER_REDIS_URL must be a redis:// or rediss:// URL',
      'NERM_BROKER_UPSTREAM_CONCURRENCY must be a whole number from 1 to 1000',
      'NERM_BROKER_BREAKER_COOLDOWN must be a whole number from 1 to 3600',
      'NERM_BROKER_SYNC_CONCURRENCY must be a whole number from 1 to 256',
      'NERM_BROKER_IDEMPOTENCY_LEASE must be a whole number from 2 to 3600',
    ]);
    expect(found.join(' ')).not.toContain('hunter2');
  });
});
