import {
  fillPath,
  PATHS,
  type Account,
  type AccountList,
  type FieldMapping,
} from '@nerm-connect/shared';
import type { AccountEvents } from '../lifecycle/account-events.ts';
import { z } from 'zod';
import { scopeDigest, type CursorCodec } from '../crypto/cursor.ts';
import type { Vault } from '../crypto/vault.ts';
import { BrokerError } from '../errors.ts';
import type { AccessTokenCache } from '../nerm/access-tokens.ts';
import { StoredCredential } from '../nerm/credential.ts';
import { NermClient, type NermClientDeps } from '../nerm/nerm-client.ts';
import type { Outbound } from '../nerm/outbound.ts';
import { probeTenant } from '../nerm/probe.ts';
import type { RetryPolicy } from '../nerm/retry.ts';
import type { UpstreamGuard } from '../scale/upstream-guard.ts';
import type { Tenant } from '../nerm/tenant.ts';
import type { StoredAccount, Store } from '../store/store.ts';
import type { TokenService } from './token-service.ts';

export interface AccountServiceDeps {
  store: Store;
  vault: Vault;
  outbound: Outbound;
  tokens: AccessTokenCache;
  jwt: TokenService;
  /** Signs the admin list's cursors, as the unified lists' are. */
  cursors: CursorCodec;
  retry?: RetryPolicy;
  /** Per-tenant breaker and shared upstream budget. */
  guard?: UpstreamGuard;
  now: () => number;
  /** The broker's public origin, for each account's sync_hook_url. */
  publicUrl: string;
  events: AccountEvents;
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** Any call, token mint or verify on a disconnected account (docs/security.md). */
export function disconnected(): BrokerError {
  return new BrokerError(
    'account_disconnected',
    'This account is disconnected; reconnect it with a new link token',
  );
}

/** The public view of an account; `publicUrl` (the broker's) makes its sync_hook_url. */
export function toAccount(row: StoredAccount, publicUrl?: string): Account {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    tenant_host: row.tenant_host,
    auth_type: row.auth_type,
    status: row.status,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    last_verified_at: row.last_verified_at === null ? null : iso(row.last_verified_at),
    credential_hint: row.credential_hint,
    field_mapping: row.field_mapping,
    sync_hook_url:
      row.sync_hook_id && publicUrl !== undefined
        ? `${publicUrl}${fillPath(PATHS.nermHook, { hook_id: row.sync_hook_id })}`
        : null,
  };
}

/**
 * The shape of every account id the broker issues (`randomUUID()`); anything else names
 * no account, and is answered without a query (docs/decisions/0008-text-refuses-control-characters.md).
 */
const ACCOUNT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isAccountId(id: string): boolean {
  return ACCOUNT_ID.test(id);
}

/** The admin list's cursor payload: the last id of the page, signed like every cursor. */
const AccountsCursor = z.strictObject({ k: z.string().regex(ACCOUNT_ID) });
const ACCOUNTS_CURSOR_OWNER = 'integrated-accounts';

/** Integrated accounts: read, verify, re-map, disconnect, and talk to their tenant. */
export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  async require(id: string): Promise<StoredAccount> {
    const row = isAccountId(id) ? await this.deps.store.getAccount(id) : undefined;
    if (!row) throw new BrokerError('not_found', 'No integrated account has this id');
    return row;
  }

  async get(id: string): Promise<Account> {
    return this.view(await this.require(id));
  }

  /** The public view of a row (with its sync_hook_url). */
  view(row: StoredAccount): Account {
    return toAccount(row, this.deps.publicUrl);
  }

  /** By id, a tenant's or all; the cursor is signed and bound to the tenant_id filter. */
  async list(query: {
    tenant_id?: string | undefined;
    limit: number;
    next_cursor?: string | undefined;
  }): Promise<AccountList> {
    const { cursors } = this.deps;
    const scope = scopeDigest(ACCOUNTS_CURSOR_OWNER, { tenant_id: query.tenant_id });
    const after = query.next_cursor
      ? cursors.decode(query.next_cursor, ACCOUNTS_CURSOR_OWNER, scope, AccountsCursor).k
      : undefined;
    const rows = await this.deps.store.listAccounts({
      ...(query.tenant_id ? { tenantId: query.tenant_id } : {}),
      ...(after ? { afterId: after } : {}),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      result: page.map((row) => this.view(row)),
      next_cursor:
        rows.length > query.limit && last
          ? cursors.encode(ACCOUNTS_CURSOR_OWNER, scope, { k: last.id })
          : null,
    };
  }

  async setFieldMapping(id: string, mapping: FieldMapping): Promise<Account> {
    await this.require(id);
    const row = await this.deps.store.updateAccount(id, {
      field_mapping: mapping,
      updated_at: this.deps.now(),
    });
    if (!row) throw new BrokerError('not_found', 'No integrated account has this id');
    return this.view(row);
  }

  /** Re-tests the stored credential with one read; a refusal marks the account needs_reauth. */
  async verify(id: string): Promise<Account> {
    const row = await this.require(id);
    if (row.status === 'disconnected') throw disconnected();
    const client = this.clientFor(row, 'invalid_credentials');
    try {
      await probeTenant(client);
    } catch (error) {
      if (error instanceof BrokerError && error.code === 'invalid_credentials') {
        return this.view(await this.mark(id, 'needs_reauth'));
      }
      throw error;
    }
    const now = this.deps.now();
    const updated = await this.deps.store.updateAccount(id, {
      status: 'active',
      last_verified_at: now,
      updated_at: now,
    });
    return this.view(updated as StoredAccount);
  }

  /** Destroys the credential; every token of the account stops working on the next request. */
  async disconnect(id: string): Promise<void> {
    await this.require(id);
    const { events } = this.deps;
    const changed = await this.deps.store.disconnectAccount(
      id,
      this.deps.now(),
      events.write('integrated_account.disconnected'),
    );
    if (changed) events.nudge();
    this.deps.tokens.forget(id);
  }

  async mintToken(id: string): Promise<{ integrated_account_token: string; expires_at: string }> {
    const row = await this.require(id);
    if (row.status === 'disconnected') throw disconnected();
    const { token, expiresAt } = await this.deps.jwt.issue(row);
    return { integrated_account_token: token, expires_at: iso(expiresAt) };
  }

  /**
   * The account's tenant for the directory services and the proxy: its client, made here
   * and nowhere else. An account that must be reconnected answers 409 before anything goes
   * upstream.
   */
  tenantFor(row: StoredAccount, options: { background?: boolean } = {}): Tenant {
    if (row.status === 'needs_reauth') {
      throw new BrokerError(
        'account_needs_reauth',
        "NERM refused this account's credential; reconnect it with a new link token",
      );
    }
    return {
      accountId: row.id,
      cacheKey: `${row.id}:${row.tenant_origin}`,
      revision: row.updated_at,
      fieldMapping: row.field_mapping,
      client: this.clientFor(row, 'account_needs_reauth', options.background === true),
    };
  }

  /**
   * A client for the account's tenant. `account_needs_reauth` refusals are persisted, so
   * the next caller learns it without asking NERM.
   */
  clientFor(
    row: StoredAccount,
    refusal: NonNullable<NermClientDeps['refusal']> = 'account_needs_reauth',
    background = false,
  ): NermClient {
    if (row.status === 'disconnected' || row.credential === null || row.credential_kid === null) {
      throw disconnected();
    }
    const plaintext = this.deps.vault.open(
      { kid: row.credential_kid, blob: row.credential },
      row.id,
    );
    const credential = StoredCredential.parse(JSON.parse(plaintext));
    return new NermClient(
      {
        outbound: this.deps.outbound,
        tokens: this.deps.tokens,
        refusal,
        background,
        onReauthNeeded: async (accountId) => {
          await this.mark(accountId, 'needs_reauth');
        },
        ...(this.deps.retry ? { retry: this.deps.retry } : {}),
        ...(this.deps.guard ? { guard: this.deps.guard } : {}),
      },
      { id: row.id, origin: row.tenant_origin, credential },
    );
  }

  /**
   * active → needs_reauth, once: the transition (and its `integrated_account.needs_reauth`
   * event) happens only from `active`, so concurrent refusals emit one event.
   */
  private async mark(id: string, status: 'needs_reauth'): Promise<StoredAccount> {
    const { events } = this.deps;
    const row = await this.deps.store.updateAccount(id, {
      status,
      updated_at: this.deps.now(),
      ifStatus: 'active',
      outbox: events.write('integrated_account.needs_reauth'),
    });
    if (row) {
      events.nudge();
      return row;
    }
    return this.require(id);
  }
}
