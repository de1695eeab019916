import { setTimeout as sleep } from 'node:timers/promises';
import { fullJitter, parseRetryAfter } from '@nerm-connect/shared/retry';

/** How the broker retries NERM (the loop itself is `retrying` in @nerm-connect/shared/retry). */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited out; the 429 goes back to the caller. */
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<unknown>;
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 20_000,
  sleep: (ms) => sleep(ms),
};

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** Full-jitter exponential backoff for attempt `n` (0-based). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return fullJitter(policy.baseDelayMs, policy.maxDelayMs, attempt);
}

/**
 * The wait before retrying an answer NERM asks to have retried (429, 502–504): its
 * `Retry-After`, else a backoff; undefined when the answer stands (any other status, or
 * a `Retry-After` longer than the policy waits out).
 */
export function retryDelayFor(
  res: { status: number; headers: Record<string, string> },
  policy: RetryPolicy,
  attempt: number,
): number | undefined {
  if (!RETRYABLE_STATUS.has(res.status)) return undefined;
  const retryAfter = parseRetryAfter(res.headers['retry-after']);
  if (retryAfter === undefined) return backoffMs(policy, attempt);
  return retryAfter <= policy.maxRetryAfterMs ? retryAfter : undefined;
}
