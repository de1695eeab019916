/**
 * `kill -9` of a broker process mid-connect and mid-write-back, on one PostgreSQL with a
 * second replica: the retry, sent to the other replica, finishes the work, and NERM ends up
 * with exactly one profile per Idempotency-Key, whether or not the killed process's write
 * had landed (docs/architecture.md, "Idempotency"; docs/operations.md, "Faults").
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { startBrokerProcess, type BrokerProcess } from '@nerm-connect/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGate, type Gate } from './gate.ts';
import { POSTGRES_URL } from './helpers.ts';
import { type Answer, dropSchema, processEnv } from './processes.ts';

const USERS = '/unified/user-directory/users';
const schema = `idemcrash_${randomBytes(4).toString('hex')}`;
const apiKey = `nbk_${randomBytes(20).toString('base64url')}`;

async function call(
  broker: BrokerProcess,
  path: string,
  init: { method?: string; json?: unknown; token?: string; key?: string } = {},
): Promise<Answer> {
  const res = await fetch(`${broker.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${init.token ?? apiKey}`,
      ...(init.json ? { 'content-type': 'application/json' } : {}),
      ...(init.key ? { 'idempotency-key': init.key } : {}),
    },
    ...(init.json ? { body: JSON.stringify(init.json) } : {}),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/**
 * The client's retry: again after each 429's Retry-After (the killed holder's lease has not
 * run out yet), a bounded number of times.
 */
async function retried(send: () => Promise<Answer>): Promise<Answer> {
  for (let i = 0; i < 30; i++) {
    const answer = await send();
    if (answer.status !== 429) return answer;
    expect(answer.body.error.code).toBe('rate_limited');
    await new Promise((r) => setTimeout(r, Number(answer.headers.get('retry-after')) * 1000));
  }
  throw new Error('still 429 after 30 retries');
}

describe.skipIf(!POSTGRES_URL)('a broker killed (SIGKILL) mid-connect and mid-write-back', () => {
  let sandbox: Sandbox;
  let gate: Gate;
  let env: Record<string, string>;
  let doomed: BrokerProcess | undefined;
  let survivor: BrokerProcess;
  let token: string;

  const start = (name: string) => startBrokerProcess({ env, name });
  const profilesNamed = (name: string) =>
    sandbox.data.profiles.filter((p) => p.name === name && !p.archived);

  beforeAll(async () => {
    sandbox = await startSandbox({ persons: 40 });
    gate = await startGate(sandbox.url);
    env = {
      ...(await processEnv({
        databaseUrl: `${POSTGRES_URL}?schema=${schema}`,
        apiKey,
        allowedHosts: gate.url,
      })),
      NERM_BROKER_SYNC_INTERVAL: '0',
      // A killed process's reservation is taken over 2 s after its last renewal.
      NERM_BROKER_IDEMPOTENCY_LEASE: '2',
    };
    [doomed, survivor] = await Promise.all([start('Replica A'), start('Replica B')]);
  }, 240_000);

  afterAll(async () => {
    await doomed?.kill();
    await survivor?.kill();
    await gate?.close();
    await sandbox?.close();
    await dropSchema(schema);
  });

  async function killDoomed(): Promise<void> {
    await doomed!.kill('SIGKILL');
    gate.dropParked();
  }

  it('mid-connect: the retry with the same link token connects once', async () => {
    const tenantId = `crash-${randomUUID()}`;
    const link = await call(survivor, '/link-tokens', {
      method: 'POST',
      json: { tenant_id: tenantId },
    });
    const connectBody = {
      tenant_url: gate.url,
      auth: { type: 'api_key', api_key: sandbox.credentials.apiKey },
    };
    const held = gate.parkNext((r) => r.path.startsWith('/api/'));
    const inFlight = call(doomed!, '/link/connect', {
      method: 'POST',
      token: link.body.link_token,
      json: connectBody,
    }).then(
      () => 'answered',
      () => 'cut off',
    );
    await held;
    await killDoomed();
    expect(await inFlight).toBe('cut off');

    const connected = await call(survivor, '/link/connect', {
      method: 'POST',
      token: link.body.link_token,
      json: connectBody,
    });
    expect(connected.status).toBe(201);
    const exchanged = await call(survivor, '/tokens/exchange', {
      method: 'POST',
      json: { public_token: connected.body.public_token },
    });
    expect(exchanged.status).toBe(200);
    token = exchanged.body.integrated_account_token;
    const accounts = await call(survivor, '/integrated-accounts?limit=100');
    expect(
      (accounts.body.result as { tenant_id: string }[]).filter((a) => a.tenant_id === tenantId),
    ).toHaveLength(1);
  });

  it.each([
    ['before NERM saw the POST', 'parked'],
    ['after the POST landed in NERM (its answer lost)', 'landed'],
  ] as const)(
    'mid-create %s: the retry on another replica yields exactly one profile',
    async (_when, how) => {
      doomed = await start('Replica A, again');
      const key = randomUUID();
      const name = `Crash ${how} ${randomBytes(3).toString('hex')}`;
      const body = {
        user_type: 'Contractor',
        name,
        first_name: 'Crash',
        last_name: how,
        title: 'Auditor',
      };
      const isPost = (r: { method: string; path: string }) =>
        r.method === 'POST' && r.path === '/api/profile';
      const caught = how === 'parked' ? gate.parkNext(isPost) : gate.swallowNextAnswer(isPost);
      const inFlight = call(doomed, USERS, { method: 'POST', token, json: body, key }).then(
        () => 'answered',
        () => 'cut off',
      );
      await caught;
      await killDoomed();
      expect(await inFlight).toBe('cut off');
      expect(profilesNamed(name)).toHaveLength(how === 'parked' ? 0 : 1);

      const retry = await retried(() =>
        call(survivor, USERS, { method: 'POST', token, json: body, key }),
      );
      expect(retry.body).toMatchObject({ name });
      expect(retry.status).toBe(201);
      expect(profilesNamed(name)).toHaveLength(1);
      expect(retry.body.id).toBe(profilesNamed(name)[0]!.id);
      // And from then on, the stored answer.
      const again = await call(survivor, USERS, { method: 'POST', token, json: body, key });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(retry.body.id);
      expect(profilesNamed(name)).toHaveLength(1);
    },
    120_000,
  );

  it('mid-update: the retried PATCH on another replica applies once, no profile added', async () => {
    doomed = await start('Replica A, once more');
    const listed = await call(survivor, `${USERS}?limit=1`, { token });
    const target = listed.body.result[0] as { id: string };
    const count = sandbox.data.profiles.length;
    const key = randomUUID();
    const body = { title: `Lead ${randomBytes(3).toString('hex')}` };
    const held = gate.parkNext((r) => r.method === 'PATCH');
    const path = `${USERS}/${target.id}`;
    const inFlight = call(doomed, path, { method: 'PATCH', token, json: body, key }).then(
      () => 'answered',
      () => 'cut off',
    );
    await held;
    await killDoomed();
    expect(await inFlight).toBe('cut off');
    const retry = await retried(() =>
      call(survivor, path, { method: 'PATCH', token, json: body, key }),
    );
    expect(retry.status).toBe(200);
    expect(retry.body.title).toBe(body.title);
    expect(sandbox.data.profiles.length).toBe(count);
  }, 120_000);
});
