import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.close());

function dbBytes(stack: Stack): Buffer {
  return Buffer.concat(
    [stack.dbFile!, `${stack.dbFile}-wal`].map((f) => {
      try {
        return readFileSync(f);
      } catch {
        return Buffer.alloc(0);
      }
    }),
  );
}

describe('GET /integrated-accounts', () => {
  it("lists a tenant's accounts with an opaque cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await stack.connectAccount('api_key', 'tenant-list')).accountId);
    const first = await stack.admin('/integrated-accounts?tenant_id=tenant-list&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.result).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await stack.admin(
      `/integrated-accounts?tenant_id=tenant-list&limit=2&next_cursor=${first.body.next_cursor}`,
    );
    expect(second.body.result).toHaveLength(1);
    expect(second.body.next_cursor).toBeNull();
    expect([...first.body.result, ...second.body.result].map((a: any) => a.id).sort()).toEqual(
      ids.sort(),
    );
    expect((await stack.admin('/integrated-accounts?next_cursor=%%%')).body.error.code).toBe(
      'invalid_cursor',
    );
    expect((await stack.admin('/integrated-accounts?limit=501')).body.error.code).toBe(
      'invalid_request',
    );
  });

  it('needs the API key', async () => {
    expect((await stack.call('/integrated-accounts')).status).toBe(401);
  });
});

describe('GET /integrated-accounts/:id', () => {
  it('shows status and the last four characters of the secret, nothing more', async () => {
    const { accountId } = await stack.connectAccount('api_key');
    const res = await stack.admin(`/integrated-accounts/${accountId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: accountId,
      tenant_id: expect.any(String),
      tenant_host: new URL(stack.sandbox.url).host,
      auth_type: 'api_key',
      status: 'active',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      last_verified_at: expect.any(String),
      credential_hint: stack.sandbox.credentials.apiKey.slice(-4),
      field_mapping: {},
      sync_hook_url: expect.stringMatching(/^http:\/\/localhost:8787\/hooks\/nerm\/hk_[\w-]{27}$/),
    });
    expect(res.text).not.toContain(stack.sandbox.credentials.apiKey);
    expect((await stack.admin('/integrated-accounts/does-not-exist')).body.error.code).toBe(
      'not_found',
    );
  });
});

describe('verify, needs_reauth and reconnect', () => {
  it('re-tests the credential; a revoked one marks the account needs_reauth', async () => {
    const { accountId, token } = await stack.connectAccount('pat', 'tenant-verify');
    const ok = await stack.admin(`/integrated-accounts/${accountId}/verify`, { method: 'POST' });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('active');

    stack.sandbox.rotateCredentials();
    const verified = await stack.admin(`/integrated-accounts/${accountId}/verify`, {
      method: 'POST',
    });
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe('needs_reauth');
    const blocked = await stack.call('/unified/user-directory/users?limit=1', { token });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('account_needs_reauth');

    const lt = await stack.linkToken('tenant-verify', accountId);
    const reconnect = await stack.connect(lt, {
      tenant_url: stack.sandbox.url,
      auth: {
        type: 'pat',
        client_id: stack.sandbox.credentials.client.clientId,
        client_secret: stack.sandbox.credentials.client.clientSecret,
        token_url: stack.sandbox.tokenUrl,
      },
    });
    expect(reconnect.status).toBe(201);
    expect((await stack.admin(`/integrated-accounts/${accountId}`)).body.status).toBe('active');
    expect((await stack.call('/unified/user-directory/users?limit=1', { token })).status).toBe(200);
  });
});

describe('POST /integrated-accounts/:id/tokens', () => {
  it('mints a fresh account token', async () => {
    const { accountId } = await stack.connectAccount('api_key');
    const res = await stack.admin(`/integrated-accounts/${accountId}/tokens`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      integrated_account_token: expect.any(String),
      expires_at: expect.any(String),
    });
    expect(
      (
        await stack.call('/unified/user-directory/roles', {
          token: res.body.integrated_account_token,
        })
      ).status,
    ).toBe(200);
    expect((await stack.admin('/integrated-accounts/nope/tokens', { method: 'POST' })).status).toBe(
      404,
    );
  });
});

describe('DELETE /integrated-accounts/:id', () => {
  it('destroys the credential, leaves no ciphertext in the database file, and stops every token at once', async () => {
    const { accountId, token } = await stack.connectAccount('api_key', 'tenant-delete');
    const minted = (
      await stack.admin(`/integrated-accounts/${accountId}/tokens`, { method: 'POST' })
    ).body.integrated_account_token;
    const row = await stack.broker.store.getAccount(accountId);
    const ciphertext = row!.credential!;
    expect(dbBytes(stack).includes(ciphertext.subarray(12, 40))).toBe(true);

    const res = await stack.admin(`/integrated-accounts/${accountId}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    for (const t of [token, minted]) {
      const after = await stack.call('/unified/user-directory/roles', { token: t });
      expect(after.status).toBe(410);
      expect(after.body.error.code).toBe('account_disconnected');
      expect((await stack.call('/proxy/roles', { token: t })).status).toBe(410);
    }
    const account = await stack.admin(`/integrated-accounts/${accountId}`);
    expect(account.body).toMatchObject({ status: 'disconnected', credential_hint: null });
    expect(dbBytes(stack).includes(ciphertext.subarray(12, 40))).toBe(false);
    expect(
      (await stack.admin(`/integrated-accounts/${accountId}/tokens`, { method: 'POST' })).body.error
        .code,
    ).toBe('account_disconnected');
    expect(
      (await stack.admin(`/integrated-accounts/${accountId}`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect((await stack.admin('/integrated-accounts/nope', { method: 'DELETE' })).status).toBe(404);
  });

  it('lets a disconnected account be reconnected in place', async () => {
    const { accountId } = await stack.connectAccount('api_key', 'tenant-back');
    await stack.admin(`/integrated-accounts/${accountId}`, { method: 'DELETE' });
    const res = await stack.connect(await stack.linkToken('tenant-back', accountId));
    expect(res.status).toBe(201);
    expect(res.body.integrated_account).toMatchObject({ id: accountId, status: 'active' });
  });
});

describe('PATCH /integrated-accounts/:id', () => {
  it('sets a field mapping the unified model then follows', async () => {
    const { accountId, token } = await stack.connectAccount('api_key');
    const res = await stack.admin(`/integrated-accounts/${accountId}`, {
      method: 'PATCH',
      json: { field_mapping: { title: 'vendor' } },
    });
    expect(res.status).toBe(200);
    expect(res.body.field_mapping).toEqual({ title: 'vendor' });
    const contractor = stack.sandbox.data.profiles.find(
      (p) => p.attributes.vendor && p.attributes.job_title,
    )!;
    const user = await stack.call(`/unified/user-directory/users/${contractor.id}`, { token });
    expect(user.body.title).toBe(contractor.attributes.vendor);
    const bad = await stack.admin(`/integrated-accounts/${accountId}`, {
      method: 'PATCH',
      json: { field_mapping: { nickname: 'x' } },
    });
    expect(bad.body.error.code).toBe('invalid_request');
  });
});
