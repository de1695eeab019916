/**
 * `pnpm bench` section 9, lifecycle events (docs/lifecycle-events.md): a broker process of
 * its own (SQLite, webhooks to a verifying receiver in this process), against the
 * 10,000-person sandbox and the 100,000-person one. Each figure next to a baseline taken
 * here: the NERM requests a sync needs made directly, and the broker's own idle memory.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyWebhook } from '@nerm-connect/shared';
import { createAdmin, createClient } from '@nerm-connect/shared/client';
import { PATHS } from '@nerm-connect/shared/lite';
import { startBrokerProcess, type SandboxInfo } from '@nerm-connect/test-kit';
import { cappedReconcileGoal } from './goals.ts';
import { directWalk, json, keysetWalk } from './nerm-direct.ts';
import type { Goal } from './report.ts';

const HOOK_CALLS = 50;
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

const median = (v: number[]) => quantile(v, 0.5);
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)] as number;
}
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** Resident memory of a process, and its high-water mark since the last reset (Linux). */
function memory(pid: number): { rssKb: number; peakKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
  return { rssKb: kb('VmRSS'), peakKb: kb('VmHWM') };
}
/** Starts a new high-water mark at the current resident size (`echo 5 > clear_refs`). */
const resetPeak = (pid: number) => writeFileSync(`/proc/${pid}/clear_refs`, '5');

/** A receiver that verifies every delivery and notes when each (person, name) arrived. */
async function startReceiver() {
  const arrived = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const event = verifyWebhook(Buffer.concat(chunks), req.headers, SECRET);
        const user = (event.data as { user?: { id: string; name: string | null } }).user;
        if (user) arrived.set(`${user.id}|${user.name}`, performance.now());
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise((r) => server.close(r));
  return { url, arrived, close };
}

/** Heap cap of the second broker: a 100,000-person reconcile must fit under it. */
const HEAP_CAP_MB = 96;

type Measured = { ms: number; requests: number; peakKb: number };

/** A broker process for this section (SQLite in a fresh folder, webhooks to `receiver`). */
async function lifecycleBroker(allowed: string[], receiver: string, nodeOptions?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'nerm-bench-lifecycle-'));
  const apiKey = `nbk_${randomBytes(18).toString('base64url')}`;
  const broker = await startBrokerProcess({
    env: {
      NODE_ENV: 'development',
      NERM_BROKER_API_KEYS: apiKey,
      NERM_BROKER_DATA_DIR: dir,
      NERM_BROKER_DATABASE_URL: `sqlite:${join(dir, 'broker.db')}`,
      NERM_BROKER_ALLOWED_HOSTS: [...allowed, receiver].join(','),
      NERM_BROKER_WEBHOOK_URL: `${receiver}/webhooks`,
      NERM_BROKER_WEBHOOK_SECRET: SECRET,
      NERM_BROKER_SYNC_INTERVAL: '0',
      NERM_BROKER_LINK_RATE_LIMIT_PER_IP: '100000',
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
  });
  const pid = broker.process.pid!;
  // A sync of 100,000 people takes longer than the SDK's default 30 s per attempt.
  const admin = createAdmin({ brokerUrl: broker.url, apiKey, timeoutMs: 3_600_000 });
  const apiCount = async (tenant: SandboxInfo) =>
    ((await json(`${tenant.url}/__sandbox/stats`)) as { api: number }).api;
  return {
    url: broker.url,
    admin,
    pid,
    close: () => broker.close(),
    /** Connects a tenant by its API key: the account id and a token. */
    connect: async (tenant: SandboxInfo) => {
      const { link_token } = await admin.linkTokens.create({ tenant_id: 'bench-lifecycle' });
      const connected = await json(`${broker.url}${PATHS.linkConnect}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${link_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          tenant_url: tenant.url,
          auth: { type: 'api_key', api_key: tenant.api_key },
        }),
      });
      return admin.tokens.exchange(connected.public_token);
    },
    /** One sync through the API: its time, NERM requests and the broker's peak memory. */
    measured: async (tenant: SandboxInfo, id: string, mode?: 'full'): Promise<Measured> => {
      resetPeak(pid);
      const before = await apiCount(tenant);
      const started = performance.now();
      await admin.accounts.sync(id, mode ? { mode } : {});
      const ms = performance.now() - started;
      return { ms, requests: (await apiCount(tenant)) - before, peakKb: memory(pid).peakKb };
    },
  };
}

export async function lifecycleBench(tenants: {
  sandbox: SandboxInfo;
  big: SandboxInfo;
  persons: number;
  bigPersons: number;
}): Promise<{ tables: { title: string; rows: string[][] }[]; goals: Goal[] }> {
  const { sandbox, big } = tenants;
  const receiver = await startReceiver();
  const broker = await lifecycleBroker([sandbox.url, big.url], receiver.url);
  const { admin, connect, measured, pid } = broker;
  try {
    const idle = memory(pid).rssKb;

    // ---- 10,000 people: baseline, incremental unchanged, full reconcile --------------
    const small = await connect(sandbox);
    const id = small.integrated_account_id;
    const first = await measured(sandbox, id);
    const incremental: Measured[] = [];
    for (let i = 0; i < 5; i++) incremental.push(await measured(sandbox, id));
    const full: Measured[] = [];
    for (let i = 0; i < 3; i++) full.push(await measured(sandbox, id, 'full'));

    const auth = { authorization: `Bearer ${sandbox.api_key}` };
    const since = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const oneRequest: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await json(`${sandbox.url}/api/profiles?limit=500&after_id=0&updated_after=${since}`, {
        headers: auth,
      });
      oneRequest.push(performance.now() - started);
    }
    // What "unchanged" reads: the seed dates many profiles within the last two days.
    const recent = (
      await json(
        `${sandbox.url}/api/profiles?limit=1&after_id=0&updated_after=${since}&metadata=true`,
        { headers: auth },
      )
    )._metadata.total as number;
    const pages: number[] = [];
    let pageRequests = 0;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const [profiles, links] = await Promise.all([
        keysetWalk(sandbox.url, auth.authorization),
        directWalk(sandbox.url, auth.authorization, 'role_profiles'),
      ]);
      pages.push(performance.now() - started);
      pageRequests = profiles.requests + links.requests;
    }
    const n = tenants.persons.toLocaleString('en');
    const syncs = {
      title: `9. Lifecycle syncs, ${n} people (one broker process, SQLite; medians)`,
      rows: [
        ['sync', 'time', 'NERM requests', 'vs baseline', 'broker peak RSS'],
        [
          'one NERM profiles request, direct (baseline for incremental)',
          fmt(median(oneRequest)),
          '1',
          '1.00×',
          '',
        ],
        [
          `incremental, ${n} unchanged people (5 runs; ${recent.toLocaleString('en')} profiles dated within its two-day overlap)`,
          fmt(median(incremental.map((r) => r.ms))),
          String(median(incremental.map((r) => r.requests))),
          x(median(incremental.map((r) => r.ms)), median(oneRequest)),
          mb(Math.max(...incremental.map((r) => r.peakKb))),
        ],
        [
          'the profiles and role_profiles pages a full sync reads, direct (baseline)',
          fmt(median(pages)),
          String(pageRequests),
          '1.00×',
          '',
        ],
        [
          'first sync (silent baseline: walk and store every person)',
          fmt(first.ms),
          String(first.requests),
          x(first.ms, median(pages)),
          mb(first.peakKb),
        ],
        [
          `full reconcile, ${n} people (3 runs)`,
          fmt(median(full.map((r) => r.ms))),
          String(median(full.map((r) => r.requests))),
          x(median(full.map((r) => r.ms)), median(pages)),
          mb(Math.max(...full.map((r) => r.peakKb))),
        ],
      ],
    };

    // ---- a NERM hook call to the delivered webhook --------------------------------
    const client = createClient({ brokerUrl: broker.url, token: small.integrated_account_token });
    const people = (await client.users.list({ limit: HOOK_CALLS, status: 'active' }).toArray())
      .slice(0, HOOK_CALLS)
      .map((u) => u.id);
    const hookPath = new URL((await admin.accounts.get(id)).sync_hook_url!).pathname;
    const hookSamples: number[] = [];
    const directSamples: number[] = [];
    for (const [i, person] of people.entries()) {
      const name = `Hooked ${i} ${randomBytes(3).toString('hex')}`;
      await json(`${sandbox.url}/api/profiles/${person}`, {
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ profile: { name } }),
      });
      const started = performance.now();
      await json(`${broker.url}${hookPath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ profile_id: person }),
      });
      const key = `${person}|${name}`;
      while (!receiver.arrived.has(key)) await new Promise((r) => setTimeout(r, 1));
      hookSamples.push(receiver.arrived.get(key)! - started);
      // The two hops any delivery needs, made directly: read the profile, POST the event.
      const direct = performance.now();
      const profile = await json(`${sandbox.url}/api/profiles/${person}`, { headers: auth });
      await fetch(`${receiver.url}/baseline`, { method: 'POST', body: JSON.stringify(profile) });
      directSamples.push(performance.now() - direct);
    }
    const hooks = {
      title: `9b. NERM hook call → webhook delivered (${hookSamples.length} calls, one profile each)`,
      rows: [
        ['path', 'p50', 'p99', 'p50 vs baseline'],
        [
          'read the profile from NERM + POST to the receiver, direct (baseline)',
          fmt(quantile(directSamples, 0.5)),
          fmt(quantile(directSamples, 0.99)),
          '1.00×',
        ],
        [
          'POST /hooks/nerm/:hook_id {profile_id} → signed webhook received',
          fmt(quantile(hookSamples, 0.5)),
          fmt(quantile(hookSamples, 0.99)),
          x(quantile(hookSamples, 0.5), quantile(directSamples, 0.5)),
        ],
      ],
    };

    // ---- 100,000 people: memory stays bounded ------------------------------------
    const large = await connect(big);
    const bigFirst = await measured(big, large.integrated_account_id);
    const bigFull = await measured(big, large.integrated_account_id, 'full');
    const smallPeak = Math.max(...full.map((r) => r.peakKb));
    const m = tenants.bigPersons.toLocaleString('en');
    const memoryTable = {
      title: `9c. Broker memory (resident, high-water mark during the sync; ${m} vs ${n} people)`,
      rows: [
        ['what', 'time', 'NERM requests', 'peak RSS', 'vs idle broker', `vs ${n}-person reconcile`],
        ['the broker idle, before any sync (baseline)', '', '', mb(idle), '1.00×', ''],
        [
          `full reconcile, ${n} people`,
          fmt(median(full.map((r) => r.ms))),
          String(median(full.map((r) => r.requests))),
          mb(smallPeak),
          x(smallPeak, idle),
          '1.00×',
        ],
        [
          `first sync, ${m} people (walk and store every person)`,
          fmt(bigFirst.ms),
          String(bigFirst.requests),
          mb(bigFirst.peakKb),
          x(bigFirst.peakKb, idle),
          x(bigFirst.peakKb, smallPeak),
        ],
        [
          `full reconcile, ${m} people`,
          fmt(bigFull.ms),
          String(bigFull.requests),
          mb(bigFull.peakKb),
          x(bigFull.peakKb, idle),
          x(bigFull.peakKb, smallPeak),
        ],
      ],
    };
    await broker.close();

    // The same reconcile in a broker whose heap is capped: what it holds stays under it.
    let capOutcome: { peakMb: number } | { failed: string } = { failed: 'not run' };
    const capped = await lifecycleBroker(
      [big.url],
      receiver.url,
      `--max-old-space-size=${HEAP_CAP_MB}`,
    );
    try {
      const account = (await capped.connect(big)).integrated_account_id;
      await capped.measured(big, account);
      const run = await capped.measured(big, account, 'full');
      capOutcome = { peakMb: Math.round(run.peakKb / 1024) };
      memoryTable.rows.push([
        `full reconcile, ${m} people, heap capped at ${HEAP_CAP_MB} MB (--max-old-space-size)`,
        fmt(run.ms),
        String(run.requests),
        mb(run.peakKb),
        x(run.peakKb, idle),
        x(run.peakKb, smallPeak),
      ]);
    } catch (error) {
      capOutcome = { failed: (error as Error).message };
      memoryTable.rows.push([
        `full reconcile, ${m} people, heap capped at ${HEAP_CAP_MB} MB: FAILED (${(error as Error).message})`,
        '',
        '',
        '',
        '',
        '',
      ]);
    } finally {
      await capped.close();
    }
    return {
      tables: [syncs, hooks, memoryTable],
      goals: [cappedReconcileGoal(tenants.bigPersons, HEAP_CAP_MB, capOutcome)],
    };
  } finally {
    await broker.close();
    await receiver.close();
  }
}
