import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { credentialCharProblem } from '@nerm-connect/shared';
import { BrokerError } from '../errors.ts';
import type { PatCredential } from './credential.ts';
import type { Outbound } from './outbound.ts';
import { OutboundError } from './outbound.ts';
import { retrying } from '@nerm-connect/shared/retry';
import { DEFAULT_RETRY, retryDelayFor, type RetryPolicy } from './retry.ts';
import { outboundFailure, rateLimited } from './upstream-errors.ts';

/** Access tokens kept per process (decision 0003); more accounts than this is a lot. */
const MAX_TOKENS = 10_000;

/**
 * ISC access tokens for PAT accounts: exchanged with client credentials, cached per
 * credential (lru-cache), refreshed ahead of expiry, and refreshed once when NERM
 * answers 401. Concurrent callers share one in-flight exchange.
 */
export class AccessTokenCache {
  private readonly tokens: LRUCache<string, { token: string }, PatCredential>;

  constructor(
    private readonly outbound: Outbound,
    now: () => number = Date.now,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    max: number = MAX_TOKENS,
  ) {
    this.tokens = new LRUCache({
      // lru-cache allocates its arrays for `max` entries up front.
      max,
      // Each entry's TTL is its refresh time; this default is never used as is.
      ttl: 60_000,
      ttlResolution: 0,
      perf: { now },
      // An exchange under way when its account is forgotten still answers its waiters.
      ignoreFetchAbort: true,
      fetchMethod: async (_key, _stale, { context, options }) => {
        const { token, expiresIn } = await this.exchange(context);
        options.ttl = this.freshFor(expiresIn);
        return { token };
      },
    });
  }

  static keyFor(accountId: string, credential: PatCredential): string {
    const digest = createHash('sha256')
      .update(`${credential.token_url}\n${credential.client_id}\n${credential.client_secret}`)
      .digest('base64url');
    return `${accountId}:${digest}`;
  }

  async get(key: string, credential: PatCredential): Promise<string> {
    return (await this.tokens.fetch(key, { context: credential }))!.token;
  }

  /** After a 401 with `token`: drop it, unless another request already replaced it. */
  invalidate(key: string, token: string): void {
    if (this.tokens.get(key)?.token === token) this.tokens.delete(key);
  }

  /**
   * A cache for the one credential a connect proves: it holds one entry, so making it per
   * connect allocates nothing much (one for MAX_TOKENS entries cost ~12% of the
   * connect's CPU: docs/decisions/0092-connect-path-costs.md).
   */
  static forOneCredential(outbound: Outbound, now: () => number): AccessTokenCache {
    return new AccessTokenCache(outbound, now, DEFAULT_RETRY, 1);
  }

  forget(accountId: string): void {
    for (const key of [...this.tokens.keys()])
      if (key.startsWith(`${accountId}:`)) this.tokens.delete(key);
  }

  prime(key: string, token: string, expiresInSeconds: number): void {
    this.tokens.set(key, { token }, { ttl: this.freshFor(expiresInSeconds) });
  }

  /** One exchange, for connect: proves the credential and returns the token with its life. */
  async exchange(credential: PatCredential): Promise<{ token: string; expiresIn: number }> {
    const res = await retrying(() => this.post(credential), {
      retries: Math.min(this.retry.retries, 2),
      sleep: this.retry.sleep,
      retryAfter: (outcome, attempt) =>
        outcome.ok ? retryDelayFor(outcome.value, this.retry, attempt) : undefined,
    });
    return this.interpret(res);
  }

  /** How long a token is used: a minute less than its life, or 80% of a short life. */
  private freshFor(expiresInSeconds: number): number {
    const life = Math.max(0, expiresInSeconds) * 1000;
    // At least 1 ms: a TTL of 0 would mean "forever" to lru-cache.
    return Math.max(1, life - Math.min(60_000, life * 0.2));
  }

  private async post(credential: PatCredential) {
    let url: URL;
    try {
      url = new URL(credential.token_url);
    } catch (cause) {
      throw new BrokerError('invalid_request', 'The token URL is not a valid URL', { cause });
    }
    try {
      return await this.outbound.request({
        url,
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'user-agent': 'nerm-connect-broker',
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: credential.client_id,
          client_secret: credential.client_secret,
        }).toString(),
      });
    } catch (error) {
      if (error instanceof OutboundError) throw outboundFailure(error, 'token URL');
      throw error;
    }
  }

  private interpret(res: { status: number; headers: Record<string, string>; body: Buffer }) {
    if (res.status === 400 || res.status === 401) {
      throw new BrokerError(
        'invalid_credentials',
        'Identity Security Cloud refused this client ID and secret',
      );
    }
    if (res.status === 403) {
      throw new BrokerError(
        'insufficient_permissions',
        'This Personal Access Token may not request API tokens',
      );
    }
    if (res.status === 429) throw rateLimited(res.headers, 'The token endpoint is');
    if (res.status >= 500) {
      throw new BrokerError('upstream_error', `The token endpoint failed with HTTP ${res.status}`);
    }
    let parsed: { access_token?: unknown; expires_in?: unknown } | undefined;
    try {
      parsed = JSON.parse(res.body.toString('utf8')) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (
      res.status !== 200 ||
      typeof parsed?.access_token !== 'string' ||
      parsed.access_token === ''
    ) {
      throw new BrokerError(
        'not_a_nerm_tenant',
        'The token URL did not answer like an Identity Security Cloud token endpoint',
      );
    }
    if (credentialCharProblem(parsed.access_token)) {
      // It goes into the Authorization header; one that cannot is never sent (finding 1
      // in docs/security.md).
      throw new BrokerError(
        'not_a_nerm_tenant',
        'The token URL answered an access token that cannot be sent in an HTTP header',
      );
    }
    const expiresIn =
      typeof parsed.expires_in === 'number' ? parsed.expires_in : Number(parsed.expires_in ?? 0);
    return { token: parsed.access_token, expiresIn: Number.isFinite(expiresIn) ? expiresIn : 0 };
  }
}
