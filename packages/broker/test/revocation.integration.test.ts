import { randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack, bothStores } from './helpers.ts';

// Issue 8, finding 2 (docs/security.md, "Findings and fixes"): tokens issued before a
// DELETE used to work again once a re-authentication link reconnected the account.

const STORES = bothStores('revocation');

const ROLES = '/unified/user-directory/roles?limit=1';

describe.each(STORES)('revocation on $name', ({ databaseUrl }) => {
  let sandbox: Sandbox;
  let stack: Stack;
  beforeAll(async () => {
    sandbox = await startSandbox({ persons: 20 });
    stack = await startStack({ sandbox, ...(databaseUrl ? { databaseUrl } : {}) });
  });
  afterAll(async () => {
    await stack.close();
    await sandbox.close();
  });

  const status = async (token: string) => {
    const res = await stack.call(ROLES, { token });
    return `${res.status} ${res.body?.error?.code ?? ''}`.trim();
  };

  it('tokens issued before DELETE never work again, not even after the account is reconnected', async () => {
    const tenant = `tenant-${randomBytes(3).toString('hex')}`;
    const { accountId, token } = await stack.connectAccount('api_key', tenant);
    const minted = (
      await stack.admin(`/integrated-accounts/${accountId}/tokens`, { method: 'POST' })
    ).body.integrated_account_token as string;
    expect(await status(token)).toBe('200');

    expect(
      (await stack.admin(`/integrated-accounts/${accountId}`, { method: 'DELETE' })).status,
    ).toBe(204);
    for (const t of [token, minted]) {
      expect(await status(t)).toBe('410 account_disconnected');
      expect((await stack.call('/proxy/roles', { token: t })).body.error.code).toBe(
        'account_disconnected',
      );
    }

    const reconnected = await stack.connect(await stack.linkToken(tenant, accountId));
    expect(reconnected.status).toBe(201);
    expect(reconnected.body.integrated_account).toMatchObject({ id: accountId, status: 'active' });
    for (const t of [token, minted]) expect(await status(t)).toBe('401 unauthorized');

    const exchanged = await stack.admin('/tokens/exchange', {
      method: 'POST',
      json: { public_token: reconnected.body.public_token },
    });
    expect(await status(exchanged.body.integrated_account_token)).toBe('200');
    const fresh = await stack.admin(`/integrated-accounts/${accountId}/tokens`, { method: 'POST' });
    expect(await status(fresh.body.integrated_account_token)).toBe('200');
  });

  it('keeps tokens of an account re-authenticated without a disconnect', async () => {
    const tenant = `tenant-${randomBytes(3).toString('hex')}`;
    const { accountId, token } = await stack.connectAccount('api_key', tenant);
    const repaired = await stack.connect(await stack.linkToken(tenant, accountId));
    expect(repaired.status).toBe(201);
    expect(await status(token)).toBe('200');
  });

  it('answers 410 account_disconnected to token mint and verify on a disconnected account', async () => {
    const { accountId } = await stack.connectAccount('api_key');
    await stack.admin(`/integrated-accounts/${accountId}`, { method: 'DELETE' });
    for (const path of ['tokens', 'verify']) {
      const res = await stack.admin(`/integrated-accounts/${accountId}/${path}`, {
        method: 'POST',
      });
      expect([res.status, res.body.error.code], path).toEqual([410, 'account_disconnected']);
    }
  });
});
