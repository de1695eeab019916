// No imports: this module is safe for the lightest browser bundle.

/**
 * The one error vocabulary of nerm-connect (docs/errors.md): every code and the HTTP
 * status it is always answered with. Widget texts, broker errors and SDK errors are
 * all keyed by these codes.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_cursor: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  origin_not_allowed: 403,
  not_found: 404,
  link_token_invalid: 401,
  public_token_invalid: 400,
  tenant_url_invalid: 400,
  tenant_host_not_allowed: 400,
  tenant_unreachable: 502,
  not_a_nerm_tenant: 502,
  invalid_credentials: 422,
  insufficient_permissions: 422,
  idempotency_key_reused: 422,
  account_needs_reauth: 409,
  // Any call, token mint or verify on a disconnected account (docs/security.md).
  account_disconnected: 410,
  rate_limited: 429,
  upstream_error: 502,
  payload_too_large: 413,
  internal: 500,
  // The store or the shared counters cannot be reached right now (docs/operations.md).
  service_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export function statusForCode(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}
