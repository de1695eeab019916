import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { startBrokerProcess, type BrokerProcess } from '@nerm-connect/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGate, type Gate } from './gate.ts';
import { LogCapture, POSTGRES_URL } from './helpers.ts';
import { call, connectAcross, dropSchema, processEnv } from './processes.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';
import { activeWorkers, until } from './waiting.ts';

const schema = `replicas_${randomBytes(4).toString('hex')}`;
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

type Replica = BrokerProcess & { name: 'A' | 'B'; logs: LogCapture };

/** What the audit trail says of one sync: who ran it, and when it held the account. */
interface SyncEntry {
  replica: string;
  started: number;
  finished: number;
}

describe.skipIf(!POSTGRES_URL)('two broker processes on one PostgreSQL', () => {
  let sandbox: Sandbox;
  let gate: Gate;
  let receiver: WebhookReceiver;
  let a: Replica;
  let b: Replica;
  const apiKey = `nbk_${randomBytes(20).toString('base64url')}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ persons: 60 });
    gate = await startGate(sandbox.url);
    receiver = await startWebhookReceiver(SECRET);
    const env = {
      ...(await processEnv({
        databaseUrl: `${POSTGRES_URL}?schema=${schema}`,
        apiKey,
        allowedHosts: `${sandbox.url},${gate.url},${receiver.url}`,
      })),
      NERM_BROKER_WEBHOOK_URL: `${receiver.url}/webhooks/nerm-connect`,
      NERM_BROKER_WEBHOOK_SECRET: SECRET,
      // Every account is due every second, on both replicas; a frozen one's leases lapse in 2 s.
      NERM_BROKER_SYNC_INTERVAL: '1',
      // One sync at a time per replica: four accounts due each second are more than one
      // replica holds at once, so the other claims some (with more slots, whichever polls
      // first after the due time may rightly take them all while it keeps up).
      NERM_BROKER_SYNC_CONCURRENCY: '1',
      NERM_BROKER_SYNC_LEASE_SECONDS: '2',
    };
    const start = async (name: 'A' | 'B'): Promise<Replica> => {
      const logs = new LogCapture();
      const replica = await startBrokerProcess({ env, name: `Replica ${name}`, log: logs });
      return Object.assign(replica, { name, logs });
    };
    [a, b] = await Promise.all([start('A'), start('B')]);
  }, 240_000);

  afterAll(async () => {
    for (const r of [a, b]) if (r) await r.kill();
    await receiver?.close();
    await gate?.close();
    await sandbox?.close();
    await dropSchema(schema);
  });

  it('connects through one, serves the token on the other, and a delete through one stops the other at once', async () => {
    const { connected, exchanged } = await connectAcross(sandbox, apiKey, [a.url, b.url, a.url]);
    expect(connected.status).toBe(201);
    expect(exchanged.status).toBe(200);
    const token = exchanged.body.integrated_account_token;
    const onB = await call(b.url, '/unified/user-directory/users?limit=5', token);
    expect(onB.status).toBe(200);
    expect(onB.body.result.length).toBeGreaterThan(0);
    // A cursor issued by one replica pages on the other.
    const next = await call(
      a.url,
      `/unified/user-directory/users?limit=5&next_cursor=${onB.body.next_cursor}`,
      token,
    );
    expect(next.status).toBe(200);

    expect(
      (
        await call(a.url, `/integrated-accounts/${exchanged.body.integrated_account_id}`, apiKey, {
          method: 'DELETE',
        })
      ).status,
    ).toBe(204);
    const refused = await call(b.url, '/unified/user-directory/users?limit=5', token);
    expect(refused.status).toBe(410);
    expect(refused.body.error.code).toBe('account_disconnected');
  });

  // ---- lifecycle events across the two replicas -------------------------------------

  const accounts: string[] = [];
  const admin = (r: Replica, path: string, init: RequestInit & { json?: unknown } = {}) =>
    call(r.url, path, apiKey, init);
  const replicaOf = (owner: string) => {
    const pid = /:(\d+):[0-9a-f]+$/.exec(owner)?.[1];
    return pid === String(a.process.pid) ? 'A' : pid === String(b.process.pid) ? 'B' : owner;
  };

  async function connect(via: Replica, tenantUrl: string, tenant: string): Promise<string> {
    const lt = (await admin(via, '/link-tokens', { method: 'POST', json: { tenant_id: tenant } }))
      .body.link_token;
    const connected = await call(via.url, '/link/connect', lt, {
      method: 'POST',
      json: {
        tenant_url: tenantUrl,
        auth: { type: 'api_key', api_key: sandbox.credentials.apiKey },
      },
    });
    expect(connected.status).toBe(201);
    return connected.body.integrated_account.id;
  }

  async function syncsOf(accountId: string): Promise<SyncEntry[]> {
    const res = await admin(b, `/integrated-accounts/${accountId}/audit?limit=500`);
    expect(res.status).toBe(200);
    return (res.body.result as { action: string; detail: Record<string, string> }[])
      .filter((e) => e.action === 'sync')
      .map(({ detail }) => ({
        replica: replicaOf(detail.replica!),
        started: Date.parse(detail.started_at!),
        finished: Date.parse(detail.finished_at!),
      }))
      .reverse();
  }

  /** No two syncs of one account ever held it at the same time. */
  function expectNoOverlap(syncs: SyncEntry[]): void {
    const sorted = [...syncs].sort((x, y) => x.started - y.started);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i]!.started).toBeGreaterThanOrEqual(sorted[i - 1]!.finished);
  }

  async function userEvents(accountId: string): Promise<{ id: string; key: string }[]> {
    const res = await admin(a, `/events?integrated_account_id=${accountId}&limit=500`);
    expect(res.status).toBe(200);
    return (res.body.result as { id: string; type: string; data: { user?: { id: string } } }[])
      .filter((e) => e.type.startsWith('user.'))
      .map((e) => ({ id: e.id, key: `${e.type} ${e.data.user!.id}` }));
  }

  const persons = () => activeWorkers(sandbox);

  it('spreads the accounts over both schedulers, one sync of an account at a time, each change delivered once', async () => {
    for (let i = 0; i < 4; i++)
      accounts.push(await connect(i % 2 ? a : b, sandbox.url, `replicas-${i}`));
    await until(async () => (await Promise.all(accounts.map(syncsOf))).every((s) => s.length > 0));
    // Each sync now waits 300 ms on NERM: four accounts due each second are more work than
    // one replica's single slot does in a second, so the other must take some. (With less
    // work, whichever replica polls first after the due time rightly takes it all.)
    sandbox.faults.set({ latencyMs: 300 });

    const [gone, leaving, renamed] = persons();
    sandbox.admin.terminate(gone!.id);
    sandbox.admin.setStatus(leaving!.id, 'Inactive');
    sandbox.admin.rename(renamed!.id, 'Renamed Across Replicas');
    const hired = sandbox.admin.hire({
      type: 'Contractor',
      attributes: { first_name: 'Scale', last_name: 'Out', email: 'scale.out@example.com' },
    });
    const expected = [
      `user.created ${hired.id}`,
      `user.deactivated ${gone!.id}`,
      `user.deactivated ${leaving!.id}`,
      `user.updated ${renamed!.id}`,
    ];
    const acked = (account: string) =>
      receiver.acked.filter((e) => e.account === account && e.type.startsWith('user.'));
    await until(() => accounts.every((acc) => acked(acc).length >= expected.length));
    // Two more rounds of every account on both schedulers: a late duplicate would show.
    const before = (await Promise.all(accounts.map(syncsOf))).map((s) => s.length);
    await until(async () =>
      (await Promise.all(accounts.map(syncsOf))).every((s, i) => s.length >= before[i]! + 2),
    );

    const replicas = new Set<string>();
    for (const account of accounts) {
      const events = await userEvents(account);
      expect(events.map((e) => e.key).sort()).toEqual([...expected].sort());
      expect(acked(account).map((e) => e.id)).toEqual(events.map((e) => e.id));
      const syncs = await syncsOf(account);
      expectNoOverlap(syncs);
      for (const s of syncs) replicas.add(s.replica);
    }
    expect([...replicas].sort()).toEqual(['A', 'B']);
    const ids = receiver.arrivals.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(receiver.refused).toBe(0);
    sandbox.faults.set({});
  }, 240_000);

  it('fences a replica frozen mid-sync: the other takes the account over, and the frozen one writes nothing when it wakes', async () => {
    // An account of its own behind the gate, so its sync can be held at a known point.
    const held = await connect(a, gate.url, 'replicas-frozen');
    await until(async () => (await syncsOf(held)).length > 0);
    // Its next sync asks NERM for the changed profiles and waits there; its replica is
    // then frozen (not in a transaction: waiting for NERM), and a person leaves.
    await gate.parkNext((r) => r.path === '/api/profiles');
    const { rows } = await pgQuery(
      `SELECT lease_owner FROM ${schema}.lifecycle_sync WHERE account_id = $1`,
      [held],
    );
    const frozen = replicaOf(String(rows[0]!.lease_owner)) === 'A' ? a : b;
    const other = frozen === a ? b : a;
    frozen.process.kill('SIGSTOP');
    const victim = persons()[0]!;
    try {
      sandbox.admin.terminate(victim.id);
      // The other replica claims the account once the lease lapses and reports the change.
      await until(() => receiver.acked.some((e) => e.account === held && e.user === victim.id));
      // The frozen replica's question is answered while it sleeps.
      gate.releaseParked();
    } finally {
      frozen.process.kill('SIGCONT');
    }
    await until(() =>
      frozen.logs.text.includes(`sync of ${held}: the lease is held by another process`),
    );

    const events = await userEvents(held);
    expect(events.map((e) => e.key)).toEqual([`user.deactivated ${victim.id}`]);
    const syncs = await syncsOf(held);
    expectNoOverlap(syncs);
    const afterBaseline = syncs.slice(1);
    expect(afterBaseline.some((s) => s.replica === other.name)).toBe(true);
    // Every account still reports the termination once, and only once.
    await until(() =>
      accounts.every((acc) =>
        receiver.acked.some((e) => e.account === acc && e.user === victim.id),
      ),
    );
    for (const account of accounts) {
      const keys = (await userEvents(account)).map((e) => e.key);
      expect(keys.filter((k) => k === `user.deactivated ${victim.id}`)).toHaveLength(1);
      expectNoOverlap(await syncsOf(account));
    }
    // At least once, under one id: a delivery cut short by the freeze may come again.
    const arrivals = new Map<string, number>();
    for (const e of receiver.arrivals) arrivals.set(e.id, (arrivals.get(e.id) ?? 0) + 1);
    expect(Math.max(...arrivals.values())).toBeLessThanOrEqual(2);
    expect(receiver.refused).toBe(0);
  }, 240_000);

  async function pgQuery(text: string, values: unknown[]) {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  }
});
