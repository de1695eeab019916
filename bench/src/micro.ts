/**
 * `pnpm bench` section 2, micro-benchmarks on tinybench (docs/decisions/0091-bench-statistics-on-tinybench.md):
 * account token issue and verify vs raw Ed25519 sign and verify of the same bytes, and
 * the mapping hot path (`profileToUser`) vs a bare reshape of the same 500 NERM profiles.
 * Beside tinybench's wall-clock medians, CPU time per operation from `process.cpuUsage`
 * over a fixed count: steadier than wall time on a loaded machine, and it counts the
 * thread-pool work an asynchronous crypto call hands off.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { Bench, type Statistics } from 'tinybench';
import { TokenService } from '../../packages/broker/src/services/token-service.ts';
import { profileToUser, type NermProfile } from '../../packages/broker/src/nerm/mapping.ts';
import { bareUser } from './bare-reshape.ts';
import { json } from './nerm-direct.ts';
import { ratio, ratioGoal, us, type SectionResult } from './report.ts';

const TIME_MS = Number(process.env.BENCH_MICRO_MS ?? 2000);

/** CPU microseconds (user + system, all threads) per call of `fn`, over `count` calls. */
async function cpuPerCall(count: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(200, count); i++) await fn();
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

async function latencies(tasks: Record<string, () => unknown>) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 300 });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  const stats: Record<string, Statistics> = {};
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`bench task ${task.name}: ${result.state}`);
    stats[task.name] = result.latency;
  }
  return stats;
}

const µs = (s: Statistics) => us(s.p50 * 1000);
const rme = (s: Statistics) => `±${s.rme.toFixed(1)}%`;

export async function microSection(sandbox: {
  url: string;
  api_key: string;
}): Promise<SectionResult> {
  // ---- account tokens ---------------------------------------------------------------
  const key = generateKeyPairSync('ed25519');
  const jwk = { ...key.privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'EdDSA' };
  const tokens = await TokenService.create({
    signingKeys: [jwk],
    issuer: 'bench',
    ttlSeconds: 3600,
    // Every presentation checked afresh; the cached path is measured on its own below.
    verifiedTokensCached: 0,
  });
  const cachedTokens = await TokenService.create({
    signingKeys: [jwk],
    issuer: 'bench',
    ttlSeconds: 3600,
  });
  const account = { id: 'acct-bench', tenant_id: 'tenant', token_generation: 0 };
  const token = (await tokens.issue(account)).token;
  const input = Buffer.from(token.split('.').slice(0, 2).join('.'));
  const signature = sign(null, input, key.privateKey);
  const t = await latencies({
    'raw sign': () => sign(null, input, key.privateKey),
    issue: () => tokens.issue(account),
    'raw verify': () => verify(null, input, key.publicKey, signature),
    verify: () => tokens.verify(token),
    'verify, seen before': () => cachedTokens.verify(token),
  });
  const cpu = {
    rawSign: await cpuPerCall(5000, () => sign(null, input, key.privateKey)),
    issue: await cpuPerCall(5000, () => tokens.issue(account)),
    rawVerify: await cpuPerCall(5000, () => verify(null, input, key.publicKey, signature)),
    verify: await cpuPerCall(5000, () => tokens.verify(token)),
    verifyCached: await cpuPerCall(5000, () => cachedTokens.verify(token)),
  };

  // ---- the mapping hot path -------------------------------------------------------------
  const page = (await json(`${sandbox.url}/api/profiles?limit=500&offset=0`, {
    headers: { authorization: `Bearer ${sandbox.api_key}` },
  })) as { profiles: NermProfile[] };
  const profiles = page.profiles;
  const context = {
    typeName: 'Employee',
    roles: [{ id: 'r1', name: 'Engineering' }],
    mapping: {},
    dateFormatOf: () => undefined,
  };
  const mapAll = () => {
    for (const p of profiles) profileToUser(p, context);
  };
  const bareAll = () => {
    for (const p of profiles) bareUser(p as unknown as Record<string, unknown>);
  };
  const m = await latencies({ 'profileToUser ×500': mapAll, 'bare reshape ×500': bareAll });
  const perThousand = 1000 / profiles.length;
  const cpuMap = (await cpuPerCall(400, mapAll)) * perThousand;
  const cpuBare = (await cpuPerCall(400, bareAll)) * perThousand;

  const issueRatio = t.issue!.p50 / t['raw sign']!.p50;
  const issueCpuRatio = cpu.issue / cpu.rawSign;
  return {
    title: `Micro-benchmarks (tinybench, ${TIME_MS} ms a task after warm-up): account tokens and the mapping hot path`,
    tables: [
      {
        title: 'Account tokens (EdDSA) vs raw Ed25519 on the same signing input',
        rows: [
          ['operation', 'raw (p50, CPU)', 'broker (p50 ±rme, CPU)', 'broker vs raw: p50', 'CPU'],
          [
            'issue',
            `${µs(t['raw sign']!)}, ${us(cpu.rawSign)}`,
            `${µs(t.issue!)} ${rme(t.issue!)}, ${us(cpu.issue)}`,
            ratio(t.issue!.p50, t['raw sign']!.p50),
            ratio(cpu.issue, cpu.rawSign),
          ],
          [
            'verify',
            `${µs(t['raw verify']!)}, ${us(cpu.rawVerify)}`,
            `${µs(t.verify!)} ${rme(t.verify!)}, ${us(cpu.verify)}`,
            ratio(t.verify!.p50, t['raw verify']!.p50),
            ratio(cpu.verify, cpu.rawVerify),
          ],
          [
            'verify, a token seen before (docs/decisions/0084-verified-account-tokens-cached.md)',
            `${µs(t['raw verify']!)}, ${us(cpu.rawVerify)}`,
            `${µs(t['verify, seen before']!)} ${rme(t['verify, seen before']!)}, ${us(cpu.verifyCached)}`,
            ratio(t['verify, seen before']!.p50, t['raw verify']!.p50),
            ratio(cpu.verifyCached, cpu.rawVerify),
          ],
        ],
      },
      {
        title: `Mapping: ${profiles.length} sandbox profiles, per 1,000 users`,
        rows: [
          ['what', 'p50 per 1,000', 'CPU per 1,000', 'vs bare reshape (CPU)'],
          [
            'bare reshape (baseline: fields and status only)',
            us(m['bare reshape ×500']!.p50 * 1000 * perThousand),
            us(cpuBare),
            '1.00×',
          ],
          [
            'profileToUser (fallbacks, dates, emails, roles, type)',
            us(m['profileToUser ×500']!.p50 * 1000 * perThousand),
            us(cpuMap),
            ratio(cpuMap, cpuBare),
          ],
        ],
      },
    ],
    notes: [
      'verify runs jose jwtVerify over the local JWKS (WebCrypto, asynchronous) and the shared claims schema; it has no goal.',
    ],
    goals: [
      ratioGoal(
        'account token issue vs raw Ed25519 sign (p50)',
        issueRatio,
        `raw sign ${µs(t['raw sign']!)}`,
        1.5,
        `CPU ${issueCpuRatio.toFixed(2)}×; was 4.2× (older run) and 1.6–2.0× on jose's WebCrypto SignJWT: now fast-jwt's synchronous signer (ADR 0090)`,
      ),
    ],
  };
}
