import { randomBytes, randomUUID } from 'node:crypto';
import { fillPath, PATHS } from '@nerm-connect/shared';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, startStack, type Stack, bothStores } from './helpers.ts';

// The red-team class "isolation" (docs/security.md, "Findings and fixes"): account A's
// token never reads or writes account B's data, through the unified API, the proxy,
// write-back, cursors, idempotency keys or the admin endpoints. A and B live on two
// tenants (two sandboxes seeded differently) with different auth types.

const STORES = bothStores('isolation');

interface Side {
  sandbox: Sandbox;
  tenantId: string;
  accountId: string;
  token: string;
}

describe.each(STORES)('isolation between accounts on $name', ({ databaseUrl }) => {
  let stack: Stack;
  let a: Side;
  let b: Side;

  beforeAll(async () => {
    const [sandboxA, sandboxB] = await Promise.all([
      startSandbox({ persons: 40, seed: 101 }),
      startSandbox({ persons: 40, seed: 202 }),
    ]);
    stack = await startStack({
      sandbox: sandboxA,
      env: { NERM_BROKER_ALLOWED_HOSTS: `${sandboxA!.url},${sandboxB!.url}` },
      ...(databaseUrl ? { databaseUrl } : {}),
    });
    const connect = async (sandbox: Sandbox, tenantId: string, pat: boolean): Promise<Side> => {
      const connected = await stack.connect(await stack.linkToken(tenantId), {
        tenant_url: sandbox.url,
        auth: pat
          ? {
              type: 'pat',
              client_id: sandbox.credentials.client.clientId,
              client_secret: sandbox.credentials.client.clientSecret,
              token_url: sandbox.tokenUrl,
            }
          : { type: 'api_key', api_key: sandbox.credentials.apiKey },
      });
      expect(connected.status, connected.text).toBe(201);
      const exchanged = await stack.admin(PATHS.tokenExchange, {
        method: 'POST',
        json: { public_token: connected.body.public_token },
      });
      return {
        sandbox,
        tenantId,
        accountId: exchanged.body.integrated_account_id,
        token: exchanged.body.integrated_account_token,
      };
    };
    a = await connect(sandboxA!, 'tenant-iso-a', false);
    b = await connect(sandboxB!, 'tenant-iso-b', true);
  });
  afterAll(async () => {
    await stack.close();
    await a.sandbox.close();
    await b.sandbox.close();
  });

  /** Runs `work` and says how many requests B's tenant saw meanwhile. */
  async function seenByB(work: () => Promise<void>): Promise<number> {
    await settled(b.sandbox);
    const before = b.sandbox.stats.total;
    await work();
    await settled(a.sandbox);
    return b.sandbox.stats.total - before;
  }

  const idsOf = (s: Sandbox) => new Set(s.data.profiles.map((p) => p.id));
  const personOf = (s: Sandbox) =>
    s.data.profiles.find((p) => p.status === 'Active' && p.attributes.first_name)!;

  it("reads only its own tenant's users and roles", async () => {
    const seen = await seenByB(async () => {
      const users = await stack.call(`${PATHS.users}?limit=500`, { token: a.token });
      expect(users.status).toBe(200);
      const ids: string[] = users.body.result.map((u: { id: string }) => u.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.every((id) => idsOf(a.sandbox).has(id))).toBe(true);
      expect(ids.some((id) => idsOf(b.sandbox).has(id))).toBe(false);
      const roles = await stack.call(`${PATHS.roles}?limit=500`, { token: a.token });
      const roleIds = new Set(b.sandbox.data.roles.map((r) => r.id));
      expect(roles.body.result.some((r: { id: string }) => roleIds.has(r.id))).toBe(false);
    });
    expect(seen).toBe(0);
  });

  it("cannot read, update or proxy to B's records by id", async () => {
    const target = personOf(b.sandbox);
    const before = JSON.stringify(target);
    const seen = await seenByB(async () => {
      const read = await stack.call(fillPath(PATHS.user, { id: target.id }), { token: a.token });
      expect(`${read.status} ${read.body.error?.code}`).toBe('404 not_found');
      const write = await stack.call(fillPath(PATHS.user, { id: target.id }), {
        method: 'PATCH',
        token: a.token,
        json: { title: 'Taken over' },
      });
      expect(`${write.status} ${write.body.error?.code}`).toBe('404 not_found');
      const proxied = await stack.call(`/proxy/profiles/${target.id}`, { token: a.token });
      // A's tenant answers for A: it has no such profile.
      expect(proxied.status).toBe(400);
      expect(proxied.body).toEqual({ error: 'profile not found' });
      const role = b.sandbox.data.roles[0]!;
      const roleRead = await stack.call(fillPath(PATHS.role, { id: role.id }), {
        token: a.token,
      });
      expect(roleRead.status).toBe(404);
    });
    expect(seen).toBe(0);
    expect(JSON.stringify(b.sandbox.data.profiles.find((p) => p.id === target.id))).toBe(before);
  });

  it("sends A's calls with A's credential to A's tenant only", async () => {
    a.sandbox.stats.reset();
    const seen = await seenByB(async () => {
      await stack.call('/proxy/roles', { token: a.token });
      await stack.call(`${PATHS.users}?limit=5`, { token: a.token });
    });
    expect(seen).toBe(0);
    const auth = new Set(a.sandbox.stats.recent.map((r) => r.headers.authorization));
    expect([...auth]).toEqual([`Bearer ${a.sandbox.credentials.apiKey}`]);
    // B's PAT-exchanged tokens and B's own secrets never reach A's tenant.
    for (const r of a.sandbox.stats.recent) {
      expect(JSON.stringify(r)).not.toContain(b.sandbox.credentials.client.clientSecret);
    }
  });

  it("refuses A's cursors in B's hands, for users, roles and the proxy", async () => {
    for (const path of [
      `${PATHS.users}?limit=5`,
      `${PATHS.roles}?limit=1`,
      '/proxy/profiles?limit=5',
    ]) {
      const page = await stack.call(path, { token: a.token });
      expect(page.body.next_cursor, path).toEqual(expect.any(String));
      const stolen = await stack.call(
        `${path}&next_cursor=${encodeURIComponent(page.body.next_cursor)}`,
        { token: b.token },
      );
      expect(`${stolen.status} ${stolen.body.error?.code}`, path).toBe('400 invalid_cursor');
    }
  });

  it("keeps idempotency keys per account: B's write with A's key is B's own", async () => {
    const key = `iso-${randomUUID()}`;
    const body = {
      user_type: 'Contractor',
      first_name: 'Iso',
      last_name: `Late-${randomBytes(2).toString('hex')}`,
    };
    const create = (token: string) =>
      stack.call(PATHS.users, {
        method: 'POST',
        token,
        headers: { 'idempotency-key': key },
        json: body,
      });
    const first = await create(a.token);
    expect(first.status).toBe(201);
    const second = await create(b.token);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
    expect(idsOf(b.sandbox).has(second.body.id)).toBe(true);
    expect(idsOf(a.sandbox).has(second.body.id)).toBe(false);
    expect(idsOf(b.sandbox).has(first.body.id)).toBe(false);
  });

  it('gives an account token no admin power, and the admin API keeps tenants apart', async () => {
    for (const [method, path] of [
      ['GET', PATHS.accounts],
      ['GET', fillPath(PATHS.account, { id: a.accountId })],
      ['GET', fillPath(PATHS.account, { id: b.accountId })],
      ['POST', fillPath(PATHS.accountTokens, { id: b.accountId })],
      ['DELETE', fillPath(PATHS.account, { id: b.accountId })],
      ['POST', PATHS.linkTokens],
      ['GET', PATHS.events],
      ['GET', fillPath(PATHS.accountAudit, { id: b.accountId })],
    ] as const) {
      const res = await stack.call(path, {
        method,
        token: a.token,
        ...(method === 'POST' ? { json: { tenant_id: b.tenantId } } : {}),
      });
      expect(`${res.status} ${res.body.error?.code}`, `${method} ${path}`).toBe('401 unauthorized');
    }
    expect((await stack.admin(fillPath(PATHS.account, { id: b.accountId }))).body.status).toBe(
      'active',
    );
    const listed = await stack.admin(`${PATHS.accounts}?tenant_id=${a.tenantId}`);
    expect(listed.body.result.map((x: { id: string }) => x.id)).toEqual([a.accountId]);
    // A re-authentication link names its tenant: B's account cannot be repaired from A's.
    const crossed = await stack.admin(PATHS.linkTokens, {
      method: 'POST',
      json: { tenant_id: a.tenantId, integrated_account_id: b.accountId },
    });
    expect(`${crossed.status} ${crossed.body.error.code}`).toBe('404 not_found');
    const audit = await stack.admin(
      `${fillPath(PATHS.accountAudit, { id: a.accountId })}?limit=500`,
    );
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).not.toContain(b.accountId);
    const events = await stack.admin(`${PATHS.events}?integrated_account_id=${a.accountId}`);
    expect(events.status).toBe(200);
    expect(
      events.body.result.every(
        (e: { integrated_account_id: string }) => e.integrated_account_id === a.accountId,
      ),
    ).toBe(true);
  });

  it("a token for B's id signed by nobody, or A's token re-labelled, is refused", async () => {
    const [header, payload, signature] = a.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    const relabelled = Buffer.from(
      JSON.stringify({ ...claims, sub: b.accountId, tid: b.tenantId }),
    ).toString('base64url');
    const res = await stack.call(`${PATHS.users}?limit=1`, {
      token: `${header}.${relabelled}.${signature}`,
    });
    expect(`${res.status} ${res.body.error.code}`).toBe('401 unauthorized');
  });
});
