import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TenantMetadata } from '../src/services/tenant-metadata.ts';
import type { Tenant } from '../src/nerm/tenant.ts';
import { startStack, type Stack } from './helpers.ts';

/**
 * A replica syncs every account of a fleet in turn, so each account's metadata must still
 * be cached when its next sync comes (docs/decisions/0014-sync-fixed-cost.md).
 */
let sandbox: Sandbox;
let stack: Stack;
let tenant: Tenant;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 3 });
  stack = await startStack({ sandbox });
  const { accountId } = await stack.connectAccount('api_key');
  tenant = stack.broker.accounts.tenantFor((await stack.broker.store.getAccount(accountId))!);
});
afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

it(
  'keeps the metadata of 1,200 accounts between two syncs of each, read once',
  { timeout: 120_000 },
  async () => {
    const metadata = new TenantMetadata(Date.now);
    // More accounts than the 1,000 it kept before (pnpm bench's fleet has 2,000), all on one tenant.
    const fleet = Array.from({ length: 1_200 }, (_, i) => ({ ...tenant, cacheKey: `fleet-${i}` }));
    for (const t of fleet) await metadata.profileTypes(t);
    expect(sandbox.stats.route('GET /api/profile_types')).toBeGreaterThanOrEqual(1_200);
    sandbox.stats.reset();
    for (const t of fleet) await metadata.profileTypes(t);
    expect(sandbox.stats.route('GET /api/profile_types'), 'read again').toBe(0);
  },
);
