/**
 * `pnpm bench` section 3: the full walk of every user through the broker (SDK iterator,
 * limit 500) vs the same NERM pages fetched directly; again with every NERM request
 * answered after 50 ms (read-ahead should hide the broker); the broker's CPU time per
 * 1,000 users (steadier than wall time here); upstream request counts; the SDK's memory.
 */
import { Bench, type Statistics } from 'tinybench';
import { createClient } from '@nerm-connect/shared/client';
import type { SandboxInfo } from '@nerm-connect/test-kit';
import { directWalk, json } from './nerm-direct.ts';
import { cpuMs, ms, ratio, ratioGoal, type SectionResult } from './report.ts';

const RUNS = Number(process.env.BENCH_WALK_RUNS ?? 5);
const SLOW_MS = 50;

async function medians(tasks: Record<string, () => Promise<unknown>>, runs: number) {
  const bench = new Bench({ iterations: runs, time: 0, warmupIterations: 1, warmupTime: 0 });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  const s: Record<string, Statistics> = {};
  for (const task of bench.tasks) {
    if (task.result.state !== 'completed') throw new Error(`${task.name}: ${task.result.state}`);
    s[task.name] = task.result.latency;
  }
  return s;
}

export async function walkSection(options: {
  sandbox: SandboxInfo;
  brokerUrl: string;
  brokerPid: number;
  token: string;
}): Promise<SectionResult> {
  const { sandbox, brokerUrl, brokerPid, token } = options;
  const client = createClient({ brokerUrl, token });
  const auth = `Bearer ${sandbox.api_key}`;
  let walked = 0;
  const walk = async (include_remote_data = false) => {
    walked = 0;
    for await (const _user of client.users.list({ limit: 500, include_remote_data })) walked++;
  };
  const profilesOnly = () => directWalk(sandbox.url, auth, 'profiles');
  const samePages = () =>
    Promise.all(
      ['profiles', 'role_profiles', 'roles', 'profile_types'].map((r) =>
        directWalk(sandbox.url, auth, r),
      ),
    );
  const counts = {
    profiles: await profilesOnly(),
    roleProfiles: await directWalk(sandbox.url, auth, 'role_profiles'),
  };
  const coldStart = performance.now();
  await walk();
  const cold = performance.now() - coldStart;

  const s = await medians(
    {
      profiles: profilesOnly,
      same: samePages,
      broker: () => walk(),
      remote: () => walk(true),
    },
    RUNS,
  );
  // CPU of the broker process per 1,000 users, over RUNS warm walks.
  const cpuBefore = cpuMs(brokerPid);
  for (let i = 0; i < RUNS; i++) await walk();
  const cpuPerThousand = (cpuMs(brokerPid) - cpuBefore) / RUNS / (walked / 1000);

  const before = await upstreamCount(sandbox);
  await walk();
  const warmRequests = (await upstreamCount(sandbox)) - before;

  // Every NERM request answered after 50 ms: the broker's own time should hide behind it.
  await setLatency(sandbox, SLOW_MS);
  let slow: Record<string, Statistics>;
  try {
    slow = await medians({ profiles: profilesOnly, broker: () => walk() }, Math.min(RUNS, 3));
  } finally {
    await setLatency(sandbox, 0);
  }

  const memory = await clientMemory(client);
  const vsProfiles = s.broker!.p50 / s.profiles!.p50;
  const slowRatio = slow.broker!.p50 / slow.profiles!.p50;
  return {
    title: `Full walk: ${walked.toLocaleString('en')} users, limit 500 (median of ${RUNS}; the broker's cache is warm after its first walk)`,
    tables: [
      {
        rows: [
          ['what', 'time (p50)', 'ratio'],
          ['NERM profile pages, direct (baseline)', ms(s.profiles!.p50), '1.00×'],
          [
            'the same NERM pages the broker reads cold (profiles, role_profiles, roles, types), direct',
            ms(s.same!.p50),
            ratio(s.same!.p50, s.profiles!.p50),
          ],
          [
            'broker walk, SDK iterator, warm',
            ms(s.broker!.p50),
            `${ratio(s.broker!.p50, s.profiles!.p50)} vs profiles; ${ratio(s.broker!.p50, s.same!.p50)} vs same pages`,
          ],
          [
            'broker walk, warm, include_remote_data=true',
            ms(s.remote!.p50),
            `${ratio(s.remote!.p50, s.profiles!.p50)} vs profiles; ${ratio(s.remote!.p50, s.broker!.p50)} vs without`,
          ],
          [
            'broker walk, first (cold: loads roles and memberships)',
            ms(cold),
            ratio(cold, s.same!.p50),
          ],
          [
            `NERM profile pages, direct, ${SLOW_MS} ms per request`,
            ms(slow.profiles!.p50),
            '1.00×',
          ],
          [
            `broker walk, warm, ${SLOW_MS} ms per NERM request`,
            ms(slow.broker!.p50),
            ratio(slow.broker!.p50, slow.profiles!.p50),
          ],
        ],
      },
    ],
    notes: [
      `broker CPU per 1,000 users (warm walk, /proc utime+stime, ${RUNS} walks): ${cpuPerThousand.toFixed(1)} ms`,
      `upstream for one walk: ${counts.profiles.requests} profile pages (${counts.profiles.records.toLocaleString('en')} profiles) + ${counts.roleProfiles.requests} role_profiles pages when cold; sandbox requests during one warm broker walk: ${warmRequests}`,
      memory,
    ],
    goals: [
      ratioGoal(
        'full walk, broker (warm) vs the NERM profile pages direct',
        vsProfiles,
        `direct ${ms(s.profiles!.p50)}`,
        1.2,
        `broker CPU ${cpuPerThousand.toFixed(1)} ms per 1,000 users; where it goes (parse, mapping, serialising, GC, large strings): docs/operations.md and docs/decisions/0093-users-page-cpu.md, 0104, 0105`,
      ),
      ratioGoal(
        `full walk with ${SLOW_MS} ms per NERM request, broker vs direct`,
        slowRatio,
        `direct ${ms(slow.profiles!.p50)}`,
        1.05,
      ),
    ],
  };
}

async function setLatency(sandbox: SandboxInfo, latencyMs: number): Promise<void> {
  await json(`${sandbox.url}/__sandbox/faults`, {
    method: 'PUT',
    body: JSON.stringify(latencyMs ? { latencyMs } : {}),
  });
}

/** The sandbox's own count of `/api` requests served. */
async function upstreamCount(sandbox: SandboxInfo): Promise<number> {
  const res = await fetch(`${sandbox.url}/__sandbox/stats`).catch(() => undefined);
  if (!res?.ok) return Number.NaN;
  return ((await res.json()) as { api: number }).api;
}

/** Live heap every 1,000 users while streaming, vs holding every user (toArray). */
async function clientMemory(client: ReturnType<typeof createClient>): Promise<string> {
  const heap = () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().heapUsed;
  };
  const base = heap();
  let peak = base;
  let n = 0;
  for await (const _user of client.users.list({ limit: 500 })) {
    if (++n % 1000 === 0) peak = Math.max(peak, heap());
  }
  const streamed = peak - base;
  const hold = heap();
  const all = await client.users.list({ limit: 500 }).toArray();
  const held = heap() - hold;
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  void all; // `all` must outlive the measurement above, or the collector would take it.
  return (
    `client memory: iterating ${n.toLocaleString('en')} users peaks at +${mb(streamed)} heap; ` +
    `holding them all (toArray) takes +${mb(held)} (${ratio(streamed, held)}) — it streams`
  );
}
