import { describe, expect, it } from 'vitest';
import { runsDueIn, type SyncLine } from './fleet.ts';

const MINUTE = 60_000;
const run = (account_id: string, due: number, lag: number): SyncLine => ({
  account_id,
  due,
  lag_ms: lag,
  ms: 50,
  time: due + lag + 50,
  replica: 1,
});

describe('fleet: scheduled runs counted per interval', () => {
  it('counts an account due near the edges once per interval, though its finishes cross them', () => {
    const from = 1_000_000;
    const until = from + 3 * MINUTE;
    // 'a' is due 100 ms before the window, started 300 ms late: that finish falls inside,
    // and so does its run due 100 ms before the end: four finishes, three runs due.
    const lines = [
      run('a', from - 100, 300),
      run('a', from - 100 + MINUTE, 10),
      run('a', from - 100 + 2 * MINUTE, 10),
      run('a', from - 100 + 3 * MINUTE, 10),
      run('b', from + 5, 10),
      run('b', from + 5 + MINUTE, 10),
      run('b', from + 5 + 2 * MINUTE, 10),
      run('c', from + 5, 10),
      run('c', from + 5 + 2 * MINUTE, 10),
      // A sync run by hand names no due time and is not counted.
      { account_id: 'c', lag_ms: 0, ms: 50, time: from + 56, replica: 1 },
    ];
    const finished = lines.filter((l) => l.time >= from && l.time < until);
    expect(finished.filter((l) => l.account_id === 'a')).toHaveLength(4);
    const due = runsDueIn(lines, from, until);
    expect(Object.fromEntries(due)).toEqual({ a: 3, b: 3, c: 2 });
  });
});
