import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { startBrokerProcess, type BrokerProcess } from '@nerm-connect/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGate, type Gate } from './gate.ts';
import { POSTGRES_URL, tempDir } from './helpers.ts';
import { dropSchema, processEnv } from './processes.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';
import { activeWorkers, NO_CHANGES, until } from './waiting.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
/** The broker walks NERM 500 profiles a page: 1,329 profiles make three pages. */
const PAGE = 500;

const STORES = [
  { name: 'sqlite', databaseUrl: () => `sqlite:${join(tempDir(), 'broker.db')}`, schema: null },
  ...(POSTGRES_URL
    ? [
        (() => {
          const schema = `crash_${randomBytes(4).toString('hex')}`;
          return {
            name: 'postgres',
            databaseUrl: () => `${POSTGRES_URL}?schema=${schema}`,
            schema,
          };
        })(),
      ]
    : []),
];

describe.each(STORES)('a broker killed with SIGKILL ($name)', ({ databaseUrl, schema }) => {
  let sandbox: Sandbox;
  let gate: Gate;
  let receiver: WebhookReceiver;
  let broker: BrokerProcess | undefined;
  let env: Record<string, string>;
  const apiKey = `nbk_${randomBytes(20).toString('base64url')}`;

  async function call(
    path: string,
    init: { method?: string; json?: unknown; token?: string } = {},
  ) {
    const res = await fetch(`${broker!.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${init.token ?? apiKey}`,
        ...(init.json ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.json ? { body: JSON.stringify(init.json) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  async function feed(accountId: string) {
    const res = await call(`/events?integrated_account_id=${accountId}&limit=500`);
    expect(res.status).toBe(200);
    return res.body.result as { id: string; type: string; data: { user?: { id: string } } }[];
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ persons: 1200 });
    gate = await startGate(sandbox.url);
    receiver = await startWebhookReceiver(SECRET);
    env = {
      ...(await processEnv({
        databaseUrl: databaseUrl(),
        apiKey,
        allowedHosts: `${gate.url},${receiver.url}`,
      })),
      NERM_BROKER_WEBHOOK_URL: `${receiver.url}/webhooks/nerm-connect`,
      NERM_BROKER_WEBHOOK_SECRET: SECRET,
      NERM_BROKER_SYNC_INTERVAL: '0',
      // A killed process's leases lapse after 2 s; the restarted one then carries on.
      NERM_BROKER_SYNC_LEASE_SECONDS: '2',
    };
    broker = await startBrokerProcess({ env, name: 'The first broker' });
  }, 240_000);

  afterAll(async () => {
    await broker?.kill();
    await receiver?.close();
    await gate?.close();
    await sandbox?.close();
    if (schema && POSTGRES_URL) await dropSchema(schema);
  });

  it('mid-sync and mid-delivery, then restarted, loses no event and duplicates none', async () => {
    const link = await call('/link-tokens', { method: 'POST', json: { tenant_id: 'crash' } });
    const connected = await call('/link/connect', {
      method: 'POST',
      token: link.body.link_token,
      json: {
        tenant_url: gate.url,
        auth: { type: 'api_key', api_key: sandbox.credentials.apiKey },
      },
    });
    expect(connected.status).toBe(201);
    const accountId = connected.body.integrated_account.id as string;
    await until(() => receiver.acked.some((a) => a.type === 'integrated_account.connected'));
    const baseline = await call(`/integrated-accounts/${accountId}/sync`, { method: 'POST' });
    expect(baseline.body).toEqual(NO_CHANGES);

    // Two people terminated on each page of the walk (profiles in id order, 500 a page).
    const byId = [...sandbox.data.profiles].sort((a, b) => (a.id < b.id ? -1 : 1));
    const activeOn = (page: number) =>
      activeWorkers(sandbox, byId.slice(page * PAGE, (page + 1) * PAGE));
    const victims = [0, 1, 2].map((page) =>
      activeOn(page)
        .slice(0, 2)
        .map((p) => p.id),
    );
    expect(victims.flat()).toHaveLength(6);
    for (const id of victims.flat()) sandbox.admin.terminate(id);

    // The kill: page 1's events committed and the first of them on its way to the
    // receiver (held there unanswered), page 2 asked of NERM (held at the gate).
    let profilePages = 0;
    const pageTwo = gate.parkNext((r) => r.path === '/api/profiles' && ++profilePages === 2);
    const delivering = receiver.holdNext((a) => a.type === 'user.deactivated');
    const sync = call(`/integrated-accounts/${accountId}/sync?mode=full`, {
      method: 'POST',
    }).then(
      () => 'answered',
      () => 'cut off',
    );
    const [, inFlight] = await Promise.all([pageTwo, delivering]);
    await broker!.kill('SIGKILL');
    expect(await sync).toBe('cut off');
    gate.dropParked();
    receiver.dropHeld();

    broker = await startBrokerProcess({ env, name: 'The restarted broker' });
    // What the killed process committed: page 1's two terminations, and no more.
    const committed = (await feed(accountId)).filter((e) => e.type.startsWith('user.'));
    expect(committed.map((e) => e.data.user!.id).sort()).toEqual([...victims[0]!].sort());
    expect(committed.map((e) => e.id)).toContain(inFlight.id);

    // The sync again (it waits for the dead process's lease): only what page 1 did not find.
    const rerun = await call(`/integrated-accounts/${accountId}/sync?mode=full`, {
      method: 'POST',
    });
    expect(rerun.body).toEqual({
      created: 0,
      updated: 0,
      deactivated: 4,
      reactivated: 0,
      removed: 0,
    });
    const again = await call(`/integrated-accounts/${accountId}/sync`, { method: 'POST' });
    expect(again.body).toEqual({
      created: 0,
      updated: 0,
      deactivated: 0,
      reactivated: 0,
      removed: 0,
    });

    const events = await feed(accountId);
    expect(events.map((e) => e.type)).toEqual([
      'integrated_account.connected',
      ...Array(6).fill('user.deactivated'),
    ]);
    expect(
      events
        .slice(1)
        .map((e) => e.data.user!.id)
        .sort(),
    ).toEqual(victims.flat().sort());
    await until(() => events.every((e) => receiver.acked.some((a) => a.id === e.id)));

    // At least once, in order: the receiver acted on each event, first arrivals in feed
    // order; the only repeat is the event in flight at the kill, under its own id.
    const firstAcks = [...new Set(receiver.acked.map((a) => a.id))];
    expect(firstAcks).toEqual(events.map((e) => e.id));
    const arrivals = new Map<string, number>();
    for (const a of receiver.arrivals) arrivals.set(a.id, (arrivals.get(a.id) ?? 0) + 1);
    expect([...arrivals].filter(([, n]) => n > 1)).toEqual([[inFlight.id, 2]]);
    expect(receiver.refused).toBe(0);
    const delivered = await feed(accountId);
    expect(
      delivered.map((e) => (e as unknown as { delivery: { status: string } }).delivery.status),
    ).toEqual(Array(7).fill('delivered'));
  }, 240_000);
});
