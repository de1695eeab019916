import { ENDPOINTS, type EndpointInput } from '../endpoints.ts';
import type { Account, AccountList, FieldMapping } from '../schemas/account.ts';
import type { AuditEntry, EventType, FeedEvent, SyncMode, SyncResult } from '../schemas/event.ts';
import type { CreateLinkTokenBody, LinkToken } from '../schemas/link.ts';
import type { AccountToken, ExchangeResult } from '../schemas/tokens.ts';
import { HttpClient, type CallOptions, type TransportOptions } from './http.ts';
import { Paginator } from './paginator.ts';

export interface AdminOptions extends TransportOptions {
  /** One of NERM_BROKER_API_KEYS. Server side only: never ship it to a browser. */
  apiKey: string;
}

/** Filters of `accounts.list`. */
export type ListAccountsParams = Omit<
  NonNullable<EndpointInput<typeof ENDPOINTS.listAccounts>['query']>,
  'next_cursor'
>;

/** Filters of `events.list`. */
export interface ListEventsParams {
  integrated_account_id?: string;
  type?: EventType;
  /** Page size (default 100, at most 500); the iterator walks every page either way. */
  limit?: number;
}

/**
 * The SaaS backend's server-to-server client, holding an API key: link tokens for the
 * widget, the public token exchange, and the integrated accounts (re-test, field
 * mapping, token minting, disconnect).
 *
 * ```ts
 * const admin = createAdmin({ brokerUrl, apiKey: process.env.NERM_BROKER_API_KEY! });
 * const { link_token } = await admin.linkTokens.create({ tenant_id: customer.id });
 * ```
 */
export function createAdmin(options: AdminOptions): NermConnectAdmin {
  if (!options.apiKey) throw new TypeError('createAdmin needs apiKey');
  const http = new HttpClient({ ...options, token: options.apiKey });

  return {
    linkTokens: {
      create: (body, init = {}) => http.call(ENDPOINTS.createLinkToken, { body, ...init }),
    },
    tokens: {
      exchange: (publicToken, init = {}) =>
        http.call(ENDPOINTS.exchangePublicToken, {
          body: { public_token: publicToken },
          ...init,
        }),
    },
    accounts: {
      list: (query = {}, init = {}) =>
        new Paginator(
          (cursor, signal) =>
            http.callPage(ENDPOINTS.listAccounts, {
              query: { ...query, next_cursor: cursor },
              headers: init.headers,
              signal,
            }),
          init.signal,
        ),
      get: (accountId, init = {}) =>
        http.call(ENDPOINTS.getAccount, { params: { id: accountId }, ...init }),
      verify: (accountId, init = {}) =>
        http.call(ENDPOINTS.verifyAccount, { params: { id: accountId }, ...init }),
      setFieldMapping: (accountId, fieldMapping, init = {}) =>
        http.call(ENDPOINTS.updateAccount, {
          params: { id: accountId },
          body: { field_mapping: fieldMapping },
          ...init,
        }),
      createToken: (accountId, init = {}) =>
        http.call(ENDPOINTS.createAccountToken, {
          params: { id: accountId },
          ...init,
        }),
      delete: (accountId, init = {}) =>
        http.call(ENDPOINTS.disconnectAccount, {
          params: { id: accountId },
          ...init,
        }),
      sync: (accountId, options = {}, init = {}) =>
        http.call(ENDPOINTS.syncAccount, {
          params: { id: accountId },
          query: { mode: options.mode ?? 'incremental' },
          ...init,
        }),
      rotateSyncHook: (accountId, init = {}) =>
        http.call(ENDPOINTS.rotateSyncHook, { params: { id: accountId }, ...init }),
      audit: (accountId, query = {}, init = {}) =>
        new Paginator(
          (cursor, signal) =>
            http.callPage(ENDPOINTS.listAccountAudit, {
              params: { id: accountId },
              query: { ...query, next_cursor: cursor },
              headers: init.headers,
              signal,
            }),
          init.signal,
        ),
    },
    events: {
      list: (query = {}, init = {}) =>
        new Paginator(
          (cursor, signal) =>
            http.callPage(ENDPOINTS.listEvents, {
              query: { ...query, next_cursor: cursor },
              headers: init.headers,
              signal,
            }),
          init.signal,
        ),
    },
  };
}

/** What `createAdmin` returns. */
export interface NermConnectAdmin {
  linkTokens: {
    /**
     * A link token for the widget (`<nerm-connect link-token>`): valid 30 minutes, one
     * successful connect. With `integrated_account_id` it re-authenticates that account
     * in place: same id, new credential, tokens keep working.
     */
    create(body: CreateLinkTokenBody, init?: CallOptions): Promise<LinkToken>;
  };
  tokens: {
    /**
     * The widget's `nerm-connect-success` public token → the account id and a first
     * integrated_account_token. A public token works once; store the account id.
     */
    exchange(publicToken: string, init?: CallOptions): Promise<ExchangeResult>;
  };
  accounts: {
    /** Every integrated account (optionally of one `tenant_id`), page by page. */
    list(query?: ListAccountsParams, init?: CallOptions): Paginator<Account, AccountList>;
    /** One account: status (`active`, `needs_reauth`, `disconnected`), tenant, hint. */
    get(accountId: string, init?: CallOptions): Promise<Account>;
    /**
     * Re-tests the stored credential against NERM now; a refused credential marks the
     * account `needs_reauth` and rejects with that code.
     */
    verify(accountId: string, init?: CallOptions): Promise<Account>;
    /** Replaces the account's field mapping (`{}` returns to the built-in fallbacks). */
    setFieldMapping(
      accountId: string,
      fieldMapping: FieldMapping,
      init?: CallOptions,
    ): Promise<Account>;
    /**
     * Mints a new integrated_account_token (they expire; the default lifetime is one
     * hour). A client made with `integratedAccountId` does this by itself.
     */
    createToken(accountId: string, init?: CallOptions): Promise<AccountToken>;
    /**
     * Disconnects: the stored credential is destroyed and every token of the account
     * stops working at once. The account remains, `disconnected`.
     */
    delete(accountId: string, init?: CallOptions): Promise<void>;
    /**
     * Syncs the account now and resolves once its events are queued, with their counts.
     * `mode: 'full'` reconciles the whole tenant (also finds removed profiles and role
     * changes); the default reads only what NERM says changed.
     */
    sync(accountId: string, options?: { mode?: SyncMode }, init?: CallOptions): Promise<SyncResult>;
    /** A new `sync_hook_url` for the account; the old one stops working at once. */
    rotateSyncHook(accountId: string, init?: CallOptions): Promise<Account>;
    /** The account's audit trail, newest first: who did what to the connection, and when. */
    audit(
      accountId: string,
      query?: { limit?: number },
      init?: CallOptions,
    ): Paginator<AuditEntry, { result: AuditEntry[]; next_cursor: string | null }>;
  };
  events: {
    /**
     * Lifecycle events, oldest first (kept 30 days), each with its delivery state:
     * `for await (const event of admin.events.list({ integrated_account_id }))`. A
     * receiver that was down catches up here; deduplicate on `event.id`.
     */
    list(
      query?: ListEventsParams,
      init?: CallOptions,
    ): Paginator<FeedEvent, { result: FeedEvent[]; next_cursor: string | null }>;
  };
}
