import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorCode, Issue } from '@nerm-connect/shared';
import { BrokerError } from '../errors.ts';
import type { IdempotencyClaim, IdempotencyRecord, Store } from '../store/store.ts';

export interface IdempotentResult {
  status: number;
  body: unknown;
  /** True when this is the stored answer of an earlier request. */
  replayed: boolean;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** What a write under an Idempotency-Key knows of earlier attempts, and must report. */
export interface WriteAttempt {
  /**
   * When an earlier attempt, whose process died or gave up, sent its NERM write; the write
   * may have landed. Undefined when no earlier attempt got that far.
   */
  earlierSentAt: number | undefined;
  /** Says the NERM write is about to be sent (call it right before sending). */
  sending(): Promise<void>;
}

/** The default lease on a reservation (NERM_BROKER_IDEMPOTENCY_LEASE, docs/architecture.md). */
export const IDEMPOTENCY_LEASE_MS = 60_000;

/**
 * `Idempotency-Key` for writes: the first request's answer is stored and replayed to
 * every retry with the same key and the same request; the same key with another
 * request is refused (422). Failures that did not reach a verdict (network, 5xx) free
 * the key so a retry can run.
 *
 * A reservation is a lease (docs/architecture.md, "Idempotency"): its holder renews it while
 * it works, and a retry may take over a key whose lease ran out (its replica was killed).
 * The reservation records when the NERM write was sent, so the one that takes over knows
 * the write may have landed and looks for it before writing again.
 */
export class IdempotencyService {
  private readonly pollMs: number;
  private readonly waitMs: number;
  private readonly leaseMs: number;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    options: { pollMs?: number; waitMs?: number; leaseMs?: number } = {},
  ) {
    this.pollMs = options.pollMs ?? 100;
    this.waitMs = options.waitMs ?? 10_000;
    this.leaseMs = options.leaseMs ?? IDEMPOTENCY_LEASE_MS;
  }

  static validKey(key: string): boolean {
    return KEY.test(key);
  }

  async run(
    accountId: string,
    key: string,
    request: unknown,
    work: (attempt: WriteAttempt) => Promise<{ status: number; body: unknown }>,
  ): Promise<IdempotentResult> {
    if (!IdempotencyService.validKey(key)) {
      throw new BrokerError(
        'invalid_request',
        'Idempotency-Key must be 1–255 visible ASCII characters',
      );
    }
    const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const holder = randomBytes(12).toString('base64url');
    const claim = await this.claim(accountId, key, requestHash, holder);
    if (!claim.claimed) return this.replay(claim.record, requestHash);

    let sentAt: number | undefined;
    const attempt: WriteAttempt = {
      earlierSentAt: claim.previous?.sent_at ?? undefined,
      sending: async () => {
        sentAt = this.now();
        const held = await this.store.renewIdempotency(accountId, key, holder, {
          lease_until: sentAt + this.leaseMs,
          sent_at: claim.previous?.sent_at ?? sentAt,
        });
        if (!held) throw lostLease();
      },
    };
    // The lease outlives this request only while it runs: renewed at a third of its length.
    const renew = setInterval(() => {
      void this.store
        .renewIdempotency(accountId, key, holder, { lease_until: this.now() + this.leaseMs })
        .catch(() => undefined);
    }, this.leaseMs / 3);
    renew.unref();
    let outcome: { status: number; body: unknown };
    try {
      outcome = await work(attempt);
    } catch (error) {
      clearInterval(renew);
      if (error instanceof BrokerError && error.status < 500 && error.code !== 'rate_limited') {
        const body = {
          error: {
            code: error.code,
            message: error.message,
            ...(error.issues ? { issues: error.issues } : {}),
          },
        };
        await this.store.completeIdempotency(
          accountId,
          key,
          error.status,
          JSON.stringify(body),
          holder,
        );
      } else if (sentAt === undefined && attempt.earlierSentAt === undefined) {
        await this.store.releaseIdempotency(accountId, key, holder);
      } else {
        // The write may have landed: keep the record (it says so) and end the lease now,
        // so the retry takes over at once and looks before it writes.
        await this.store.renewIdempotency(accountId, key, holder, { lease_until: 0 });
      }
      throw error;
    }
    clearInterval(renew);
    await this.store.completeIdempotency(
      accountId,
      key,
      outcome.status,
      JSON.stringify(outcome.body),
      holder,
    );
    return { ...outcome, replayed: false };
  }

  /** The key for this request, or the record of the request that holds or answered it. */
  private async claim(
    accountId: string,
    key: string,
    requestHash: string,
    holder: string,
  ): Promise<IdempotencyClaim> {
    for (let waited = 0; ; waited += this.pollMs) {
      const now = this.now();
      const claim = await this.store.reserveIdempotency(
        {
          account_id: accountId,
          key,
          request_hash: requestHash,
          created_at: now,
          holder,
          lease_until: now + this.leaseMs,
        },
        now,
      );
      if (claim.claimed || claim.record.status !== 0 || claim.record.request_hash !== requestHash)
        return claim;
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

  private replay(row: IdempotencyRecord, requestHash: string): IdempotentResult {
    if (row.request_hash !== requestHash) {
      throw new BrokerError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different request',
      );
    }
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
}

function lostLease(): BrokerError {
  return new BrokerError(
    'rate_limited',
    'Another request took over this Idempotency-Key; retry it to get its answer',
    { retryAfter: 1 },
  );
}
