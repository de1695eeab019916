import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import {
  createAdmin,
  createClient,
  NermConnectError,
  requestIdOf,
  type RequestEvent,
  type ResponseEvent,
} from '@nerm-connect/shared/client';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedUsers } from './expected-mapping.ts';
import { FAST_RETRY, startStack, type Stack } from './helpers.ts';

let sandbox: Sandbox;
let stack: Stack;
let admin: ReturnType<typeof createAdmin>;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 1_200 });
  stack = await startStack({ sandbox });
  admin = createAdmin({ brokerUrl: stack.url, apiKey: stack.apiKey });
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
});

/** What the widget does between the two backend calls. */
async function connectLikeTheWidget(linkToken: string) {
  const res = await fetch(`${stack.url}/link/connect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${linkToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      tenant_url: sandbox.url,
      auth: { type: 'api_key', api_key: sandbox.credentials.apiKey },
    }),
  });
  return (await res.json()) as { public_token: string };
}

async function connected(tenantId = 'tenant-sdk') {
  const { link_token } = await admin.linkTokens.create({ tenant_id: tenantId });
  const { public_token } = await connectLikeTheWidget(link_token);
  return admin.tokens.exchange(public_token);
}

describe('createAdmin', () => {
  it('runs the whole server-side flow with typed results', async () => {
    const link = await admin.linkTokens.create({ tenant_id: 'tenant-admin' });
    expect(link.link_token).toMatch(/^lt_/);
    const { public_token } = await connectLikeTheWidget(link.link_token);
    const exchanged = await admin.tokens.exchange(public_token);
    expect(exchanged.integrated_account_token.split('.')).toHaveLength(3);

    const account = await admin.accounts.get(exchanged.integrated_account_id);
    expect(account).toMatchObject({
      tenant_id: 'tenant-admin',
      status: 'active',
      auth_type: 'api_key',
    });
    const listed = await admin.accounts.list({ tenant_id: 'tenant-admin', limit: 1 }).toArray();
    expect(listed.map((a) => a.id)).toEqual([account.id]);
    expect((await admin.accounts.verify(account.id)).last_verified_at).toEqual(expect.any(String));
    expect(
      (await admin.accounts.setFieldMapping(account.id, { title: 'vendor' })).field_mapping,
    ).toEqual({ title: 'vendor' });
    const minted = await admin.accounts.createToken(account.id);
    expect(minted.integrated_account_token).not.toBe(exchanged.integrated_account_token);
    await admin.accounts.delete(account.id);
    expect((await admin.accounts.get(account.id)).status).toBe('disconnected');
  });

  it('throws typed errors with code, status and request id', async () => {
    const error = await admin.tokens.exchange('pt_not_a_token').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NermConnectError);
    expect(error).toMatchObject({
      code: 'public_token_invalid',
      status: 400,
      requestId: expect.stringMatching(/^req_/),
    });
    const wrongKey = createAdmin({ brokerUrl: stack.url, apiKey: 'nbk_wrong_wrong_wrong_wrong' });
    await expect(wrongKey.accounts.list().toArray()).rejects.toMatchObject({
      code: 'unauthorized',
      status: 401,
    });
    const invalid = await admin.linkTokens
      .create({ tenant_id: '' })
      .catch((e: NermConnectError) => e);
    expect(invalid).toMatchObject({
      code: 'invalid_request',
      issues: [expect.objectContaining({ path: ['tenant_id'] })],
    });
  });

  it('reports an unreachable broker as network_error', async () => {
    const offline = createAdmin({ brokerUrl: 'http://127.0.0.1:9', apiKey: 'x' });
    await expect(offline.accounts.get('a')).rejects.toMatchObject({
      code: 'network_error',
      status: 0,
    });
    expect(() => createAdmin({ brokerUrl: 'ftp://x', apiKey: 'x' })).toThrow(TypeError);
  });
});

describe('createClient', () => {
  it('iterates every user across pages, one page at a time', async () => {
    const { integrated_account_token } = await connected();
    const nerm = createClient({ brokerUrl: stack.url, token: integrated_account_token });
    const expected = expectedUsers(sandbox);
    const seen = new Set<string>();
    for await (const user of nerm.users.list({ limit: 200 })) {
      expect(seen.has(user.id)).toBe(false);
      seen.add(user.id);
    }
    expect(seen).toEqual(new Set(expected.keys()));
    let pages = 0;
    for await (const page of nerm.users.list({ limit: 500, status: 'deleted' }).pages()) {
      pages++;
      expect(page.result.every((u) => u.status === 'deleted')).toBe(true);
    }
    expect(pages).toBeGreaterThan(0);
  });

  it('gets, creates and updates users, and reads roles', async () => {
    let calls = 0;
    const { integrated_account_token } = await connected();
    const nerm = createClient({
      brokerUrl: stack.url,
      getToken: () => {
        calls++;
        return integrated_account_token;
      },
    });
    const created = await nerm.users.create({
      user_type: 'Contractor',
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    expect(created).toMatchObject({ name: 'Ada Lovelace', status: 'active' });
    expect((await nerm.users.get(created.id)).id).toBe(created.id);
    const updated = await nerm.users.update(created.id, { status: 'deleted' });
    expect(updated.status).toBe('deleted');
    const roles = await nerm.roles.list({ limit: 3 }).toArray();
    expect(roles).toHaveLength(sandbox.data.roles.length);
    expect((await nerm.roles.get(roles[0]!.id)).name).toBe(roles[0]!.name);
    expect(calls).toBeGreaterThanOrEqual(5);
    await expect(nerm.users.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'not_found',
      status: 404,
    });
  });

  it('starts a NERM workflow session with run=true', async () => {
    const { integrated_account_token } = await connected();
    const nerm = createClient({ brokerUrl: stack.url, token: integrated_account_token });
    const workflow = sandbox.data.workflows.find((w) => w.uid === 'background_check_result')!;
    const profile = sandbox.data.profiles.find(
      (p) => p.profile_type_id === workflow.profile_type_id,
    )!;
    const session = await nerm.workflows.start({
      workflow_id: workflow.id,
      requester_id: sandbox.data.users[0]!.id,
      requester_type: 'User',
      profile_id: profile.id,
      attributes: { background_check: 'Passed' },
    });
    expect(session).toMatchObject({
      workflow_id: workflow.id,
      profile_id: profile.id,
      status: 'completed',
    });
    expect(profile.attributes.background_check).toBe('Passed');
    await expect(
      nerm.workflows.start({
        workflow_id: workflow.id,
        requester_id: 'nobody',
        requester_type: 'User',
        profile_id: profile.id,
      }),
    ).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('proxies NERM calls, parses them with a schema, and returns NERM statuses as data', async () => {
    const { integrated_account_token } = await connected();
    const nerm = createClient({ brokerUrl: stack.url, token: integrated_account_token });
    const Roles = z.object({ roles: z.array(z.object({ id: z.string() }).loose()) });
    const ok = await nerm.proxy.request({ path: 'roles', query: { offset: 0 }, schema: Roles });
    expect(ok.ok && ok.data.roles).toHaveLength(sandbox.data.roles.length);
    const missing = await nerm.proxy.request({
      path: 'profiles/00000000-0000-4000-8000-000000000000',
    });
    expect(missing).toMatchObject({ ok: false, status: 400, data: { error: 'profile not found' } });
    await expect(nerm.proxy.request({ path: '../healthz' })).rejects.toThrow(TypeError);
    await expect(nerm.proxy.request({ path: '%2e%2e/%2e%2e/healthz' })).rejects.toThrow(TypeError);
  });

  it('sends its X-Request-Id, which the broker keeps, and tells it for results', async () => {
    const { integrated_account_token } = await connected();
    const nerm = createClient({ brokerUrl: stack.url, token: integrated_account_token });
    const roles = await nerm.roles
      .list({ limit: 2 }, { headers: { 'x-request-id': 'trace-roles-0001' } })
      .firstPage();
    expect(requestIdOf(roles)).toBe('trace-roles-0001');
    const role = await nerm.roles.get(roles.result[0]!.id);
    expect(requestIdOf(role)).toMatch(/^req_/);
  });
});

describe('retries: one layer per failure (docs/architecture.md, "Retries")', () => {
  it("leaves NERM's 429s to the broker: waited out there, or passed on at once", async () => {
    const own = await startSandbox({ persons: 20 });
    const patient = await startStack({ sandbox: own });
    const passing = await startStack({
      sandbox: own,
      overrides: { retry: { ...FAST_RETRY, maxRetryAfterMs: 0 } },
    });
    try {
      // Connected first: the faults below would refuse the connect's own probe.
      const waitedToken = (await patient.connectAccount('api_key')).token;
      const passedToken = (await passing.connectAccount('api_key')).token;
      const attempts: number[] = [];
      const onRequest = (e: RequestEvent) => attempts.push(e.attempt);
      const waited = createClient({
        brokerUrl: patient.url,
        token: waitedToken,
        onRequest,
      });
      const passed = createClient({
        brokerUrl: passing.url,
        token: passedToken,
        onRequest,
      });
      own.faults.set({ rateLimitEvery: 2, retryAfterSeconds: 1 });
      own.stats.reset();
      expect(await waited.roles.list({ limit: 3 }).toArray()).toHaveLength(own.data.roles.length);
      expect(own.stats.rateLimited).toBeGreaterThan(0);
      expect(attempts.every((a) => a === 0)).toBe(true);

      attempts.length = 0;
      const results = await Promise.allSettled([
        passed.roles.get(own.data.roles[0]!.id),
        passed.roles.get(own.data.roles[0]!.id),
      ]);
      const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failure.reason).toMatchObject({ code: 'rate_limited', status: 429, retryAfter: 1 });
      expect(attempts).toEqual([0, 0]);
    } finally {
      await passing.close();
      await patient.close();
      await own.close();
    }
  });

  it('times out cleanly against a stalled tenant', async () => {
    const { integrated_account_token } = await connected();
    const nerm = createClient({
      brokerUrl: stack.url,
      token: integrated_account_token,
      timeoutMs: 200,
    });
    sandbox.faults.set({ latencyMs: 10_000 });
    try {
      await expect(nerm.users.list({ limit: 5 }).firstPage()).rejects.toMatchObject({
        code: 'timeout',
        requestId: expect.stringMatching(/^req_/),
      });
    } finally {
      sandbox.faults.set({});
    }
  });
});

describe('createClient({ apiKey, integratedAccountId })', () => {
  it('mints its own token, and survives its expiry without the caller doing anything', async () => {
    let now = Date.now();
    const own = await startStack({ sandbox, overrides: { now: () => now } });
    try {
      const { accountId } = await own.connectAccount('api_key');
      const paths: string[] = [];
      const nerm = createClient({
        brokerUrl: own.url,
        apiKey: own.apiKey,
        integratedAccountId: accountId,
        onResponse: (e: ResponseEvent) => paths.push(`${e.status} ${new URL(e.url).pathname}`),
      });
      const first = await nerm.roles.list({ limit: 2 }).firstPage();
      now += 2 * 3_600_000; // the broker's clock: every token minted so far has expired
      expect((await nerm.roles.get(first.result[0]!.id)).id).toBe(first.result[0]!.id);
      const mint = `/integrated-accounts/${accountId}/tokens`;
      expect(paths).toEqual([
        `201 ${mint}`,
        '200 /unified/user-directory/roles',
        `401 /unified/user-directory/roles/${first.result[0]!.id}`,
        `201 ${mint}`,
        `200 /unified/user-directory/roles/${first.result[0]!.id}`,
      ]);
    } finally {
      await own.close();
    }
  });
});
