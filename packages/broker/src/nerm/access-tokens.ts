import { createHash } from 'node:crypto';
import { credentialCharProblem } from '@nerm-connect/shared';
import { BrokerError } from '../errors.ts';
import type { PatCredential } from './credential.ts';
import type { Outbound } from './outbound.ts';
import { OutboundError } from './outbound.ts';
import { retrying } from '@nerm-connect/shared/retry';
import { DEFAULT_RETRY, retryDelayFor, type RetryPolicy } from './retry.ts';
import { outboundFailure, rateLimited } from './upstream-errors.ts';

interface CachedToken {
  token: string;
  expiresAt: number;
  /** Refresh from here on, ahead of expiry. */
  refreshAt: number;
}

/**
 * ISC access tokens for PAT accounts: exchanged with client credentials, cached per
 * credential, refreshed ahead of expiry, and refreshed once when NERM answers 401.
 * Concurrent callers share one in-flight exchange.
 */
export class AccessTokenCache {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<CachedToken>>();
  /** Exchanges performed, for tests and benchmarks. */
  exchanges = 0;

  constructor(
    private readonly outbound: Outbound,
    private readonly now: () => number = Date.now,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  static keyFor(accountId: string, credential: PatCredential): string {
    const digest = createHash('sha256')
      .update(`${credential.token_url}\n${credential.client_id}\n${credential.client_secret}`)
      .digest('base64url');
    return `${accountId}:${digest}`;
  }

  async get(key: string, credential: PatCredential): Promise<string> {
    const cached = this.cache.get(key);
    if (cached && cached.refreshAt > this.now()) return cached.token;
    return (await this.refresh(key, credential)).token;
  }

  /** After a 401 with `token`: drop it, unless another request already replaced it. */
  invalidate(key: string, token: string): void {
    if (this.cache.get(key)?.token === token) this.cache.delete(key);
  }

  forget(accountId: string): void {
    for (const key of this.cache.keys())
      if (key.startsWith(`${accountId}:`)) this.cache.delete(key);
  }

  prime(key: string, token: string, expiresInSeconds: number): void {
    this.cache.set(key, this.entry(token, expiresInSeconds));
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

  private refresh(key: string, credential: PatCredential): Promise<CachedToken> {
    const running = this.inflight.get(key);
    if (running) return running;
    const job = this.exchange(credential)
      .then(({ token, expiresIn }) => {
        const entry = this.entry(token, expiresIn);
        this.cache.set(key, entry);
        return entry;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, job);
    return job;
  }

  private entry(token: string, expiresIn: number): CachedToken {
    const now = this.now();
    const life = Math.max(0, expiresIn) * 1000;
    // Refresh a minute early, or at 80% of a short life.
    const margin = Math.min(60_000, life * 0.2);
    return { token, expiresAt: now + life, refreshAt: now + life - margin };
  }

  private async post(credential: PatCredential) {
    let url: URL;
    try {
      url = new URL(credential.token_url);
    } catch (cause) {
      throw new BrokerError('invalid_request', 'The token URL is not a valid URL', { cause });
    }
    this.exchanges++;
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
