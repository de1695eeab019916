import type { ErrorCode, Issue } from '../errors.ts';

/**
 * Codes the SDK adds for failures that never reached a broker answer: the broker could
 * not be reached (`network_error`), answered something unexpected (`invalid_response`),
 * the caller's signal aborted the call (`aborted`), or the call ran out of time
 * (`timeout`, after `timeoutMs`).
 */
export type ClientErrorCode =
  ErrorCode | 'network_error' | 'invalid_response' | 'aborted' | 'timeout';

/**
 * Every SDK failure: the contract code, the HTTP status (0 when there was none), the
 * broker's request id for support, and field issues when the request was refused.
 */
export class NermConnectError extends Error {
  readonly code: ClientErrorCode;
  readonly status: number;
  readonly requestId: string | undefined;
  readonly issues: Issue[] | undefined;
  /** Seconds the broker asked to wait (rate_limited). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ClientErrorCode,
    message: string,
    details: {
      status?: number;
      requestId?: string;
      issues?: Issue[];
      retryAfter?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'NermConnectError';
    this.code = code;
    this.status = details.status ?? 0;
    this.requestId = details.requestId;
    this.issues = details.issues;
    this.retryAfter = details.retryAfter;
  }
}
