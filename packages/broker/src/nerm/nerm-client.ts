import { BrokerError } from '../errors.ts';
import { AccessTokenCache } from './access-tokens.ts';
import type { StoredCredential } from './credential.ts';
import { jsonText } from './json-text.ts';
import type { Outbound } from './outbound.ts';
import { OutboundError } from './outbound.ts';
import { retrying } from '@nerm-connect/shared/retry';
import { DEFAULT_RETRY, backoffMs, retryDelayFor, type RetryPolicy } from './retry.ts';
import { outboundFailure } from './upstream-errors.ts';
import type { UpstreamGuard } from '../scale/upstream-guard.ts';

export interface NermRequest {
  method: string;
  /** Path below `/api/`, already validated, e.g. `profiles` or `profiles/<id>`. */
  path: string;
  query?: URLSearchParams;
  /** JSON body, sent as is. */
  body?: string;
  /** GETs are; a write is only when the caller holds an idempotency key. */
  idempotent?: boolean;
}

export interface NermResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface NermAccount {
  id: string;
  origin: string;
  credential: StoredCredential;
}

export interface NermClientDeps {
  outbound: Outbound;
  tokens: AccessTokenCache;
  retry?: RetryPolicy;
  /** The tenant's breaker and shared budget; every attempt passes it (docs/operations.md). */
  guard?: UpstreamGuard;
  /** A sync's calls: they leave half of the tenant's budget to callers. */
  background?: boolean;
  /**
   * Reads nobody waits on yet (a walk's page read ahead): background, and refused at once
   * when no slot is free rather than queued, so a caller never waits behind one.
   */
  readAhead?: boolean;
  /** Called once when the credential is refused after a refresh. */
  onReauthNeeded?: (accountId: string) => Promise<void>;
  /**
   * While connecting, a refused credential is the user's typo (`invalid_credentials`);
   * for a stored account it means the account must be reconnected.
   */
  refusal?: 'invalid_credentials' | 'account_needs_reauth';
}

/** Parses a NERM JSON body; undefined when it is not JSON. */
export function parseJson(res: NermResponse): unknown {
  try {
    return JSON.parse(jsonText(res.body));
  } catch {
    return undefined;
  }
}

/**
 * Talks to one account's tenant: injects the credential, retries what is safe to
 * retry, refreshes a PAT access token once on 401, and reports a credential NERM no
 * longer accepts.
 */
export class NermClient {
  private readonly retry: RetryPolicy;
  private readonly tokenKey: string | undefined;

  constructor(
    private readonly deps: NermClientDeps,
    readonly account: NermAccount,
  ) {
    this.retry = deps.retry ?? DEFAULT_RETRY;
    const { credential } = account;
    this.tokenKey =
      credential.type === 'pat' ? AccessTokenCache.keyFor(account.id, credential) : undefined;
  }

  /**
   * The same tenant's client for reads nobody waits on yet (a walk's NERM page read ahead):
   * they leave half of the tenant's budget to callers (docs/decisions/0083) and never wait
   * for a slot: with none free they fail at once, and the page reads for itself when asked
   * (docs/decisions/0115-walk-reads-two-pages-ahead.md).
   */
  forReadAhead(): NermClient {
    return this.deps.readAhead
      ? this
      : new NermClient({ ...this.deps, background: true, readAhead: true }, this.account);
  }

  /** Sends one request; upstream statuses come back as they are, except a final 401. */
  async send(req: NermRequest): Promise<NermResponse> {
    let refreshed = false;
    const once = async (): Promise<NermResponse> => {
      const authorization = await this.authorization();
      const call = () =>
        this.deps.outbound.request({
          url: this.url(req),
          method: req.method,
          headers: {
            authorization: `Bearer ${authorization}`,
            accept: 'application/json',
            'user-agent': 'nerm-connect-broker',
            ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(req.body !== undefined ? { body: req.body } : {}),
        });
      // Every attempt passes the tenant's breaker and shared budget (an open breaker or a
      // spent budget is a BrokerError, never retried here).
      const { guard } = this.deps;
      const res = guard
        ? await guard.run(this.account.origin, call, {
            background: this.deps.background === true,
            wait: this.deps.readAhead !== true,
          })
        : await call();
      if (res.status !== 401) return res;
      if (!this.tokenKey || refreshed) throw await this.refused();
      // A PAT access token can expire early or be revoked: get a new one, once (not a retry).
      this.deps.tokens.invalidate(this.tokenKey, authorization);
      refreshed = true;
      return once();
    };
    try {
      return await retrying(once, {
        // Only what is safe to send twice is retried: reads, and writes under an idempotency key.
        retries: req.idempotent ? this.retry.retries : 0,
        sleep: this.retry.sleep,
        retryAfter: (outcome, attempt) => {
          if (outcome.ok) return retryDelayFor(outcome.value, this.retry, attempt);
          const { error } = outcome;
          const transient =
            error instanceof OutboundError &&
            (error.kind === 'unreachable' || error.kind === 'timeout');
          return transient ? backoffMs(this.retry, attempt) : undefined;
        },
      });
    } catch (error) {
      if (error instanceof OutboundError) throw outboundFailure(error);
      throw error;
    }
  }

  private url(req: NermRequest): URL {
    const url = new URL(`${this.account.origin}/api/${req.path}`);
    if (req.query) url.search = req.query.toString();
    return url;
  }

  private async authorization(): Promise<string> {
    const { credential } = this.account;
    if (credential.type === 'api_key') return credential.api_key;
    try {
      return await this.deps.tokens.get(this.tokenKey as string, credential);
    } catch (error) {
      if (error instanceof BrokerError && error.code === 'invalid_credentials')
        throw await this.refused(error);
      throw error;
    }
  }

  private async refused(cause?: unknown): Promise<BrokerError> {
    if (this.deps.refusal === 'invalid_credentials') {
      return cause instanceof BrokerError
        ? cause
        : new BrokerError('invalid_credentials', 'NERM refused this credential');
    }
    await this.deps.onReauthNeeded?.(this.account.id);
    return new BrokerError(
      'account_needs_reauth',
      "NERM no longer accepts this account's credential; reconnect it",
      {
        cause,
      },
    );
  }
}
