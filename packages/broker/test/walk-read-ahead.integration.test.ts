import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { settled, startStack, walk, type Stack } from './helpers.ts';

// Whole-tenant walks with a pause after each page: slow on a loaded machine, never timed.
vi.setConfig({ testTimeout: 60_000 });

/**
 * A walk's NERM reads run ahead of its client (docs/operations.md, "Read-ahead"): while the
 * client holds page k, the broker builds page k+1 and reads the NERM page after it, so a
 * client coming back never waits on a NERM round trip that could have been made meanwhile.
 * Counted, not timed: after each page the test lets the broker go quiet, then looks at how
 * far its NERM reads reached.
 */
let stack: Stack;
let token: string;
const sandbox = () => stack.sandbox;

beforeAll(async () => {
  stack = await startStack({
    sandbox: { persons: 1_000 },
    env: { NERM_BROKER_SYNC_INTERVAL: '0' },
  });
  ({ token } = await stack.connectAccount('api_key'));
});
afterAll(() => stack.close());

describe('a users walk read ahead', () => {
  /** after_id of each profiles page NERM was asked for since the last reset. */
  const profileReads = () =>
    sandbox()
      .stats.recent.filter((r) => r.path === '/api/profiles')
      .map((r) => new URLSearchParams(r.query).get('after_id') ?? '');

  it('has read the NERM page after the next one whenever its client comes back', async () => {
    // Answers that take a moment, as a real tenant's do.
    sandbox().faults.set({ latencyMs: 20 });
    await settled(sandbox());
    sandbox().stats.reset();
    let reads = 0;
    let furthest = '';
    const waits: number[] = [];
    const ids = await walk(stack, token, 'limit=100', async (page, body) => {
      const last = body.result.at(-1)?.id ?? '';
      // The client came for this page when NERM had been read only up to `furthest`: a page
      // with more after it, ending beyond that, leaves the client's next request a round trip.
      if (page > 1 && body.next_cursor !== null && furthest < last) waits.push(page);
      // The client holds the page a while: whatever the broker reads ahead, it reads now.
      await settled(sandbox());
      const after = profileReads();
      reads += after.length;
      for (const id of after) if (id > furthest) furthest = id;
      sandbox().stats.reset();
      // Bounded: the page built ahead and one NERM page after it, no further.
      expect(reads, `profiles pages read once the client holds page ${page}`).toBeLessThanOrEqual(
        page + 2,
      );
    });
    sandbox().faults.set({});
    expect(ids.length).toBeGreaterThan(900);
    expect(waits, 'pages whose next page still needed a NERM round trip').toEqual([]);
  });

  it('reads each NERM page of a walk once, one at a time, when its client does not pause', async () => {
    sandbox().faults.set({ latencyMs: 20 });
    await settled(sandbox());
    sandbox().stats.reset();
    let pages = 0;
    await walk(stack, token, 'limit=100', (page) => {
      pages = page;
    });
    await settled(sandbox());
    sandbox().faults.set({});
    expect(sandbox().stats.route('GET /api/profiles'), 'profiles pages').toBe(pages);
    // Keyset pages follow one another: a walk never has two in flight.
    expect(sandbox().stats.maxInFlight).toBe(1);
  });
});
