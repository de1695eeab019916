/**
 * Section 7, load and soak (loopback only, bounded): the unified users and roles endpoints
 * against a bare Express fetch-and-reshape baseline over the same sandbox, in the same run;
 * 200 concurrent calls (never a 5xx); a soak with the broker's RSS and open file
 * descriptors sampled from /proc.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { createAdmin } from '@nerm-connect/shared/client';
import { PATHS } from '@nerm-connect/shared/lite';
import {
  readJsonLine,
  spawnNode,
  startBrokerProcess,
  stop,
  type SandboxInfo,
} from '@nerm-connect/test-kit';
import type { LoadFigures } from './goals.ts';

export const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
export const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 60);

interface Run {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  fiveXx: number;
  errors: number;
}

async function cannon(url: string, options: Partial<autocannon.Options>): Promise<Run> {
  const result = await autocannon({
    url,
    connections: 32,
    ...(options.amount ? {} : { duration: LOAD_SECONDS }),
    ...options,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    fiveXx: result['5xx'],
    errors: result.errors,
  };
}

/** Resident memory (MB) and open descriptors of a process, from /proc. */
function footprint(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(rssKb / 1024), fds: readdirSync(`/proc/${pid}/fd`).length };
}

const HEAP_PROBE = new URL('./heap-probe.mjs', import.meta.url).href;

/** The broker's heap used (MB) after a full collection, asked of ./heap-probe.mjs. */
async function heapAfterGc(pid: number, file: string): Promise<number> {
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 400 && !existsSync(file); i++) await sleep(25);
  const { heapUsed } = JSON.parse(readFileSync(file, 'utf8')) as { heapUsed: number };
  return Math.round(heapUsed / 2 ** 20);
}

/** CPU milliseconds (user + system, all threads) a process has used, from /proc. */
function cpuMs(pid: number): number {
  // Fields after the command name's closing parenthesis: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

/** A row of the broker alone under load: its req/s and p99, the other columns empty. */
function loadRow(label: string, run: Run, note: string): string[] {
  return [label, '', run.rps.toFixed(0), '', '', `${run.p99} ms`, '', note];
}

export async function loadSection(
  sandbox: SandboxInfo,
): Promise<{ rows: string[][]; figures: LoadFigures }> {
  const apiKey = `nbk_${randomBytes(18).toString('base64url')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'nerm-load-'));
  const heapFile = join(dataDir, 'heap.json');
  const broker = await startBrokerProcess({
    name: 'The load broker',
    env: {
      NODE_ENV: 'development',
      NERM_BROKER_API_KEYS: apiKey,
      NERM_BROKER_DATA_DIR: dataDir,
      BENCH_HEAP_FILE: heapFile,
      NERM_BROKER_ALLOWED_HOSTS: sandbox.url,
      NERM_BROKER_SYNC_INTERVAL: '0',
      NERM_BROKER_LOG_LEVEL: 'info',
      // The baseline has no budget: compare the broker's own cost, not the tenant's ceiling.
      NERM_BROKER_UPSTREAM_RPS: '0',
      NERM_BROKER_UPSTREAM_CONCURRENCY: '512',
      // e.g. `--import` of a module starting node:inspector's Profiler (Node refuses
      // `--cpu-prof` in NODE_OPTIONS) to see where the broker's time goes.
      NODE_OPTIONS: `--import ${HEAP_PROBE} ${process.env.BENCH_BROKER_NODE_OPTIONS ?? ''}`,
    },
  });
  const baseline = spawnNode('bench/src/baseline-server.ts', {
    env: { BASELINE_NERM_URL: sandbox.url, BASELINE_NERM_API_KEY: sandbox.api_key },
  });
  try {
    const { port } = await readJsonLine<{ port: number }>(baseline, { name: 'The baseline' });
    const base = `http://127.0.0.1:${port}`;
    const admin = createAdmin({ brokerUrl: broker.url, apiKey });
    const { link_token } = await admin.linkTokens.create({ tenant_id: 'load' });
    const connected = (await (
      await fetch(`${broker.url}${PATHS.linkConnect}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${link_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          tenant_url: sandbox.url,
          auth: { type: 'api_key', api_key: sandbox.api_key },
        }),
      })
    ).json()) as { public_token: string };
    const { integrated_account_token: token } = await admin.tokens.exchange(connected.public_token);
    const headers = { authorization: `Bearer ${token}` };
    const users = `${broker.url}${PATHS.users}?limit=100`;
    const roles = `${broker.url}${PATHS.roles}?limit=100`;
    // Warm both sides (role index, tenant metadata, connection pools).
    await cannon(users, { headers, duration: 2 });
    await cannon(`${base}/users?limit=100`, { duration: 2 });

    const rows: string[][] = [
      [
        'endpoint',
        'baseline req/s',
        'broker req/s',
        'ratio (goal ≥ 0.8)',
        'baseline p99',
        'broker p99',
        'ratio (goal ≤ 2×)',
        'broker 5xx',
        'NERM requests per answer (baseline / broker)',
        'CPU ms per 1,000 answers (baseline / broker)',
      ],
    ];
    const upstream = async () =>
      ((await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as { api: number }).api;
    const endpoints: LoadFigures['endpoints'] = [];
    for (const [name, brokerUrl, baseUrl] of [
      ['users, limit 100', users, `${base}/users?limit=100`],
      ['roles, limit 100', roles, `${base}/roles?limit=100`],
    ] as const) {
      const beforeBase = await upstream();
      const baseCpu = cpuMs(baseline.pid!);
      const b = await cannon(baseUrl, {});
      const baseCpuUsed = cpuMs(baseline.pid!) - baseCpu;
      const beforeBroker = await upstream();
      const brokerCpu = cpuMs(broker.process.pid!);
      const r = await cannon(brokerUrl, { headers });
      const brokerCpuUsed = cpuMs(broker.process.pid!) - brokerCpu;
      const afterBroker = await upstream();
      const perThousand = (ms: number, run: Run) => (ms * 1000) / Math.max(1, run.total);
      const per = (requests: number, run: Run) => (requests / Math.max(1, run.total)).toFixed(2);
      rows.push([
        name,
        b.rps.toFixed(0),
        r.rps.toFixed(0),
        `${(r.rps / b.rps).toFixed(2)}×`,
        `${b.p99} ms`,
        `${r.p99} ms`,
        `${(r.p99 / Math.max(1, b.p99)).toFixed(2)}×`,
        String(r.fiveXx),
        `${per(beforeBroker - beforeBase, b)} / ${per(afterBroker - beforeBroker, r)}`,
        `${perThousand(baseCpuUsed, b).toFixed(0)} / ${perThousand(brokerCpuUsed, r).toFixed(0)}`,
      ]);
      endpoints.push({
        name: name.split(',')[0]!,
        baseRps: b.rps,
        rps: r.rps,
        baseP99: b.p99,
        p99: r.p99,
        baseCpu: perThousand(baseCpuUsed, b),
        cpu: perThousand(brokerCpuUsed, r),
      });
    }

    // 200 concurrent calls, bounded by count.
    const burst = await cannon(users, {
      headers,
      connections: 200,
      amount: 2000,
      // Queued calls wait their turn; a client gives up after 60 s.
      timeout: 60,
    });
    rows.push(
      loadRow(
        '200 concurrent, 2,000 calls',
        burst,
        `${burst.fiveXx} (non-2xx ${burst.non2xx}, socket errors ${burst.errors}; goal 0 5xx)`,
      ),
    );

    // Soak: steady load, the broker's footprint sampled every 5 s; its heap after a full
    // collection once the warm-up is over and at the end.
    const pid = broker.process.pid!;
    const samples = [footprint(pid)];
    const heap: number[] = [];
    const sampler = setInterval(() => samples.push(footprint(pid)), 5_000);
    const warm = sleep(Math.min(10, SOAK_SECONDS / 2) * 1000).then(async () =>
      heap.push(await heapAfterGc(pid, heapFile)),
    );
    const soak = await cannon(users, { headers, connections: 16, duration: SOAK_SECONDS });
    clearInterval(sampler);
    await warm;
    samples.push(footprint(pid));
    heap.push(await heapAfterGc(pid, heapFile));
    const settled = samples.slice(Math.min(2, samples.length - 1));
    const rss = settled.map((s) => s.rssMb);
    const fds = settled.map((s) => s.fds);
    rows.push(
      loadRow(
        `soak ${SOAK_SECONDS} s, 16 connections`,
        soak,
        `${soak.fiveXx}; RSS ${rss[0]}→${rss.at(-1)} MB (min ${Math.min(...rss)}, max ${Math.max(...rss)}); heap after a full collection ${heap.join('→')} MB; fds ${fds[0]}→${fds.at(-1)} (max ${Math.max(...fds)})`,
      ),
    );
    return {
      rows,
      figures: {
        endpoints,
        burst: { calls: burst.total, fiveXx: burst.fiveXx },
        soak: { seconds: SOAK_SECONDS, rssMb: rss, heapMb: heap, fds },
      },
    };
  } finally {
    await stop(baseline);
    await broker.close();
  }
}
