import { describe, expect, it } from 'vitest';
import { nextRunAt } from './next-run.ts';

const MINUTE = 60_000;

/** Scheduled runs of one account in `span` ms on an injected clock: each claimed `lag` ms late, lasting `took`. */
function runsIn(span: number, lag: number, took: number, next = nextRunAt): number {
  let due = 0;
  let runs = 0;
  for (let clock = 0; ; ) {
    clock = Math.max(clock, due) + lag;
    if (clock >= span) return runs;
    const claimedAt = clock;
    runs += 1;
    clock += took;
    due = next(due, claimedAt, clock, MINUTE);
  }
}

describe('nextRunAt', () => {
  it('keeps a one-minute account at three runs in three minutes when each sync takes 30 s', () => {
    expect(runsIn(3 * MINUTE, 1_000, 30_000)).toBe(3);
    // The rule it replaces (one interval after the sync finished) fits two.
    expect(runsIn(3 * MINUTE, 1_000, 30_000, (_due, _claimed, finished) => finished + MINUTE)).toBe(2);
  });

  it('counts one run an interval over a long span, neither more nor fewer', () => {
    expect(runsIn(60 * MINUTE, 2_000, 10_000)).toBe(60);
  });

  it('does not bunch: overdue by more than an interval, the next is an interval from now', () => {
    expect(nextRunAt(0, 5 * MINUTE, 5 * MINUTE + 1_000, MINUTE)).toBe(6 * MINUTE + 1_000);
    // A sync longer than the interval runs back to back no faster than one an interval after it ends.
    // (at 0, 3, 6 and 9 minutes: each two-minute sync, then one minute).
    expect(runsIn(10 * MINUTE, 0, 2 * MINUTE)).toBe(4);
  });

  it('starts afresh after a sync that was not due (by hand or for a hook), and when never scheduled', () => {
    expect(nextRunAt(2 * MINUTE, MINUTE, MINUTE + 500, MINUTE)).toBe(2 * MINUTE + 500);
    expect(nextRunAt(0, 10, 20, 0)).toBe(20);
  });

  it('is due at once when it finished exactly an interval late, not later', () => {
    expect(nextRunAt(0, 1_000, MINUTE, MINUTE)).toBe(MINUTE);
  });
});
