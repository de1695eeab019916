import { randomBytes, randomUUID } from 'node:crypto';
import type { StoredAccount } from '../src/store/store.ts';

/** An active api_key account as the store keeps it, with a random id and sealed bytes. */
export function storedAccount(
  overrides: Partial<StoredAccount> = {},
  now = Date.now(),
): StoredAccount {
  return {
    id: randomUUID(),
    tenant_id: 'tenant-a',
    tenant_host: 'acme.nonemployee.com',
    tenant_origin: 'https://acme.nonemployee.com',
    auth_type: 'api_key',
    status: 'active',
    credential_kid: 'k1',
    credential: randomBytes(48),
    credential_hint: 'abcd',
    field_mapping: {},
    created_at: now,
    updated_at: now,
    last_verified_at: now,
    token_generation: 0,
    sync_hook_id: `hk_${randomBytes(20).toString('base64url')}`,
    ...overrides,
  };
}
