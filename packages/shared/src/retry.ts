/**
 * The one retry loop (broker towards NERM, the SDK towards the broker) and the one
 * `Retry-After` reader (docs/decisions/0033-one-retry-helper.md). No dependencies: it
 * runs in the browser and in Node.
 */

/** What one attempt came to: a value, or what it threw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface RetryOptions<T> {
  /** Retries after the first attempt. */
  retries: number;
  /**
   * Whether to try again after this outcome, and after how many milliseconds
   * (`Retry-After`, or a backoff); undefined: the outcome stands. `attempt` is 0 first.
   */
  retryAfter(outcome: Outcome<T>, attempt: number): number | undefined;
  /** Epoch milliseconds: a retry whose wait would end at or after it is not made. */
  deadline?: number | undefined;
  /** Passed to `sleep`: an aborted signal ends the retries with its reason, at once or mid-wait. */
  signal?: AbortSignal | undefined;
  /** Waits `ms` (default: a timer the signal clears). */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<unknown>) | undefined;
  /** Called once a retry is decided, before the wait: release what the outcome holds. */
  onRetry?: ((outcome: Outcome<T>, waitMs: number, attempt: number) => unknown) | undefined;
  now?: (() => number) | undefined;
}

/**
 * Runs `attempt(0)`, then `attempt(1)`… while `retryAfter` says so, the retries last and
 * the deadline allows the wait. Returns the value, or throws the error, of the outcome
 * that stands; a wait rejects (default: with the signal's reason) when the signal aborts.
 */
export async function retrying<T>(
  attempt: (attempt: number) => Promise<T>,
  options: RetryOptions<T>,
): Promise<T> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  for (let n = 0; ; n++) {
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await attempt(n) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const waitMs = n < options.retries ? options.retryAfter(outcome, n) : undefined;
    const again =
      waitMs !== undefined && (options.deadline === undefined || now() + waitMs < options.deadline);
    if (!again) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    await options.onRetry?.(outcome, waitMs, n);
    await wait(waitMs, options.signal);
  }
}

/** `Retry-After` in milliseconds from `now` (delta-seconds or an HTTP date), else undefined. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only an HTTP date (IMF-fixdate and its obsolete forms) names a weekday or month.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base × 2^attempt)]. */
export function fullJitter(
  baseMs: number,
  capMs: number,
  attempt: number,
  random: () => number = Math.random,
): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
