/**
 * The store and the shared counters going away under a running broker process: the
 * broker answers 503 `service_unavailable` (never a 500, never a hang), stays up, and
 * serves again once they are back, without a restart (docs/operations.md, "Faults").
 * PostgreSQL and Redis are the machine's shared servers, so the outage is a TCP door in
 * front of them that the test closes, holds or cuts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  startBrokerProcess,
  startTcpDoor,
  type BrokerProcess,
  type TcpDoor,
} from '@nerm-connect/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCapture, POSTGRES_URL, REDIS_URL, tempDir } from './helpers.ts';
import { dropSchema, processEnv } from './processes.ts';

/** A guard, not a timing: an answer that takes longer than this is a hang. */
const HANG_MS = 20_000;
const apiKey = `nbk_${randomBytes(20).toString('base64url')}`;

const baseEnv = (databaseUrl: string) =>
  processEnv({ databaseUrl, apiKey, allowedHosts: 'https://tenant.example.com' });

async function call(
  broker: BrokerProcess,
  path: string,
  init: { method?: string; json?: unknown; token?: string } = {},
) {
  const res = await fetch(`${broker.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${init.token ?? apiKey}`,
      ...(init.json ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.json ? { body: JSON.stringify(init.json) } : {}),
    signal: AbortSignal.timeout(HANG_MS),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** A store write (a link token) and a store read (the account list), both answered. */
async function served(broker: BrokerProcess): Promise<number[]> {
  const link = await call(broker, '/link-tokens', { method: 'POST', json: { tenant_id: 't' } });
  const list = await call(broker, '/integrated-accounts');
  return [link.status, list.status];
}

/**
 * After `cut` connections were killed: each answer is the success or a 503 (a request that
 * drew a connection whose end had not reached the pool yet), never a 500 or a hang, and at
 * most one 503 per killed connection before the broker serves again: pg hands a server's
 * FATAL (57P01, pg_terminate_backend) to the query in flight and marks the client dead only
 * when the socket closes, so the store releases a client whose query met a cut as broken
 * and the pool ends it at once (postgres-lost-connection.integration.test.ts counts that
 * turn by turn). A pool that kept a dead connection would fail this bound.
 */
async function servesAgain(broker: BrokerProcess, cut: number): Promise<void> {
  let failures = 0;
  const rounds: unknown[] = [];
  for (;;) {
    const link = await call(broker, '/link-tokens', { method: 'POST', json: { tenant_id: 't' } });
    const list = await call(broker, '/integrated-accounts');
    expect([201, 503]).toContain(link.status);
    expect([200, 503]).toContain(list.status);
    if (link.status === 201 && list.status === 200) return;
    for (const answer of [link, list]) if (answer.status === 503) expectUnavailable(answer);
    failures += [link, list].filter((a) => a.status === 503).length;
    rounds.push([cut, link.status, list.status, link.body, list.body]);
    expect(failures, JSON.stringify(rounds)).toBeLessThanOrEqual(cut);
  }
}

/** `GET /readyz` out (503) while `GET /healthz`, liveness, still answers 200. */
async function expectNotReady(broker: BrokerProcess): Promise<void> {
  expectUnavailable(await call(broker, '/readyz'));
  expect((await call(broker, '/healthz')).body).toEqual({ status: 'ok' });
}

function expectUnavailable(answer: { status: number; headers: Headers; body: any }) {
  expect(answer.status).toBe(503);
  expect(answer.body.error.code).toBe('service_unavailable');
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

describe.skipIf(!POSTGRES_URL)('PostgreSQL unavailable under a serving broker', () => {
  const schema = `outage_${randomBytes(4).toString('hex')}`;
  let door: TcpDoor;
  let broker: BrokerProcess;
  const logs = new LogCapture();

  beforeAll(async () => {
    const target = new URL(POSTGRES_URL!);
    door = await startTcpDoor({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(POSTGRES_URL!);
    url.port = String(door.port);
    broker = await startBrokerProcess({
      env: await baseEnv(`${url.toString()}?schema=${schema}`),
      log: logs,
      name: 'The broker behind the door',
    });
  }, 240_000);

  afterAll(async () => {
    await broker?.kill();
    await door?.close();
    await dropSchema(schema);
  });

  it('survives its connections being killed (door cut, pg_terminate_backend) and keeps serving', async () => {
    expect(await served(broker)).toEqual([201, 200]);
    let cut = door.upstreamPorts().length;
    expect(cut).toBeGreaterThan(0);
    door.killConnections();
    await servesAgain(broker, cut);

    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      const ports = door.upstreamPorts();
      cut = ports.length;
      expect(cut).toBeGreaterThan(0);
      const killed = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = ANY($1)',
        [ports],
      );
      expect(killed.rowCount).toBe(ports.length);
    } finally {
      await admin.end();
    }
    await servesAgain(broker, cut);
    expect(await served(broker)).toEqual([201, 200]);
    expect(broker.process.exitCode).toBeNull();
  });

  it('answers 503 service_unavailable while the server refuses or ignores connections, then serves again without a restart', async () => {
    const pid = broker.process.pid;
    expect((await call(broker, '/readyz')).body).toEqual({ status: 'ok' });
    await door.close(); // refused
    expectUnavailable(
      await call(broker, '/link-tokens', { method: 'POST', json: { tenant_id: 't' } }),
    );
    expectUnavailable(await call(broker, '/integrated-accounts'));
    await expectNotReady(broker);
    await door.hold(); // accepted, never answered: the connect timeout ends the wait
    expectUnavailable(await call(broker, '/integrated-accounts'));
    await expectNotReady(broker);
    await door.open();
    expect(await served(broker)).toEqual([201, 200]);
    expect((await call(broker, '/readyz')).status).toBe(200);
    expect(broker.process.pid).toBe(pid);
    expect(broker.process.exitCode).toBeNull();
    expect(logs.text).not.toMatch(/"code":"internal"/);
  }, 60_000);

  it('answers 503 when the shared counter table is unavailable, and counts again once it is back', async () => {
    const link = await call(broker, '/link-tokens', { method: 'POST', json: { tenant_id: 't' } });
    const token = link.body.link_token as string;
    expect((await call(broker, '/link/session', { token })).status).toBe(200);
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER TABLE ${schema}.rate_limits RENAME TO rate_limits_away`);
      expectUnavailable(await call(broker, '/link/session', { token }));
      await expectNotReady(broker);
      await admin.query(`ALTER TABLE ${schema}.rate_limits_away RENAME TO rate_limits`);
    } finally {
      await admin.end();
    }
    expect((await call(broker, '/link/session', { token })).status).toBe(200);
    expect((await call(broker, '/readyz')).status).toBe(200);
  });
});

describe.skipIf(!REDIS_URL)('Redis unavailable under a serving broker (shared counters)', () => {
  let door: TcpDoor;
  let broker: BrokerProcess;

  beforeAll(async () => {
    const target = new URL(REDIS_URL!);
    door = await startTcpDoor({ host: target.hostname, port: Number(target.port || 6379) });
    const redis = new URL(REDIS_URL!);
    redis.port = String(door.port);
    broker = await startBrokerProcess({
      env: {
        ...(await baseEnv(`sqlite:${tempDir()}/broker.db`)),
        NERM_BROKER_REDIS_URL: redis.toString(),
      },
      name: 'The broker on Redis counters',
    });
  }, 240_000);

  afterAll(async () => {
    await broker?.kill();
    await door?.close();
  });

  it('answers 503 service_unavailable while Redis is down, then counts again without a restart', async () => {
    const link = await call(broker, '/link-tokens', { method: 'POST', json: { tenant_id: 't' } });
    const token = link.body.link_token as string;
    expect((await call(broker, '/link/session', { token })).status).toBe(200);
    expect((await call(broker, '/readyz')).status).toBe(200);
    await door.close();
    expectUnavailable(await call(broker, '/link/session', { token }));
    await expectNotReady(broker);
    await door.hold();
    expectUnavailable(await call(broker, '/link/session', { token }));
    await expectNotReady(broker);
    await door.open();
    let status = 0;
    // ioredis reconnects on its own schedule: the first answers after the door opens may still be 503.
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await call(broker, '/link/session', { token })).status;
      if (status !== 200) {
        expect(status).toBe(503);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(status).toBe(200);
    expect((await call(broker, '/readyz')).status).toBe(200);
    expect(broker.process.exitCode).toBeNull();
  }, 90_000);
});
