/**
 * The scheduler keeps its slots busy: every due account is synced without waiting for
 * the next poll once a slot frees (a fleet of accounts on a one-minute cadence depends on it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { bothStores, startStack, type Stack } from './helpers.ts';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function synced(s: Stack, accountId: string): Promise<boolean> {
  const audit = await s.admin(`/integrated-accounts/${accountId}/audit?limit=50`);
  return (audit.body.result as { action: string }[]).some((e) => e.action === 'sync');
}

interface SyncFinished {
  msg: string;
  time: string;
  account_id?: string;
  lag_ms: number;
  due_at?: string;
  ms: number;
}

describe.each(bothStores('sync_throughput'))('sync scheduling throughput ($name)', (store) => {
  it('syncs every due account with two slots and no second poll', async () => {
    stack = await startStack({
      ...(store.databaseUrl ? { databaseUrl: store.databaseUrl } : {}),
      sandbox: { persons: 8 },
      env: { NERM_BROKER_SYNC_INTERVAL: '3600', NERM_BROKER_SYNC_CONCURRENCY: '2' },
      // One poll at start only: whatever is synced after it was claimed as slots freed.
      overrides: { syncPollMs: 3_600_000 },
    });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await stack.connectAccount()).accountId);
    stack.broker.lifecycle.start();
    const s = stack;
    let done: boolean[] = [];
    for (let guard = 0; guard < 150; guard++) {
      done = await Promise.all(ids.map((id) => synced(s, id)));
      if (done.every(Boolean)) break;
      await sleep(100);
    }
    expect(done).toEqual(Array(6).fill(true));
    const finished = stack.logs.lines
      .map((line) => JSON.parse(line) as SyncFinished)
      .filter((line) => line.msg === 'sync finished');
    expect(new Set(finished.map((l) => l.account_id))).toEqual(new Set(ids));
    for (const line of finished) {
      expect(line.lag_ms).toBeGreaterThanOrEqual(0);
      // Scheduled: it names when it was due, and it started lag_ms after that.
      expect(Date.parse(line.time)).toBeGreaterThanOrEqual(
        Date.parse(line.due_at!) + line.lag_ms + line.ms,
      );
    }
  });
});
