/**
 * `pnpm bench`: every number is printed next to a baseline measured in the same run,
 * on the same machine, as a ratio. Timings live here, never in pass/fail tests.
 *
 *  1. Connect latency: POST /link/connect vs the upstream calls it makes, made directly.
 *  2. Account tokens: issue and verify per second vs raw Ed25519 sign and verify.
 *  3. Full walk of 10,000 users through the broker vs the same NERM pages fetched
 *     directly; upstream request counts; peak memory of the SDK iterating every user.
 *  4. The widget bundle: gzip size vs the budget, and vs Lit alone.
 *  5. Store lookups on SQLite vs the same SELECT on a raw prepared statement.
 *  6. Roles at scale: 100,000 people at 300 ms per NERM request.
 *  7. Load and soak: unified users and roles vs a bare Express fetch-and-reshape baseline.
 *  8. The fleet: 2,000 accounts synced every 60 s by three replicas on one PostgreSQL.
 *  9. Lifecycle events: incremental and full syncs of 10,000 people vs the NERM requests
 *     they need made directly; a NERM hook call to the delivered webhook (p50/p99) vs the
 *     two direct hops; the broker's peak memory at 100,000 people vs idle and vs 10,000.
 *
 * `pnpm bench --only 6,7` runs the named sections alone (docs/operations.md).
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { build as viteBuild, type Rollup } from 'vite';
import { createAdmin, createClient } from '@nerm-connect/shared/client';
import { BIG_PERSONS, rolesAtScale } from './roles-at-scale.ts';
import { PATHS } from '@nerm-connect/shared/lite';
import { startSandboxProcess, startStack } from '@nerm-connect/test-kit';
// @ts-expect-error -- a plain .mjs module shared with the widget's build
import { bundleConfig } from '../../packages/widget/scripts/vite-configs.mjs';
import { lifecycleBench } from './lifecycle.ts';
import { directWalk, json } from './nerm-direct.ts';
import { scaleSections } from './scale.ts';
import { storeLookups } from './store-lookups.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const PERSONS = Number(process.env.BENCH_PERSONS ?? 10_000);
const { only } = parseArgs({
  options: { only: { type: 'string' } },
  allowPositionals: true,
}).values;
const selected = only === undefined ? undefined : new Set(only.split(',').map(Number));
if (selected && [...selected].some((n) => !(n >= 1 && n <= 9))) {
  throw new Error(`--only takes section numbers 1 to 9, comma-separated; got "${only}"`);
}
/** Whether section `n` runs (all of them without `--only`). */
const wanted = (n: number) => !selected || selected.has(n);

// ---- helpers ----------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] as number;
}

const ms = (n: number) => `${n.toFixed(2)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function table(title: string, rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  console.log(`\n${title}`);
  for (const [i, row] of rows.entries()) {
    console.log(`  ${row.map((cell, j) => cell.padEnd(widths[j]!)).join('   ')}`);
    if (i === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('   ')}`);
  }
}

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

// ---- start the stack --------------------------------------------------------------

console.log(
  `nerm-connect benchmarks — Node ${process.version}, ${PERSONS.toLocaleString('en')} sandbox people`,
);
// A second, big tenant for sections 6 and 9 (every answer slowed to 300 ms there in 6).
const bigSandbox =
  wanted(6) || wanted(9) ? await startSandboxProcess({ persons: BIG_PERSONS }) : undefined;
const big = bigSandbox?.sandbox;
const stack = await startStack({
  sandbox: { persons: PERSONS },
  // One benchmark client connects far more often than any person would.
  broker: {
    env: (sandbox) => ({
      NERM_BROKER_ALLOWED_HOSTS: [sandbox.url, big?.url].filter(Boolean).join(','),
      NERM_BROKER_LINK_RATE_LIMIT_PER_IP: '100000',
    }),
  },
});
const { sandbox, brokerUrl, apiKey } = stack;
const admin = createAdmin({ brokerUrl, apiKey });

async function connect(
  auth: Record<string, string>,
  linkToken?: string,
  tenantUrl: string = sandbox.url,
): Promise<{ public_token: string }> {
  const link_token =
    linkToken ?? (await admin.linkTokens.create({ tenant_id: 'bench' })).link_token;
  return json(`${brokerUrl}${PATHS.linkConnect}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${link_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tenant_url: tenantUrl, auth }),
  });
}

const apiKeyAuth = { type: 'api_key', api_key: sandbox.api_key };
try {
  // ---- 1. connect latency ---------------------------------------------------------
  if (wanted(1)) {
    const ROUNDS = 40;
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
    for (let i = 0; i < 5; i++) {
      await connect(apiKeyAuth);
      await probe(`Bearer ${sandbox.api_key}`);
    }
    const samples = {
      keyBroker: [] as number[],
      keyDirect: [] as number[],
      patBroker: [] as number[],
      patDirect: [] as number[],
    };
    const linkToken = async () =>
      (await admin.linkTokens.create({ tenant_id: 'bench' })).link_token;
    for (let i = 0; i < ROUNDS; i++) {
      samples.keyDirect.push(await time(() => probe(`Bearer ${sandbox.api_key}`)));
      const lt1 = await linkToken();
      samples.keyBroker.push(await time(() => connect(apiKeyAuth, lt1)));
      samples.patDirect.push(await time(patDirect));
      const lt2 = await linkToken();
      samples.patBroker.push(await time(() => connect(patAuth, lt2)));
    }
    table(
      `1. Connect latency (${ROUNDS} rounds; only POST /link/connect is timed, not the link token)`,
      [
        [
          'auth',
          'upstream alone (median / p95)',
          'POST /link/connect (median / p95)',
          'ratio (median)',
        ],
        [
          'api_key',
          `${ms(median(samples.keyDirect))} / ${ms(p95(samples.keyDirect))}`,
          `${ms(median(samples.keyBroker))} / ${ms(p95(samples.keyBroker))}`,
          ratio(median(samples.keyBroker), median(samples.keyDirect)),
        ],
        [
          'pat',
          `${ms(median(samples.patDirect))} / ${ms(p95(samples.patDirect))}`,
          `${ms(median(samples.patBroker))} / ${ms(p95(samples.patBroker))}`,
          ratio(median(samples.patBroker), median(samples.patDirect)),
        ],
      ],
    );
  }
  // ---- 2. account tokens ----------------------------------------------------------
  if (wanted(2)) {
    const { TokenService } = await import('../../packages/broker/src/services/token-service.ts');
    const key = generateKeyPairSync('ed25519');
    const jwk = { ...key.privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'EdDSA' };
    const jwt = await TokenService.create({
      signingKeys: [jwk],
      issuer: 'bench',
      ttlSeconds: 3600,
    });
    const N = 5_000;
    const issued: string[] = [];
    const issueMs = await time(async () => {
      for (let i = 0; i < N; i++)
        issued.push(
          (await jwt.issue({ id: `acct-${i}`, tenant_id: 'tenant', token_generation: 0 })).token,
        );
    });
    const verifyMs = await time(async () => {
      for (const token of issued) await jwt.verify(token);
    });
    const payload = Buffer.from(issued[0]!.split('.').slice(0, 2).join('.'));
    const signatures: Buffer[] = [];
    const rawSignMs = await time(async () => {
      for (let i = 0; i < N; i++) signatures.push(sign(null, payload, key.privateKey));
    });
    const rawVerifyMs = await time(async () => {
      for (const s of signatures) verify(null, payload, key.publicKey, s);
    });
    const perSecond = (count: number, elapsed: number) => Math.round((count / elapsed) * 1000);
    table(`2. integrated_account_tokens (${N.toLocaleString('en')} each, EdDSA)`, [
      ['operation', 'raw Ed25519 (per s)', 'broker (per s)', 'broker cost vs raw'],
      [
        'issue',
        perSecond(N, rawSignMs).toLocaleString('en'),
        perSecond(N, issueMs).toLocaleString('en'),
        ratio(issueMs, rawSignMs),
      ],
      [
        'verify',
        perSecond(N, rawVerifyMs).toLocaleString('en'),
        perSecond(N, verifyMs).toLocaleString('en'),
        ratio(verifyMs, rawVerifyMs),
      ],
    ]);
  }
  // ---- 3. the full walk -----------------------------------------------------------
  if (wanted(3)) {
    const connected = await connect(apiKeyAuth);
    const { integrated_account_token: token } = await admin.tokens.exchange(connected.public_token);
    const client = createClient({ brokerUrl, token });
    const auth = `Bearer ${sandbox.api_key}`;

    let walked = 0;
    const walk = async (include_remote_data = false) => {
      walked = 0;
      for await (const _user of client.users.list({ limit: 500, include_remote_data })) walked++;
    };
    const walkWithRemoteData = () => walk(true);
    const profilesOnly = () => directWalk(sandbox.url, auth, 'profiles');
    const samePages = async () => {
      await Promise.all([
        directWalk(sandbox.url, auth, 'profiles'),
        directWalk(sandbox.url, auth, 'role_profiles'),
        directWalk(sandbox.url, auth, 'roles'),
        directWalk(sandbox.url, auth, 'profile_types'),
      ]);
    };
    const counts = {
      profiles: await profilesOnly(),
      roleProfiles: await directWalk(sandbox.url, auth, 'role_profiles'),
    };
    const cold = await time(() => walk());
    const RUNS = 5;
    const runs = {
      broker: [] as number[],
      remote: [] as number[],
      profiles: [] as number[],
      same: [] as number[],
    };
    for (let i = 0; i < RUNS; i++) {
      runs.profiles.push(await time(profilesOnly));
      runs.same.push(await time(samePages));
      runs.broker.push(await time(() => walk()));
      runs.remote.push(await time(walkWithRemoteData));
    }
    table(
      `3. Full walk: ${walked.toLocaleString('en')} users, limit 500 (median of ${RUNS}; the broker's cache is warm after its first walk)`,
      [
        ['what', 'time', 'ratio'],
        ['NERM profile pages, direct (baseline)', ms(median(runs.profiles)), '1.00×'],
        [
          'the same NERM pages the broker reads (profiles, role_profiles, roles, types), direct',
          ms(median(runs.same)),
          ratio(median(runs.same), median(runs.profiles)),
        ],
        [
          'broker walk, SDK iterator, warm',
          ms(median(runs.broker)),
          `${ratio(median(runs.broker), median(runs.profiles))} vs profiles; ${ratio(median(runs.broker), median(runs.same))} vs same pages`,
        ],
        [
          'broker walk, warm, include_remote_data=true (each raw profile too)',
          ms(median(runs.remote)),
          `${ratio(median(runs.remote), median(runs.profiles))} vs profiles; ${ratio(median(runs.remote), median(runs.broker))} vs without`,
        ],
        [
          'broker walk, first (cold: loads roles and memberships)',
          ms(cold),
          ratio(cold, median(runs.same)),
        ],
      ],
    );
    console.log(
      `  upstream for one walk: ${counts.profiles.requests} profile pages (${counts.profiles.records.toLocaleString('en')} profiles, ` +
        `${walked.toLocaleString('en')} of them people) + ${counts.roleProfiles.requests} role_profiles pages when cold; ` +
        `target ≤ 1.5× on loopback`,
    );

    // Upstream requests the broker actually made for one warm walk, counted by the sandbox.
    const before = await upstreamCount();
    await walk();
    const after = await upstreamCount();
    console.log(
      `  sandbox requests during one warm broker walk: ${after - before} (direct profile pages: ${counts.profiles.requests})`,
    );

    // Peak memory of the client: streaming versus holding every user.
    const heap = () => {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage().heapUsed;
    };
    // Live heap (after a collection) every 1,000 users: what the iterator really holds.
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
    console.log(
      `  client memory: iterating ${n.toLocaleString('en')} users peaks at +${mb(streamed)} heap; ` +
        `holding them all (toArray) takes +${mb(held)} (${ratio(streamed, held)}) — it streams`,
    );
    void all; // `all` must outlive the measurement above, or the collector would take it.
  }
  // ---- 4. the widget bundle -------------------------------------------------------
  if (wanted(4)) {
    const widgetDir = join(repo, 'packages/widget');
    // The same Vite build as dist/nerm-connect.js (packages/widget/scripts/vite-configs.mjs).
    const [bundle] = (await viteBuild(bundleConfig({ write: false }))) as Rollup.RollupOutput[];
    const outputs = bundle!.output
      .filter((o): o is Rollup.OutputChunk => o.type === 'chunk')
      .map((o) => ({ path: o.fileName, contents: Buffer.from(o.code) }));
    const main = outputs.find((f) => f.path === 'nerm-connect.js')!;
    const litOnly = await build({
      stdin: {
        contents:
          "import { LitElement, html, css } from 'lit'; customElements.define('x-lit', class extends LitElement { static styles = css``; render() { return html``; } });",
        resolveDir: widgetDir,
      },
      bundle: true,
      minify: true,
      format: 'esm',
      write: false,
      target: 'es2022',
    });
    const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;
    const kib = (b: number) => `${(b / 1024).toFixed(2)} KiB`;
    const locales = outputs.filter((f) => f.path.startsWith('chunks/'));
    table('4. Widget bundle, dist/nerm-connect.js (gzip -9)', [
      ['file', 'minified', 'gzip', 'vs budget 14 KiB', 'vs goal 10 KiB', 'vs Lit alone'],
      [
        'nerm-connect.js (Lit included, English)',
        kib(main.contents.length),
        kib(gz(main.contents)),
        ratio(gz(main.contents), 14 * 1024),
        ratio(gz(main.contents), 10 * 1024),
        ratio(gz(main.contents), gz(litOnly.outputFiles[0]!.contents)),
      ],
      [
        'Lit alone (baseline)',
        kib(litOnly.outputFiles[0]!.contents.length),
        kib(gz(litOnly.outputFiles[0]!.contents)),
        '',
        '',
        '1.00×',
      ],
      ...locales.map((f) => [
        `  on demand: ${f.path.split('/').pop()}`,
        kib(f.contents.length),
        kib(gz(f.contents)),
        '',
        '',
        '',
      ]),
    ]);
  }
  if (wanted(5)) {
    table('5. Store lookups, SQLite (20,000 each, one at a time)', await storeLookups());
  }
  // ---- 6. roles at scale ----------------------------------------------------------
  if (big && wanted(6)) {
    const scale = await rolesAtScale({
      big,
      brokerUrl,
      connect: async () => {
        const done = await connect({ type: 'api_key', api_key: big.api_key }, undefined, big.url);
        return (await admin.tokens.exchange(done.public_token)).integrated_account_token;
      },
    });
    table(
      `6. ${BIG_PERSONS.toLocaleString('en')} people, every NERM request answered after 300 ms`,
      scale,
    );
  }
  // ---- 7, 8. load, soak and the fleet ----------------------------------------------
  if (wanted(7) || wanted(8)) await scaleSections(sandbox, table, wanted);
  // ---- 9. lifecycle events --------------------------------------------------------
  if (big && wanted(9)) {
    for (const section of await lifecycleBench({
      sandbox,
      big,
      persons: PERSONS,
      bigPersons: BIG_PERSONS,
    }))
      table(section.title, section.rows);
  }
} finally {
  await stack.close();
  await bigSandbox?.close();
}

/** The sandbox's own count of `/api` requests served. */
async function upstreamCount(): Promise<number> {
  const res = await fetch(`${sandbox.url}/__sandbox/stats`).catch(() => undefined);
  if (!res?.ok) return Number.NaN;
  return ((await res.json()) as { api: number }).api;
}
