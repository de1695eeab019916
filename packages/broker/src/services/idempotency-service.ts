import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorCode, Issue } from '@nerm-connect/shared';
import { BrokerError } from '../errors.ts';
import type { Store } from '../store/store.ts';

export interface IdempotentResult {
  status: number;
  body: unknown;
  /** True when this is the stored answer of an earlier request. */
  replayed: boolean;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` for writes: the first request's answer is stored and replayed to
 * every retry with the same key and the same request; the same key with another
 * request is refused (422). Failures that did not reach a verdict (network, 5xx) free
 * the key so a retry can run.
 */
export class IdempotencyService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly pollMs = 100,
    private readonly waitMs = 10_000,
  ) {}

  static validKey(key: string): boolean {
    return KEY.test(key);
  }

  async run(
    accountId: string,
    key: string,
    request: unknown,
    work: () => Promise<{ status: number; body: unknown }>,
  ): Promise<IdempotentResult> {
    if (!IdempotencyService.validKey(key)) {
      throw new BrokerError(
        'invalid_request',
        'Idempotency-Key must be 1–255 visible ASCII characters',
      );
    }
    const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const existing = await this.store.reserveIdempotency({
      account_id: accountId,
      key,
      request_hash: requestHash,
      created_at: this.now(),
    });
    if (existing) return this.replay(accountId, key, requestHash);

    let outcome: { status: number; body: unknown };
    try {
      outcome = await work();
    } catch (error) {
      if (error instanceof BrokerError && error.status < 500 && error.code !== 'rate_limited') {
        const body = {
          error: {
            code: error.code,
            message: error.message,
            ...(error.issues ? { issues: error.issues } : {}),
          },
        };
        await this.store.completeIdempotency(accountId, key, error.status, JSON.stringify(body));
      } else {
        await this.store.releaseIdempotency(accountId, key);
      }
      throw error;
    }
    await this.store.completeIdempotency(
      accountId,
      key,
      outcome.status,
      JSON.stringify(outcome.body),
    );
    return { ...outcome, replayed: false };
  }

  private async replay(
    accountId: string,
    key: string,
    requestHash: string,
  ): Promise<IdempotentResult> {
    for (let waited = 0; ; waited += this.pollMs) {
      const row = await this.store.getIdempotency(accountId, key);
      if (!row)
        throw new BrokerError(
          'rate_limited',
          'The first request with this Idempotency-Key failed; retry it',
          { retryAfter: 1 },
        );
      if (row.request_hash !== requestHash) {
        throw new BrokerError(
          'idempotency_key_reused',
          'This Idempotency-Key was already used for a different request',
        );
      }
      if (row.status !== 0) {
        const body: unknown = JSON.parse(row.response);
        if (row.status >= 400) {
          const { error } = body as {
            error: { code: ErrorCode; message: string; issues?: Issue[] };
          };
          throw new BrokerError(
            error.code,
            error.message,
            error.issues ? { issues: error.issues } : {},
          );
        }
        return { status: row.status, body, replayed: true };
      }
      if (waited >= this.waitMs) {
        throw new BrokerError(
          'rate_limited',
          'A request with this Idempotency-Key is still running',
          { retryAfter: 1 },
        );
      }
      await sleep(this.pollMs);
    }
  }
}
