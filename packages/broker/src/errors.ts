import { ERROR_STATUS, type ErrorCode, type Issue } from '@nerm-connect/shared';

export interface BrokerErrorOptions {
  cause?: unknown;
  issues?: Issue[];
  /** Seconds, for `rate_limited`. */
  retryAfter?: number;
  /**
   * The tenant's refusal passed on after the broker's own retries (a NERM 429): the SDK
   * does not retry it again (docs/architecture.md, "Retries").
   */
  upstream?: boolean;
}

/**
 * The broker's one error type: a contract code, a message safe to show a caller (never
 * a secret, never upstream bodies), and the cause for the log.
 */
export class BrokerError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues: Issue[] | undefined;
  readonly retryAfter: number | undefined;
  readonly upstream: boolean;

  constructor(code: ErrorCode, message: string, options: BrokerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BrokerError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.issues = options.issues;
    this.retryAfter = options.retryAfter;
    this.upstream = options.upstream ?? false;
  }
}

export function isBrokerError(error: unknown, code?: ErrorCode): error is BrokerError {
  return error instanceof BrokerError && (code === undefined || error.code === code);
}
