/**
 * `pnpm bench` section 1: POST /link/connect vs the upstream calls it makes, made
 * directly (api_key: one profile probe; pat: the token exchange, then the probe).
 * Latencies by tinybench; the link token is minted outside the timed window.
 */
import { Bench, type Statistics } from 'tinybench';
import type { SandboxInfo } from '@nerm-connect/test-kit';
import { json } from './nerm-direct.ts';
import { cpuMs, p50p99, ratio, ratioGoal, type SectionResult } from './report.ts';

const ROUNDS = Number(process.env.BENCH_CONNECT_ROUNDS ?? 40);
const CPU_ROUNDS = 200;

export async function connectSection(
  sandbox: SandboxInfo,
  pids: { broker: number; sandbox: number },
  linkToken: () => Promise<string>,
  connect: (auth: Record<string, string>, linkToken: string) => Promise<unknown>,
): Promise<SectionResult> {
  const apiKeyAuth = { type: 'api_key', api_key: sandbox.api_key };
  const patAuth = {
    type: 'pat',
    client_id: sandbox.client_id,
    client_secret: sandbox.client_secret,
    token_url: sandbox.token_url,
  };
  const probe = (authorization: string) =>
    json(`${sandbox.url}/api/profiles?limit=1&exclude_attributes=true`, {
      headers: { authorization },
    });
  const patDirect = async () => {
    const token = await json(sandbox.token_url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sandbox.client_id,
        client_secret: sandbox.client_secret,
      }),
    });
    await probe(`Bearer ${token.access_token}`);
  };
  let minted = '';
  const fresh = { beforeEach: async () => void (minted = await linkToken()) };
  const bench = new Bench({ iterations: ROUNDS, time: 0, warmupIterations: 5, warmupTime: 0 });
  bench
    .add('api_key direct', () => probe(`Bearer ${sandbox.api_key}`))
    .add('api_key broker', () => connect(apiKeyAuth, minted), fresh)
    .add('pat direct', patDirect)
    .add('pat broker', () => connect(patAuth, minted), fresh);
  await bench.run();
  const s: Record<string, Statistics> = {};
  for (const task of bench.tasks) {
    if (task.result.state !== 'completed') throw new Error(`${task.name}: ${task.result.state}`);
    s[task.name] = task.result.latency;
  }
  // CPU per call, steadier than wall time here: the broker's per api_key connect (minus
  // minting its link token) and the sandbox's per direct probe, over CPU_ROUNDS each.
  const cpuOf = async (pid: number, fn: () => Promise<unknown>) => {
    const before = cpuMs(pid);
    for (let i = 0; i < CPU_ROUNDS; i++) await fn();
    return (cpuMs(pid) - before) / CPU_ROUNDS;
  };
  const mintOnly = await cpuOf(pids.broker, linkToken);
  const mintAndConnect = await cpuOf(pids.broker, async () =>
    connect(apiKeyAuth, await linkToken()),
  );
  const brokerCpu = mintAndConnect - mintOnly;
  const sandboxCpu = await cpuOf(pids.sandbox, () => probe(`Bearer ${sandbox.api_key}`));
  const row = (auth: string) => [
    auth,
    p50p99(s[`${auth} direct`]!),
    p50p99(s[`${auth} broker`]!),
    ratio(s[`${auth} broker`]!.p50, s[`${auth} direct`]!.p50),
  ];
  return {
    title: `Connect latency (${ROUNDS} rounds each after 5 warm-up; only POST /link/connect is timed, not the link token)`,
    tables: [
      {
        rows: [
          ['auth', 'upstream alone (p50 / p99)', 'POST /link/connect (p50 / p99)', 'ratio (p50)'],
          row('api_key'),
          row('pat'),
        ],
      },
    ],
    notes: [
      `CPU (/proc, ${CPU_ROUNDS} calls): the broker ${brokerCpu.toFixed(2)} ms per api_key connect (link token minting excluded); the sandbox ${sandboxCpu.toFixed(2)} ms per direct probe`,
    ],
    goals: [
      ratioGoal(
        'POST /link/connect vs its upstream calls made directly (api_key, p50)',
        s['api_key broker']!.p50 / s['api_key direct']!.p50,
        `probe ${p50p99(s['api_key direct']!)}`,
        1.5,
        'where the rest goes: docs/decisions/0092-connect-path-costs.md',
      ),
    ],
  };
}
