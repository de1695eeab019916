/**
 * `pnpm bench` section 1: POST /link/connect vs the upstream calls it makes, made
 * directly (api_key: one profile probe; pat: the token exchange, then the probe).
 * Latencies by tinybench; the link token is minted outside the timed window.
 */
import { Bench, type Statistics } from 'tinybench';
import type { SandboxInfo } from '@nerm-connect/test-kit';
import { json } from './nerm-direct.ts';
import { p50p99, ratio, ratioGoal, type SectionResult } from './report.ts';

const ROUNDS = Number(process.env.BENCH_CONNECT_ROUNDS ?? 40);

export async function connectSection(
  sandbox: SandboxInfo,
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
    goals: [
      ratioGoal(
        'POST /link/connect vs its upstream calls made directly (api_key, p50)',
        s['api_key broker']!.p50 / s['api_key direct']!.p50,
        `probe ${p50p99(s['api_key direct']!)}`,
        1.5,
      ),
    ],
  };
}
