import { BrokerError } from '../errors.ts';

/** Socket-level failures: the server is down, unreachable, or cut the connection. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs that say "not now" rather than "wrong": class 08 (connection
 * exception), 57P01–57P03 (shut down, crashed, not accepting connections yet) and 53300
 * (too many connections).
 */
const PG_NOT_NOW = /^(08...|57P0[123]|53300)$/;

/** What pg and ioredis say when their connection is gone or never came (no code set). */
const CLIENT_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /is not queryable/,
  /^Connection is closed/,
  /^Command timed out/,
  /Reached the max retries per request limit/,
  /^Stream isn't writeable/,
];

/**
 * Whether `error` (or an error in its cause chain) says the store or the shared counters
 * cannot be reached right now, as opposed to a fault in the broker (docs/errors.md,
 * `service_unavailable`; docs/operations.md, "Faults").
 */
export function isBackendUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK.has(code) || PG_NOT_NOW.test(code))) return true;
    if (e.name === 'MaxRetriesPerRequestError') return true;
    if (CLIENT_MESSAGES.some((m) => m.test(e.message))) return true;
  }
  return false;
}

/** How long a caller is told to wait before retrying (`Retry-After`, seconds). */
export const UNAVAILABLE_RETRY_AFTER_S = 2;

/** The 503 a caller gets while the store or the shared counters are unreachable. */
export function serviceUnavailable(cause: unknown, what = 'storage'): BrokerError {
  return new BrokerError(
    'service_unavailable',
    `The broker's ${what} is unavailable right now; retry shortly`,
    { cause, retryAfter: UNAVAILABLE_RETRY_AFTER_S },
  );
}
