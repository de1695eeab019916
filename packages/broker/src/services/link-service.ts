import { randomUUID } from 'node:crypto';
import {
  defaultTokenUrl,
  fillPath,
  LINK_TOKEN_DEFAULT_SECONDS,
  normalizeTenantUrl,
  PATHS,
  type ConnectAuth,
  type ConnectResult,
  type ErrorCode,
  type LinkSession,
  type LinkToken,
} from '@nerm-connect/shared';
import { hashToken, newOpaqueToken } from '../crypto/tokens.ts';
import type { Vault } from '../crypto/vault.ts';
import { BrokerError } from '../errors.ts';
import { AccessTokenCache } from '../nerm/access-tokens.ts';
import { credentialHint, type PatCredential, type StoredCredential } from '../nerm/credential.ts';
import { NermClient } from '../nerm/nerm-client.ts';
import { OutboundError, type Outbound } from '../nerm/outbound.ts';
import { probeTenant } from '../nerm/probe.ts';
import type { RetryPolicy } from '../nerm/retry.ts';
import type { UpstreamGuard } from '../scale/upstream-guard.ts';
import { outboundFailure } from '../nerm/upstream-errors.ts';
import type { StoredAccount, StoredLinkToken, Store } from '../store/store.ts';
import type { AccountEvents } from '../lifecycle/account-events.ts';
import { newSyncHookId } from '../store/lifecycle-schema.ts';
import { isAccountId, iso, toAccount } from './account-service.ts';

/** What the token URL, not the credential, is to blame for. */
const TOKEN_URL_FAILURES = new Set<ErrorCode>([
  'tenant_url_invalid',
  'tenant_host_not_allowed',
  'tenant_unreachable',
  'not_a_nerm_tenant',
]);

export const PUBLIC_TOKEN_TTL_MS = 10 * 60_000;

export interface LinkServiceDeps {
  store: Store;
  vault: Vault;
  outbound: Outbound;
  tokens: AccessTokenCache;
  retry?: RetryPolicy;
  /** Per-tenant breaker and shared upstream budget. */
  guard?: UpstreamGuard;
  now: () => number;
  events: AccountEvents;
}

const TENANT_URL_MESSAGES: Record<string, string> = {
  empty: 'Enter your NERM tenant URL, for example acme.nonemployee.com',
  too_long: 'The tenant URL is too long',
  invalid_characters: 'The tenant URL contains spaces or characters a URL cannot hold',
  credentials_in_url: 'The tenant URL must not contain a user name or password',
  unsupported_scheme: 'The tenant URL must start with https://',
  invalid_host: 'The tenant URL is not a valid host name',
};

/** Link tokens, the connect step, and the public-token exchange (docs/architecture.md, "The connect flow"). */
export class LinkService {
  constructor(private readonly deps: LinkServiceDeps) {}

  /**
   * A link token (hashed at rest). `hostedBase`: also the hosted page's URL under that
   * base, the token in its fragment, which browsers never send to a server
   * (docs/hosted-link.md).
   */
  async createLinkToken(
    tenantId: string,
    accountId?: string,
    options: { expiresInSeconds?: number; hostedBase?: string } = {},
  ): Promise<LinkToken> {
    const now = this.deps.now();
    if (accountId !== undefined) {
      const account = isAccountId(accountId)
        ? await this.deps.store.getAccount(accountId)
        : undefined;
      if (!account || account.tenant_id !== tenantId) {
        throw new BrokerError(
          'not_found',
          'No integrated account with this id belongs to this tenant_id',
        );
      }
    }
    const token = newOpaqueToken('lt');
    const row: StoredLinkToken = {
      token_hash: hashToken(token),
      tenant_id: tenantId,
      account_id: accountId ?? null,
      expires_at: now + (options.expiresInSeconds ?? LINK_TOKEN_DEFAULT_SECONDS) * 1000,
      used_at: null,
      created_at: now,
    };
    await this.deps.store.insertLinkToken(row);
    return {
      link_token: token,
      expires_at: iso(row.expires_at),
      ...(options.hostedBase !== undefined
        ? { hosted_url: `${options.hostedBase}${fillPath(PATHS.hostedLink, {})}#${token}` }
        : {}),
    };
  }

  /** The link token's row, if it can still be used. */
  async resolve(token: string): Promise<StoredLinkToken> {
    const row = await this.deps.store.getLinkToken(hashToken(token));
    if (!row || row.used_at !== null || row.expires_at <= this.deps.now()) {
      throw new BrokerError(
        'link_token_invalid',
        'This link has expired or was already used; ask for a new one',
      );
    }
    return row;
  }

  async session(link: StoredLinkToken): Promise<LinkSession> {
    const account = link.account_id ? await this.deps.store.getAccount(link.account_id) : undefined;
    return {
      tenant_id: link.tenant_id,
      expires_at: iso(link.expires_at),
      integrated_account: account ? summary(account) : null,
      tenant_url: account?.tenant_origin ?? null,
    };
  }

  /**
   * Validates, proves and stores a credential. Any failure leaves the link token usable,
   * so the user can fix the field and try again.
   */
  async connect(
    link: StoredLinkToken,
    input: { tenant_url: string; auth: ConnectAuth },
  ): Promise<ConnectResult> {
    const tenant = this.tenantFrom(input.tenant_url);
    const credential = this.credentialFrom(input.auth, tenant);
    const previous = await this.accountToRepair(link, tenant.host);
    const accountId = previous?.id ?? randomUUID();
    const accessToken = await this.prove(accountId, tenant.origin, credential);

    const now = this.deps.now();
    const sealed = this.deps.vault.seal(JSON.stringify(credential), accountId);
    const account: StoredAccount = {
      id: accountId,
      tenant_id: link.tenant_id,
      tenant_host: tenant.host,
      tenant_origin: tenant.origin,
      auth_type: credential.type,
      status: 'active',
      credential_kid: sealed.kid,
      credential: sealed.blob,
      credential_hint: credentialHint(credential),
      field_mapping: previous?.field_mapping ?? {},
      created_at: previous?.created_at ?? now,
      updated_at: now,
      last_verified_at: now,
      // The store keeps the stored generation on re-authentication; see StoredAccount.
      token_generation: previous?.token_generation ?? 0,
      sync_hook_id: previous?.sync_hook_id ?? newSyncHookId(),
    };
    const publicToken = newOpaqueToken('pt');
    const outcome = await this.deps.store.completeLink({
      linkTokenHash: link.token_hash,
      now,
      account,
      reauth: previous !== undefined,
      outbox: this.deps.events.write(
        previous ? 'integrated_account.reauthenticated' : 'integrated_account.connected',
      ),
      publicToken: {
        token_hash: hashToken(publicToken),
        account_id: accountId,
        expires_at: now + PUBLIC_TOKEN_TTL_MS,
        created_at: now,
      },
    });
    if (!outcome.ok) {
      throw new BrokerError(
        'link_token_invalid',
        'This link has expired or was already used; ask for a new one',
      );
    }
    this.deps.events.nudge();
    // The proven access token serves the account's first calls.
    this.deps.tokens.forget(accountId);
    if (credential.type === 'pat' && accessToken) {
      this.deps.tokens.prime(
        AccessTokenCache.keyFor(accountId, credential),
        accessToken.token,
        accessToken.expiresIn,
      );
    }
    return {
      public_token: publicToken,
      expires_at: iso(now + PUBLIC_TOKEN_TTL_MS),
      integrated_account: summary(outcome.account),
    };
  }

  /** One use: a public token becomes an account id. */
  async redeem(publicToken: string): Promise<StoredAccount> {
    const accountId = await this.deps.store.redeemPublicToken(
      hashToken(publicToken),
      this.deps.now(),
    );
    const account = accountId ? await this.deps.store.getAccount(accountId) : undefined;
    if (!account || account.status === 'disconnected') {
      throw new BrokerError(
        'public_token_invalid',
        'This public token is unknown, expired or already exchanged',
      );
    }
    return account;
  }

  private tenantFrom(input: string): { origin: string; host: string; tenant: string } {
    const tenant = normalizeTenantUrl(input);
    if (!tenant.ok) {
      const message = TENANT_URL_MESSAGES[tenant.problem] ?? 'Invalid tenant URL';
      throw new BrokerError('tenant_url_invalid', message, {
        issues: [{ code: tenant.problem, path: ['tenant_url'], message }],
      });
    }
    this.admit(new URL(tenant.origin), 'tenant_url');
    return tenant;
  }

  /** For a re-authentication link: the account, which must still exist on the same tenant. */
  private async accountToRepair(
    link: StoredLinkToken,
    host: string,
  ): Promise<StoredAccount | undefined> {
    if (!link.account_id) return undefined;
    const previous = await this.deps.store.getAccount(link.account_id);
    if (!previous)
      throw new BrokerError('link_token_invalid', 'The account this link repairs no longer exists');
    if (previous.tenant_host !== host) {
      throw new BrokerError(
        'tenant_url_invalid',
        `This connection belongs to ${previous.tenant_host}; reconnect that tenant`,
        {
          issues: [
            {
              code: 'tenant_mismatch',
              path: ['tenant_url'],
              message: `expected ${previous.tenant_host}`,
            },
          ],
        },
      );
    }
    return previous;
  }

  /**
   * One cheap read with the credential (after the PAT exchange). The token cache used
   * here is throw-away, so a credential that fails leaves nothing behind.
   */
  private async prove(accountId: string, origin: string, credential: StoredCredential) {
    const accessToken = credential.type === 'pat' ? await this.exchangeAt(credential) : undefined;
    const tokens = AccessTokenCache.forOneCredential(this.deps.outbound, this.deps.now);
    if (credential.type === 'pat' && accessToken) {
      tokens.prime(
        AccessTokenCache.keyFor(accountId, credential),
        accessToken.token,
        accessToken.expiresIn,
      );
    }
    const client = new NermClient(
      {
        outbound: this.deps.outbound,
        tokens,
        refusal: 'invalid_credentials',
        ...(this.deps.retry ? { retry: this.deps.retry } : {}),
        ...(this.deps.guard ? { guard: this.deps.guard } : {}),
      },
      { id: accountId, origin, credential },
    );
    await probeTenant(client);
    return accessToken;
  }

  /** The PAT exchange; a failure of the token URL itself names that field. */
  private async exchangeAt(credential: PatCredential) {
    try {
      return await this.deps.tokens.exchange(credential);
    } catch (error) {
      if (!(error instanceof BrokerError) || !TOKEN_URL_FAILURES.has(error.code)) throw error;
      throw new BrokerError(error.code, error.message, {
        cause: error,
        issues: [{ code: error.code, path: ['auth', 'token_url'], message: error.message }],
      });
    }
  }

  private credentialFrom(
    auth: ConnectAuth,
    tenant: { origin: string; host: string; tenant: string },
  ): StoredCredential {
    if (auth.type === 'api_key') return { type: 'api_key', api_key: auth.api_key };
    const tokenUrl = auth.token_url ?? defaultTokenUrl(tenant);
    let url: URL;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(tokenUrl) ? tokenUrl : `https://${tokenUrl}`);
    } catch {
      throw new BrokerError('invalid_request', 'The token URL is not a valid URL', {
        issues: [{ code: 'invalid_url', path: ['auth', 'token_url'], message: 'not a valid URL' }],
      });
    }
    if (url.username || url.password || url.search || url.hash) {
      throw new BrokerError('invalid_request', 'The token URL must be a plain https URL', {
        issues: [
          {
            code: 'invalid_url',
            path: ['auth', 'token_url'],
            message: 'no credentials, query or fragment',
          },
        ],
      });
    }
    this.admit(url, 'auth.token_url');
    return {
      type: 'pat',
      client_id: auth.client_id,
      client_secret: auth.client_secret,
      token_url: url.toString(),
    };
  }

  private admit(url: URL, field: string): void {
    try {
      this.deps.outbound.admit(url);
    } catch (error) {
      if (!(error instanceof OutboundError)) throw error;
      const mapped = outboundFailure(error, field === 'tenant_url' ? 'tenant' : 'token URL');
      throw new BrokerError(mapped.code, mapped.message, {
        cause: error,
        issues: [{ code: error.kind, path: field.split('.'), message: error.message }],
      });
    }
  }
}

function summary(row: StoredAccount): ConnectResult['integrated_account'] {
  const { id, tenant_id, tenant_host, auth_type, status } = toAccount(row);
  return { id, tenant_id, tenant_host, auth_type, status };
}
