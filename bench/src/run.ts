/**
 * `pnpm bench [section…]`: every number is printed next to a baseline measured in the
 * same run, on the same machine, as a ratio, and recorded in bench/results.md (merged:
 * only the sections that ran are replaced). Timings live here, never in pass/fail tests.
 * `pnpm bench --only 1,2,3` (or `pnpm bench 1 2 3`) runs those sections alone.
 *
 *  1. Connect latency: POST /link/connect vs the upstream calls it makes, made directly.
 *  2. Micro-benchmarks: account token issue and verify vs raw Ed25519 sign and verify;
 *     the mapping hot path vs a bare reshape (tinybench, and CPU time per operation).
 *  3. Full walk of 10,000 users through the broker vs the same NERM pages fetched
 *     directly, also at 50 ms per NERM request; broker CPU per 1,000 users; upstream
 *     request counts; peak memory of the SDK iterating every user.
 *  4. The widget bundle: gzip size vs the budget, the goal, and Lit alone.
 *  5. Store lookups on SQLite vs the same SELECT on a raw prepared statement.
 *  6. Roles at scale: 100,000 people at 300 ms per NERM request.
 *  7. Load and soak: unified users and roles vs a bare Express fetch-and-reshape baseline.
 *  8. The fleet: 2,000 accounts synced every 60 s by three replicas on one PostgreSQL.
 *  9. Lifecycle events: incremental and full syncs of 10,000 people vs the NERM requests
 *     they need made directly; a NERM hook call to the delivered webhook (p50/p99) vs the
 *     two direct hops; the broker's peak memory at 100,000 people vs idle and vs 10,000.
 */
import { parseArgs } from 'node:util';
import { createAdmin } from '@nerm-connect/shared/client';
import { PATHS } from '@nerm-connect/shared/lite';
import {
  startSandboxProcess,
  startStack,
  type SandboxInfo,
  type Stack,
} from '@nerm-connect/test-kit';
import { connectSection } from './connect.ts';
import { lifecycleBench } from './lifecycle.ts';
import { microSection } from './micro.ts';
import { json } from './nerm-direct.ts';
import { recordSection, writeResults, type SectionResult } from './report.ts';
import { BIG_PERSONS, rolesAtScale } from './roles-at-scale.ts';
import { fleetResult, loadResult } from './scale.ts';
import { storeLookups } from './store-lookups.ts';
import { walkSection } from './walk.ts';
import { widgetSection } from './widget-bundle.ts';

const PERSONS = Number(process.env.BENCH_PERSONS ?? 10_000);
const ALL = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
// `pnpm bench --only 1,3` (or `pnpm bench 1 3`, or BENCH_SECTIONS=1,3): those sections alone.
const args = parseArgs({ options: { only: { type: 'string' } }, allowPositionals: true });
const asked = [args.values.only ?? '', ...args.positionals, process.env.BENCH_SECTIONS ?? '']
  .flatMap((s) => s.split(','))
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = asked.filter((s) => !ALL.includes(s));
if (unknown.length) {
  console.error(`pnpm bench: no section ${unknown.join(', ')} (sections: ${ALL.join(' ')})`);
  process.exit(2);
}
const selected = asked.length ? ALL.filter((s) => asked.includes(s)) : ALL;
const needsBig = selected.some((s) => s === '6' || s === '9');
const needsStack = selected.some((s) => !['4', '5', '8'].includes(s));

console.log(
  `nerm-connect benchmarks — Node ${process.version}, ${PERSONS.toLocaleString('en')} sandbox people, sections ${selected.join(' ')}`,
);

// A second, big tenant for sections 6 and 9 (every answer slowed to 300 ms in 6).
const bigSandbox = needsBig ? await startSandboxProcess({ persons: BIG_PERSONS }) : undefined;
const big = bigSandbox?.sandbox;
let stack: Stack | undefined;
try {
  stack = needsStack
    ? await startStack({
        sandbox: { persons: PERSONS },
        // One benchmark client connects far more often than any person would. No lifecycle
        // syncs: each connect would start a sync of every person in the background, and
        // dozens of them took the 2 cores from the figures measured (connect p50 went from
        // ~3 ms to 364 ms); section 9 measures syncs with a broker of its own.
        broker: {
          env: (sandbox) => ({
            NERM_BROKER_ALLOWED_HOSTS: big ? `${sandbox.url},${big.url}` : sandbox.url,
            NERM_BROKER_LINK_RATE_LIMIT_PER_IP: '100000',
            NERM_BROKER_SYNC_INTERVAL: '0',
          }),
        },
      })
    : undefined;
  const ran = [];
  for (const id of selected) ran.push(await recordSection(id, () => section(id, stack, big)));
  writeResults(ran);
  console.log(`\nbench/results.md: sections ${selected.join(', ')} replaced`);
} finally {
  await stack?.close();
  await bigSandbox?.close();
}

async function section(
  id: string,
  stack: Stack | undefined,
  big: SandboxInfo | undefined,
): Promise<SectionResult> {
  if (id === '4') return widgetSection();
  if (id === '5')
    return {
      title: 'Store lookups, SQLite (20,000 each, one at a time)',
      tables: [{ rows: await storeLookups() }],
    };
  if (id === '8') return fleetResult();
  const { sandbox, brokerUrl, apiKey } = stack!;
  const admin = createAdmin({ brokerUrl, apiKey });
  const linkToken = async () => (await admin.linkTokens.create({ tenant_id: 'bench' })).link_token;
  const connect = async (
    auth: Record<string, string>,
    link_token?: string,
    tenantUrl: string = sandbox.url,
  ): Promise<{ public_token: string }> =>
    json(`${brokerUrl}${PATHS.linkConnect}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${link_token ?? (await linkToken())}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ tenant_url: tenantUrl, auth }),
    });
  const accountToken = async (tenant: SandboxInfo) => {
    const done = await connect({ type: 'api_key', api_key: tenant.api_key }, undefined, tenant.url);
    return (await admin.tokens.exchange(done.public_token)).integrated_account_token;
  };
  switch (id) {
    case '1':
      return connectSection(sandbox, stack!.pids, linkToken, connect);
    case '2':
      return microSection(sandbox);
    case '3':
      return walkSection({
        sandbox,
        brokerUrl,
        brokerPid: stack!.pids.broker,
        token: await accountToken(sandbox),
      });
    case '6':
      return {
        title: `${BIG_PERSONS.toLocaleString('en')} people, every NERM request answered after 300 ms`,
        ...(await rolesAtScale({ big: big!, brokerUrl, connect: () => accountToken(big!) })),
      };
    case '7':
      return loadResult(sandbox);
    default: {
      const { tables, goals } = await lifecycleBench({
        sandbox,
        big: big!,
        persons: PERSONS,
        bigPersons: BIG_PERSONS,
      });
      return { title: 'Lifecycle events', tables, goals };
    }
  }
}
