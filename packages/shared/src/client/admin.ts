import {
  AccountListSchema,
  AccountSchema,
  type Account,
  type AccountList,
  type FieldMapping,
} from '../schemas/account.ts';
import { LinkTokenSchema, type CreateLinkTokenBody, type LinkToken } from '../schemas/link.ts';
import {
  AccountTokenSchema,
  ExchangeResultSchema,
  type AccountToken,
  type ExchangeResult,
} from '../schemas/tokens.ts';
import { HttpClient, type HttpOptions } from './http.ts';
import { Paginator } from './paginator.ts';

export interface AdminOptions extends Omit<HttpOptions, 'token'> {
  /** One of NERM_BROKER_API_KEYS. Server side only: never ship it to a browser. */
  apiKey: string;
}

/**
 * The SaaS backend's server-to-server client: link tokens for the widget, the public
 * token exchange, and integrated accounts.
 */
export function createAdmin(options: AdminOptions) {
  if (!options.apiKey) throw new TypeError('createAdmin needs apiKey');
  const http = new HttpClient({ ...options, token: options.apiKey });
  const id = (value: string) => encodeURIComponent(value);

  return {
    linkTokens: {
      create(body: CreateLinkTokenBody): Promise<LinkToken> {
        return http.json({ method: 'POST', path: '/link-tokens', body }, LinkTokenSchema);
      },
    },
    tokens: {
      /** Public token (from the widget's success event) → integrated_account_token. */
      exchange(publicToken: string): Promise<ExchangeResult> {
        return http.json(
          { method: 'POST', path: '/tokens/exchange', body: { public_token: publicToken } },
          ExchangeResultSchema,
        );
      },
    },
    accounts: {
      list(query: { tenant_id?: string; limit?: number } = {}): Paginator<Account, AccountList> {
        return new Paginator((cursor) =>
          http.page(
            {
              method: 'GET',
              path: '/integrated-accounts',
              query: { ...query, next_cursor: cursor },
            },
            AccountListSchema,
          ),
        );
      },
      get(accountId: string): Promise<Account> {
        return http.json(
          { method: 'GET', path: `/integrated-accounts/${id(accountId)}` },
          AccountSchema,
        );
      },
      verify(accountId: string): Promise<Account> {
        return http.json(
          { method: 'POST', path: `/integrated-accounts/${id(accountId)}/verify` },
          AccountSchema,
        );
      },
      setFieldMapping(accountId: string, fieldMapping: FieldMapping): Promise<Account> {
        return http.json(
          {
            method: 'PATCH',
            path: `/integrated-accounts/${id(accountId)}`,
            body: { field_mapping: fieldMapping },
          },
          AccountSchema,
        );
      },
      createToken(accountId: string): Promise<AccountToken> {
        return http.json(
          { method: 'POST', path: `/integrated-accounts/${id(accountId)}/tokens` },
          AccountTokenSchema,
        );
      },
      delete(accountId: string): Promise<void> {
        return http.empty({ method: 'DELETE', path: `/integrated-accounts/${id(accountId)}` });
      },
    },
  };
}

export type NermConnectAdmin = ReturnType<typeof createAdmin>;
