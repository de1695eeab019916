/**
 * Three broker processes on one PostgreSQL (and, in the second suite, one Redis): limits
 * and the tenant's budget hold for the fleet, not per process, and a replica killed with
 * SIGKILL in the middle of work loses nothing the others cannot finish.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { readJsonLine, spawnNode, stop } from '@nerm-connect/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, REDIS_URL } from './helpers.ts';
import { type Answer, call, connectAcross, dropSchema, processEnv } from './processes.ts';

const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));

interface Replica {
  url: string;
  child: ChildProcess;
}

async function startReplica(env: Record<string, string>): Promise<Replica> {
  const child = spawnNode(server, {
    env: { ...env, NERM_BROKER_PORT: '0', NERM_BROKER_HOST: '127.0.0.1' },
  });
  const { port } = await readJsonLine<{ port: number }>(child, {
    name: 'A broker replica',
    match: (line) => String(line.msg).includes('broker listening'),
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

const suites = [
  { name: 'counters in PostgreSQL', redis: undefined as string | undefined },
  ...(REDIS_URL ? [{ name: 'counters in Redis', redis: REDIS_URL }] : []),
];

describe.skipIf(!POSTGRES_URL).each(suites)('three broker processes, $name', ({ redis }) => {
  const schema = `three_${randomBytes(4).toString('hex')}`;
  const apiKey = `nbk_${randomBytes(20).toString('base64url')}`;
  let sandbox: Sandbox;
  let replicas: Replica[] = [];
  let token: string;
  const BUDGET = 3;
  const PER_IP = 6;

  beforeAll(async () => {
    sandbox = await startSandbox({ persons: 40 });
    const env = {
      ...(await processEnv({
        databaseUrl: `${POSTGRES_URL}?schema=${schema}`,
        apiKey,
        allowedHosts: sandbox.url,
      })),
      NERM_BROKER_SYNC_INTERVAL: '0',
      // Tests name their client address, so each limit test counts from zero.
      NERM_BROKER_TRUST_PROXY: 'loopback',
      NERM_BROKER_LINK_RATE_LIMIT_PER_IP: String(PER_IP),
      NERM_BROKER_UPSTREAM_CONCURRENCY: String(BUDGET),
      NERM_BROKER_UPSTREAM_MAX_WAIT: '60',
      ...(redis ? { NERM_BROKER_REDIS_URL: redis } : {}),
    };
    replicas = await Promise.all([startReplica(env), startReplica(env), startReplica(env)]);
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    const { connected, exchanged } = await connectAcross(sandbox, apiKey, [a.url, b.url, c.url]);
    expect(connected.status).toBe(201);
    token = exchanged.body.integrated_account_token;
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) await stop(r.child, 'SIGKILL');
    await sandbox?.close();
    await dropSchema(schema);
  });

  it('holds the per-IP link limit for the fleet: the limit passes in all, then 429 on every replica', async () => {
    const ip = `198.51.100.${1 + (randomBytes(1)[0]! % 250)}`;
    const answers: Answer[] = [];
    for (let i = 0; i < PER_IP + 3; i++) {
      const replica = replicas[i % 3]!;
      answers.push(
        await call(replica.url, '/link/session', 'not-a-link-token', {
          headers: { 'x-forwarded-for': ip },
        }),
      );
    }
    const statuses = answers.map((a) => a.status);
    expect(statuses.slice(0, PER_IP)).toEqual(Array(PER_IP).fill(401));
    expect(statuses.slice(PER_IP)).toEqual([429, 429, 429]);
    for (const refused of answers.slice(PER_IP)) {
      expect(refused.body.error.code).toBe('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('x-rate-limit-source')).toBe('broker');
    }
  });

  it("never has more calls in flight at the tenant than the tenant's budget, whichever replicas serve them", async () => {
    sandbox.faults.set({ latencyMs: 100 });
    sandbox.stats.reset();
    try {
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          call(replicas[i % 3]!.url, '/proxy/profiles?limit=1', token),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(24).fill(200));
      expect(sandbox.stats.api).toBe(24);
      expect(sandbox.stats.maxInFlight).toBeLessThanOrEqual(BUDGET);
      expect(sandbox.stats.maxInFlight).toBeGreaterThan(1);
    } finally {
      sandbox.faults.set({});
    }
  });

  it('finishes a walk on another replica when the one serving it is killed mid-page', async () => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    let killed = false;
    sandbox.faults.set({ latencyMs: 150 });
    try {
      for (;;) {
        const alive = replicas.filter(
          (r) => r.child.exitCode === null && r.child.signalCode === null,
        );
        const replica = alive[pages % alive.length]!;
        const path = `/unified/user-directory/users?limit=7${cursor ? `&next_cursor=${cursor}` : ''}`;
        const pending = call(replica.url, path, token).catch(() => undefined);
        if (pages === 2 && !killed) {
          // Killed while the page is in flight at the tenant.
          await new Promise((r) => setTimeout(r, 50));
          replica.child.kill('SIGKILL');
          killed = true;
        }
        const page = await pending;
        if (!page || page.status !== 200) {
          expect(killed).toBe(true);
          continue; // the same cursor, on a replica still alive
        }
        for (const user of page.body.result as { id: string }[]) {
          expect(seen.has(user.id)).toBe(false);
          seen.add(user.id);
        }
        pages++;
        cursor = page.body.next_cursor ?? undefined;
        if (!cursor) break;
      }
    } finally {
      sandbox.faults.set({});
    }
    expect(killed).toBe(true);
    const people = sandbox.data.profiles.filter((p) => !p.archived).length;
    expect(seen.size).toBeGreaterThan(0);
    expect(seen.size).toBeLessThanOrEqual(people);
    // Every user the first replica served is still there once: nothing lost, nothing twice.
    const again = new Set<string>();
    let next: string | undefined;
    const survivor = replicas.find(
      (r) => r.child.exitCode === null && r.child.signalCode === null,
    )!;
    do {
      const page = await call(
        survivor.url,
        `/unified/user-directory/users?limit=100${next ? `&next_cursor=${next}` : ''}`,
        token,
      );
      for (const user of page.body.result as { id: string }[]) again.add(user.id);
      next = page.body.next_cursor ?? undefined;
    } while (next);
    expect([...seen].sort()).toEqual([...again].sort());
  });
});
