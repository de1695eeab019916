/**
 * The goals of issue 13 that sections 6–9 carry, derived from each section's figures:
 * met, or missed by how much, with the doc that says why. bench/results.md tables them
 * (report.ts, goalRows); each section records its own, so a partial run keeps the others'.
 */
import { boundGoal, noneGoal, type Goal } from './report.ts';

/** Growth allowed over a soak or a fleet run before memory counts as not flat. */
export const FLAT_GROWTH_PERCENT = 10;

const growth = (samples: number[]) =>
  ((samples.at(-1)! - samples[0]!) / Math.max(1, samples[0]!)) * 100;

const API_LOAD = 'docs/operations.md ("Sizing", API load)';

export interface LoadFigures {
  endpoints: {
    name: string;
    baseRps: number;
    rps: number;
    baseP99: number;
    p99: number;
    /** CPU ms per 1,000 answers, baseline and broker. */
    baseCpu: number;
    cpu: number;
  }[];
  burst: { calls: number; fiveXx: number };
  /** Samples after the warm-up: RSS, heap after a full collection (MB), open descriptors. */
  soak: { seconds: number; rssMb: number[]; heapMb: number[]; fds: number[] };
}

/** Section 7: req/s ≥ 0.8× and p99 ≤ 2× the bare baseline's; no 5xx; a flat soak. */
export function loadGoals(f: LoadFigures): Goal[] {
  const goals = f.endpoints.flatMap((e) => {
    const cpu = `broker CPU ${e.cpu.toFixed(0)} vs ${e.baseCpu.toFixed(0)} ms per 1,000 answers`;
    return [
      boundGoal(
        `${e.name}: req/s vs a bare Express fetch-and-reshape`,
        e.rps / e.baseRps,
        `${e.baseRps.toFixed(0)} req/s`,
        { least: 0.8, unit: '×' },
        e.rps / e.baseRps >= 0.8
          ? `${cpu}; ${API_LOAD}`
          : `${cpu}: what the broker adds per answer (token, cursor, roles, mapping) on the 2 cores the sandbox, baseline and autocannon share; ${API_LOAD}`,
      ),
      boundGoal(
        `${e.name}: p99 vs the baseline's`,
        e.p99 / Math.max(1, e.baseP99),
        `${e.baseP99} ms`,
        { most: 2, unit: '×' },
        `broker p99 ${e.p99} ms; ${API_LOAD}`,
      ),
    ];
  });
  const rss = growth(f.soak.rssMb);
  const heap = growth(f.soak.heapMb);
  const [fdsFirst, fdsLast] = [f.soak.fds[0]!, f.soak.fds.at(-1)!];
  return [
    ...goals,
    noneGoal(
      '200 concurrent calls: 5xx answers',
      f.burst.fiveXx,
      { total: f.burst.calls, what: 'calls' },
      '',
      'also a test in `pnpm test`: concurrency.integration.test.ts',
    ),
    boundGoal(
      `soak ${f.soak.seconds} s: RSS growth after warm-up`,
      rss,
      `${f.soak.rssMb[0]} MB`,
      { most: FLAT_GROWTH_PERCENT, unit: '%' },
      `RSS ${f.soak.rssMb.join('→')} MB (every 5 s); ${API_LOAD}`,
    ),
    boundGoal(
      `soak ${f.soak.seconds} s: heap growth after warm-up (after a full collection)`,
      heap,
      `${f.soak.heapMb[0]} MB`,
      { most: FLAT_GROWTH_PERCENT, unit: '%' },
      `heap used ${f.soak.heapMb.join('→')} MB; ${API_LOAD}`,
    ),
    {
      figure: `soak ${f.soak.seconds} s: open file descriptors`,
      now: `${fdsFirst}→${fdsLast} (max ${Math.max(...f.soak.fds)})`,
      baseline: `${fdsFirst}`,
      goal: 'no growth',
      met: fdsLast <= fdsFirst,
      ...(fdsLast > fdsFirst ? { missedBy: `${fdsLast - fdsFirst} descriptors` } : {}),
      note: API_LOAD,
    },
  ];
}

export interface FleetFigures {
  accounts: number;
  intervals: number;
  intervalS: number;
  /** Accounts whose scheduled syncs due in the measured intervals were not one per interval. */
  offSchedule: number;
  syncs: number;
  failed: number;
  overlaps: number;
  lagP99Ms: number;
  maxInFlight: number;
  budget: number;
  /** Each replica's RSS (MB), sampled once per interval from the measurement's start. */
  rssMb: number[][];
}

const FLEET_DOC = 'docs/operations.md ("Sizing", lifecycle syncs)';

/** Section 8: every account once per interval, never two at once, lag, budget, memory. */
export function fleetGoals(f: FleetFigures): Goal[] {
  const worst = Math.max(...f.rssMb.map(growth));
  return [
    noneGoal(
      `accounts not synced once in each of ${f.intervals} intervals (counted by due time)`,
      f.offSchedule,
      { total: f.accounts, what: 'accounts' },
      `${f.accounts} accounts, ${f.intervalS} s cadence, 3 replicas`,
      `${f.failed} syncs failed; ${FLEET_DOC}`,
    ),
    noneGoal(
      'overlapping syncs of one account',
      f.overlaps,
      { total: f.syncs, what: 'syncs' },
      '',
      'sync leases: docs/decisions/0053-sync-scheduling-across-replicas.md',
    ),
    boundGoal(
      'scheduler lag p99',
      f.lagP99Ms / 1000,
      `interval ${f.intervalS} s`,
      { most: f.intervalS, unit: ' s' },
      `a p99 above the interval means add replicas: ${FLEET_DOC}`,
    ),
    boundGoal(
      'most calls in flight at one tenant',
      f.maxInFlight,
      `budget ${f.budget}`,
      { most: f.budget, unit: '', digits: 0 },
      'the budget across replicas: docs/operations.md ("Several replicas")',
    ),
    boundGoal(
      'replica RSS growth over the measured intervals (worst replica)',
      worst,
      f.rssMb.map((r) => `${r[0]} MB`).join(' / '),
      { most: FLAT_GROWTH_PERCENT, unit: '%' },
      `RSS per interval ${f.rssMb.map((r) => r.join('→')).join('; ')} MB; ${FLEET_DOC}`,
    ),
  ];
}

/** Section 6: the first users page of 100,000 people at 300 ms per request, under 3 s. */
export function rolesAtScaleGoal(firstPageMs: number, directMs: number): Goal {
  return boundGoal(
    'first users page of 100,000 people, 300 ms per NERM request',
    firstPageMs / 1000,
    `one NERM request ${(directMs / 1000).toFixed(2)} s`,
    { most: 3, unit: ' s' },
    'the floor is the profiles page and seven rounds of 16 role reads (2.4 s): docs/operations.md ("Roles at scale")',
  );
}

/** Section 9: a 100,000-person full reconcile fits a broker whose heap is capped. */
export function cappedReconcileGoal(
  persons: number,
  capMb: number,
  outcome: { peakMb: number } | { failed: string },
): Goal {
  const fits = 'peakMb' in outcome;
  return {
    figure: `full reconcile of ${persons.toLocaleString('en')} people, heap capped at ${capMb} MB`,
    now: fits ? `fits (peak RSS ${outcome.peakMb} MB)` : `failed: ${outcome.failed}`,
    baseline: '',
    goal: `fits under --max-old-space-size=${capMb}`,
    met: fits,
    ...(fits ? {} : { missedBy: 'not fitting' }),
    note: 'a sync holds one page and its role-link index: docs/lifecycle-events.md',
  };
}
