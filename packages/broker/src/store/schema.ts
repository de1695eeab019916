import type { ColumnType, Selectable } from 'kysely';
import type { FieldMapping } from '@nerm-connect/shared';
import type {
  StoredAccount,
  IdempotencyRecord,
  StoredLinkToken,
  StoredPublicToken,
} from './store.ts';

/**
 * The tables as the database holds them, for Kysely. Only the store sees these: what
 * leaves it are the domain types of `store.ts`, made by the mappers below.
 *
 * Times are epoch milliseconds (INTEGER in SQLite, BIGINT in PostgreSQL, parsed to
 * numbers). `field_mapping` is TEXT in SQLite and JSONB in PostgreSQL, so it reads back
 * as either JSON text or an object and is always written as JSON text.
 */
export interface AccountsTable extends Omit<StoredAccount, 'field_mapping' | 'token_generation'> {
  field_mapping: ColumnType<string | FieldMapping, string, string>;
  /** Defaults to 0 on insert; only disconnect moves it. */
  token_generation: ColumnType<number, number | undefined, number>;
}

export interface StoreDatabase {
  accounts: AccountsTable;
  link_tokens: StoredLinkToken;
  public_tokens: StoredPublicToken;
  idempotency_keys: IdempotencyRecord;
}

export function toAccount(row: Selectable<AccountsTable>): StoredAccount {
  const mapping = row.field_mapping;
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    tenant_host: row.tenant_host,
    tenant_origin: row.tenant_origin,
    auth_type: row.auth_type,
    status: row.status,
    credential_kid: row.credential_kid,
    credential: row.credential,
    credential_hint: row.credential_hint,
    field_mapping: typeof mapping === 'string' ? (JSON.parse(mapping) as FieldMapping) : mapping,
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_verified_at: row.last_verified_at,
    token_generation: Number(row.token_generation),
    sync_hook_id: row.sync_hook_id,
  };
}

export function toLinkToken(row: Selectable<StoredLinkToken>): StoredLinkToken {
  return {
    token_hash: row.token_hash,
    tenant_id: row.tenant_id,
    account_id: row.account_id,
    expires_at: row.expires_at,
    used_at: row.used_at,
    created_at: row.created_at,
  };
}

export function toIdempotency(row: Selectable<IdempotencyRecord>): IdempotencyRecord {
  return {
    account_id: row.account_id,
    key: row.key,
    request_hash: row.request_hash,
    status: row.status,
    response: row.response,
    created_at: row.created_at,
    holder: row.holder,
    lease_until: row.lease_until,
    sent_at: row.sent_at ?? null,
  };
}
