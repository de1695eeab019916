import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetGoals, loadGoals, type FleetFigures, type LoadFigures } from './goals.ts';
import { goalRows, ratioGoal, writeResults } from './report.ts';

const load: LoadFigures = {
  endpoints: [
    { name: 'users', baseRps: 867, rps: 362, baseP99: 68, p99: 135, baseCpu: 1134, cpu: 2862 },
    { name: 'roles', baseRps: 1000, rps: 900, baseP99: 20, p99: 50, baseCpu: 350, cpu: 590 },
  ],
  burst: { calls: 2000, fiveXx: 0 },
  soak: { seconds: 60, rssMb: [247, 260, 269], heapMb: [40, 52], fds: [62, 61, 60] },
};

const fleet: FleetFigures = {
  accounts: 2000,
  intervals: 3,
  intervalS: 60,
  offSchedule: 36,
  syncs: 5964,
  failed: 0,
  overlaps: 0,
  lagP99Ms: 1881,
  maxInFlight: 1,
  budget: 4,
  rssMb: [
    [347, 226, 217, 224],
    [299, 301, 243, 258],
  ],
};

/** The Goals table's rows as "figure: now (goal) result". */
const results = (rows: string[][]) =>
  rows.slice(1).map((r) => `${r[1]}: ${r[2]} (${r[4]}) ${r[5]}`);

describe('the Goals table of bench/results.md', () => {
  it('states each load goal met, or missed by how much in the right direction', () => {
    expect(results(goalRows([{ id: '7', goals: loadGoals(load) }]))).toEqual([
      'users: req/s vs a bare Express fetch-and-reshape: 0.42× (≥ 0.8×) missed by 48%',
      "users: p99 vs the baseline's: 1.99× (≤ 2×) met",
      'roles: req/s vs a bare Express fetch-and-reshape: 0.90× (≥ 0.8×) met',
      "roles: p99 vs the baseline's: 2.50× (≤ 2×) missed by 25%",
      '200 concurrent calls: 5xx answers: 0 of 2,000 calls (0) met',
      'soak 60 s: RSS growth after warm-up: 8.91% (≤ 10%) met',
      'soak 60 s: heap growth after warm-up (after a full collection): 30.00% (≤ 10%) missed by 20.0 percentage points',
      'soak 60 s: open file descriptors: 62→60 (max 62) (no growth) met',
    ]);
  });

  it('states each fleet goal, a count missed by how many of how many', () => {
    const [counts, ...bounds] = results(goalRows([{ id: '8', goals: fleetGoals(fleet) }]));
    expect(counts).toBe(
      'accounts not synced once in each of 3 intervals (counted by due time): 36 of 2,000 accounts (0) missed by 36 of 2,000 (1.8%)',
    );
    expect(bounds).toEqual([
      'overlapping syncs of one account: 0 of 5,964 syncs (0) met',
      'scheduler lag p99: 1.88 s (≤ 60 s) met',
      'most calls in flight at one tenant: 1 (≤ 4) met',
      'replica RSS growth over the measured intervals (worst replica): -13.71% (≤ 10%) met',
    ]);
    const over = fleetGoals({ ...fleet, offSchedule: 0, maxInFlight: 6, lagP99Ms: 90_000 });
    expect(goalRows([{ id: '8', goals: over }]).map((r) => r[5])).toEqual([
      'result',
      'met',
      'met',
      'missed by 50%',
      'missed by 50%',
      'met',
    ]);
  });

  it('lists every section that carries goals, in section order, each with a note', () => {
    const rows = goalRows([
      { id: '1', goals: [ratioGoal('connect', 2.72, 'probe', 1.5, 'docs/decisions/0092')] },
      { id: '5' },
      { id: '7', goals: loadGoals(load) },
      { id: '8', goals: fleetGoals({ ...fleet, rssMb: [[193, 206, 223, 228]] }) },
    ]);
    expect(rows[0]).toEqual(['section', 'figure', 'now', 'baseline', 'goal', 'result', 'note']);
    expect(rows.slice(1).map((r) => r[0])).toEqual([
      '1',
      ...loadGoals(load).map(() => '7'),
      ...fleetGoals(fleet).map(() => '8'),
    ]);
    expect(rows[1]![5]).toBe('missed by 81%');
    for (const row of rows.slice(1).filter((r) => r[5] !== 'met'))
      expect(row[6], row[1]).toMatch(/docs\//);
  });

  it('keeps the goals of sections that did not run when others are replaced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    const files = { json: join(dir, 'results.json'), md: join(dir, 'results.md') };
    const machine = {
      cpu: 'cpu',
      cores: 2,
      memoryGb: 1,
      loadStart: [1, 1, 1],
      loadEnd: [1, 1, 1],
      node: 'v20',
      date: '2026-12-06T18:00:00.000Z',
    };
    const section = (id: string, goals: ReturnType<typeof loadGoals>) => ({
      id,
      title: `section ${id}`,
      tables: [{ rows: [['a'], ['b']] }],
      goals,
      machine,
      seconds: 1,
    });
    writeResults([section('7', loadGoals(load)), section('8', fleetGoals(fleet))], files);
    writeResults([section('8', fleetGoals({ ...fleet, offSchedule: 0 }))], files);
    const md = readFileSync(files.md, 'utf8');
    expect(md).toContain('| 7 | users: req/s vs a bare Express fetch-and-reshape | 0.42× |');
    expect(md).toContain(
      '| 8 | accounts not synced once in each of 3 intervals (counted by due time) | 0 of 2,000 accounts |',
    );
    expect(md).not.toContain('36 of 2,000 accounts');
  });
});
