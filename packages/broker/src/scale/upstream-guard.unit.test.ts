/**
 * The budget's waiting rules, on this process's counters: a read ahead (`wait: false`) is
 * refused at once when the background share is taken, where a sync's call waits for it.
 */
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../errors.ts';
import { memoryCounters } from './counters.ts';
import { UpstreamGuard } from './upstream-guard.ts';

const ORIGIN = 'https://tenant.example';

function guard() {
  return new UpstreamGuard({
    counters: memoryCounters(),
    budget: { concurrency: 2, perSecond: 0, maxWaitMs: 60_000, leaseMs: 60_000 },
    breaker: { failures: 5, cooldownMs: 30_000 },
  });
}

/** A call held in flight until `release()`. */
function held() {
  let release!: () => void;
  const done = new Promise<{ status: number }>((r) => (release = () => r({ status: 200 })));
  return { call: () => done, release };
}

describe('UpstreamGuard waiting', () => {
  it('refuses a read ahead at once while the background share is taken, and runs it once free', async () => {
    const g = guard();
    const sync = held();
    const holding = g.run(ORIGIN, sync.call, { background: true });
    let ran = 0;
    const ahead = () => g.run(ORIGIN, async () => ({ status: 200, ran: ++ran }), {
      background: true,
      wait: false,
    });
    const refused = await ahead().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(BrokerError);
    expect((refused as BrokerError).code).toBe('rate_limited');
    expect(ran).toBe(0);
    // A caller still finds the other half free while the read ahead was refused.
    await expect(g.run(ORIGIN, async () => ({ status: 204 }))).resolves.toEqual({ status: 204 });
    sync.release();
    await holding;
    await expect(ahead()).resolves.toEqual({ status: 200, ran: 1 });
  });

  it("queues a sync's background call behind the taken share instead of refusing it", async () => {
    const g = guard();
    const first = held();
    const holding = g.run(ORIGIN, first.call, { background: true });
    let settled = false;
    const queued = g
      .run(ORIGIN, async () => ({ status: 200 }), { background: true })
      .finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    first.release();
    await holding;
    await expect(queued).resolves.toEqual({ status: 200 });
  });
});
