/**
 * Section 8, the fleet: FLEET accounts, each on its own small sandbox tenant, synced on a
 * 60-second cadence by three broker processes on one PostgreSQL. Reports syncs per
 * account per interval, counted by when each was due (a run's finish moves with its lag, so
 * a window of finishes catches two or four runs of an account due near its edges),
 * overlapping syncs of one account (must be none), scheduler lag p50/p99 (from each
 * replica's 'sync finished' log lines), failed syncs, the most calls any tenant saw at once
 * against its budget, and each replica's RSS per minute; the goals from ./goals.ts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { PATHS } from '@nerm-connect/shared/lite';
import { startBrokerProcess, type BrokerProcess } from '@nerm-connect/test-kit';
import { fleetGoals } from './goals.ts';
import type { SectionResult } from './report.ts';

export const FLEET = Number(process.env.BENCH_FLEET_ACCOUNTS ?? 2000);
export const FLEET_MINUTES = Number(process.env.BENCH_FLEET_MINUTES ?? 3);
const INTERVAL_S = 60;
const REPLICAS = 3;
const BUDGET = 4;

export interface SyncLine {
  time: number;
  account_id: string;
  lag_ms: number;
  /** When a scheduled sync was due (absent for a sync run by hand or for a hook). */
  due?: number;
  ms: number;
  replica: number;
}

/** Collects a replica's 'sync finished' lines, and counts its 'sync failed' ones. */
function syncLog(replica: number, into: SyncLine[], failed: { count: number }): Writable {
  let rest = '';
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes('"sync failed"')) failed.count++;
        if (!line.includes('"sync finished"')) continue;
        const parsed = JSON.parse(line) as Omit<SyncLine, 'replica' | 'time' | 'due'> & {
          time: string;
          due_at?: string;
        };
        into.push({
          ...parsed,
          time: Date.parse(parsed.time),
          ...(parsed.due_at ? { due: Date.parse(parsed.due_at) } : {}),
          replica,
        });
      }
      done();
    },
  });
}

/** Scheduled runs of each account due in [from, until): one per interval is the goal. */
export function runsDueIn(lines: SyncLine[], from: number, until: number): Map<string, number> {
  const runs = new Map<string, number>();
  for (const l of lines)
    if (l.due !== undefined && l.due >= from && l.due < until)
      runs.set(l.account_id, (runs.get(l.account_id) ?? 0) + 1);
  return runs;
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
    : NaN;
};

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function fleetSection(
  postgresUrl: string,
  progress: (line: string) => void,
): Promise<Pick<SectionResult, 'tables' | 'goals'>> {
  const schema = `bench_fleet_${randomBytes(4).toString('hex')}`;
  const apiKey = `nbk_${randomBytes(18).toString('base64url')}`;
  progress(`  starting ${FLEET} sandbox tenants…`);
  const tenants: Sandbox[] = [];
  for (let i = 0; i < FLEET; i++) tenants.push(await startSandbox({ persons: 3 }));
  const lines: SyncLine[] = [];
  const failed = { count: 0 };
  const replicas: BrokerProcess[] = [];
  try {
    const env = {
      NODE_ENV: 'development',
      NERM_BROKER_DATABASE_URL: `${postgresUrl}?schema=${schema}`,
      NERM_BROKER_API_KEYS: apiKey,
      NERM_BROKER_DATA_DIR: mkdtempSync(join(tmpdir(), 'nerm-fleet-')),
      NERM_BROKER_ALLOWED_HOSTS: tenants.map((t) => t.url).join(','),
      NERM_BROKER_SYNC_INTERVAL: String(INTERVAL_S),
      NERM_BROKER_SYNC_CONCURRENCY: process.env.BENCH_FLEET_SYNC_CONCURRENCY ?? '8',
      NERM_BROKER_UPSTREAM_CONCURRENCY: String(BUDGET),
      NERM_BROKER_LINK_RATE_LIMIT_PER_IP: '1000000',
      NERM_BROKER_LOG_LEVEL: 'info',
    };
    // The first replica migrates; the others join it.
    replicas.push(
      await startBrokerProcess({ env, name: 'Replica 1', log: syncLog(1, lines, failed) }),
    );
    for (let r = 2; r <= REPLICAS; r++)
      replicas.push(
        await startBrokerProcess({ env, name: `Replica ${r}`, log: syncLog(r, lines, failed) }),
      );

    progress(`  connecting ${FLEET} accounts through the replicas…`);
    const connectStarted = performance.now();
    await pool(tenants, 8, async (tenant) => {
      const broker = replicas[tenants.indexOf(tenant) % REPLICAS]!;
      const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
      const lt = await fetch(`${broker.url}${PATHS.linkTokens}`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ tenant_id: 'fleet' }),
      }).then((r) => r.json() as Promise<{ link_token: string }>);
      const res = await fetch(`${broker.url}${PATHS.linkConnect}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${lt.link_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          tenant_url: tenant.url,
          auth: { type: 'api_key', api_key: tenant.credentials.apiKey },
        }),
      });
      if (res.status !== 201) throw new Error(`connect: ${res.status} ${await res.text()}`);
    });
    const connectS = (performance.now() - connectStarted) / 1000;

    // Let every account take its baseline, then measure whole intervals.
    progress('  waiting for every baseline sync…');
    const ids = new Set<string>();
    for (let waited = 0; ids.size < FLEET && waited < 600; waited++) {
      for (const line of lines) ids.add(line.account_id);
      await sleep(1_000);
    }
    for (const t of tenants) t.stats.reset();
    const failedBefore = failed.count;
    const from = Date.now();
    const until = from + FLEET_MINUTES * INTERVAL_S * 1000;
    const rss: number[][] = replicas.map((r) => [rssMb(r.process.pid!)]);
    progress(`  measuring ${FLEET_MINUTES} intervals of ${INTERVAL_S} s…`);
    while (Date.now() < until) {
      await sleep(Math.min(INTERVAL_S * 1000, until - Date.now()));
      replicas.forEach((r, i) => rss[i]!.push(rssMb(r.process.pid!)));
    }
    // Runs due just before the end finish after it: give them up to 30 s to report.
    for (let waited = 0; waited < 30; waited++) {
      const due = runsDueIn(lines, from, until);
      if ([...ids].every((id) => (due.get(id) ?? 0) >= FLEET_MINUTES)) break;
      await sleep(1_000);
    }
    const window = lines.filter((l) => l.due !== undefined && l.due >= from && l.due < until);
    const finishedInWindow = lines.filter((l) => l.time >= from && l.time < until);

    // Overlaps: two syncs of one account whose [start, end] cross.
    const byAccount = new Map<string, SyncLine[]>();
    for (const l of lines) byAccount.set(l.account_id, [...(byAccount.get(l.account_id) ?? []), l]);
    let overlaps = 0;
    for (const runs of byAccount.values()) {
      const sorted = runs.map((r) => [r.time - r.ms, r.time] as const).sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < sorted.length; i++) if (sorted[i]![0] < sorted[i - 1]![1]) overlaps++;
    }
    const due = runsDueIn(lines, from, until);
    const counts = [...ids].map((id) => due.get(id) ?? 0);
    const finishedPerAccount = new Map<string, number>();
    for (const l of finishedInWindow)
      finishedPerAccount.set(l.account_id, (finishedPerAccount.get(l.account_id) ?? 0) + 1);
    const finishedCounts = [...ids].map((id) => finishedPerAccount.get(id) ?? 0);
    const expected = FLEET_MINUTES;
    const lags = window.map((l) => l.lag_ms);
    const times = window.map((l) => l.ms);
    const maxInFlight = Math.max(...tenants.map((t) => t.stats.maxInFlight));
    const perReplica = replicas.map((_, i) => window.filter((l) => l.replica === i + 1).length);
    const perReplicaPerMinute = perReplica.map((n) => (n / FLEET_MINUTES).toFixed(0));
    const spread = (c: number[]) => `${Math.min(...c)} / ${pct(c, 50)} / ${Math.max(...c)}`;
    const offSchedule = counts.filter((c) => c !== expected).length + (FLEET - ids.size);
    const rows = [
      ['figure', 'measured', 'goal'],
      [
        'accounts connected (through 3 replicas, 8 at a time)',
        `${ids.size} of ${FLEET} synced; connect ${connectS.toFixed(0)} s`,
        `${FLEET}`,
      ],
      [
        `scheduled syncs per account due in ${expected} intervals (min / median / max)`,
        spread(counts),
        `${expected} each`,
      ],
      [
        'accounts not synced once per interval (by due time: fewer / more)',
        `${counts.filter((c) => c < expected).length} / ${counts.filter((c) => c > expected).length}`,
        '0',
      ],
      [
        `syncs per account that finished within the ${expected} intervals (min / median / max; moves with each run's lag at the edges)`,
        spread(finishedCounts),
        '',
      ],
      ['failed syncs while measured', String(failed.count - failedBefore), '0'],
      ['overlapping syncs of one account', String(overlaps), '0'],
      ['scheduler lag p50 / p99', `${pct(lags, 50)} ms / ${pct(lags, 99)} ms`, 'p99 < interval'],
      ['sync time p50 / p99', `${pct(times, 50)} ms / ${pct(times, 99)} ms`, ''],
      ['most calls in flight at one tenant', String(maxInFlight), `≤ ${BUDGET} (budget)`],
      ['syncs per replica per minute', perReplicaPerMinute.join(' / '), ''],
      ['replica RSS per minute, MB', rss.map((r) => r.join('→')).join('; '), 'flat'],
    ];
    return {
      tables: [{ rows }],
      goals: fleetGoals({
        accounts: FLEET,
        intervals: expected,
        intervalS: INTERVAL_S,
        offSchedule,
        syncs: window.length,
        failed: failed.count - failedBefore,
        overlaps,
        lagP99Ms: pct(lags, 99),
        maxInFlight,
        budget: BUDGET,
        rssMb: rss,
      }),
    };
  } finally {
    for (const r of replicas) await r.close();
    for (const t of tenants) await t.close();
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}
