import { BrokerError } from '../errors.ts';
import type { OutboundError } from './outbound.ts';
import { parseRetryAfter } from '@nerm-connect/shared/retry';

/** An upstream 429 the retries could not wait out, passed on with its wait (whole seconds). */
export function rateLimited(headers: Record<string, string>, who = 'NERM is'): BrokerError {
  const retryAfter = Math.ceil((parseRetryAfter(headers['retry-after']) ?? 1000) / 1000);
  return new BrokerError('rate_limited', `${who} rate limiting this tenant; try again shortly`, {
    retryAfter,
    upstream: true,
  });
}

/** Network-level failures towards a tenant, in the contract's words. */
export function outboundFailure(error: OutboundError, what = 'tenant'): BrokerError {
  switch (error.kind) {
    case 'invalid_url':
      return new BrokerError('tenant_url_invalid', `The ${what} is not a valid https URL`, {
        cause: error,
      });
    case 'host_not_allowed':
    case 'address_not_allowed':
      return new BrokerError(
        'tenant_host_not_allowed',
        `The ${what} host is not allowed: ${error.message}`,
        { cause: error },
      );
    case 'unreachable':
    case 'timeout':
      return new BrokerError(
        'tenant_unreachable',
        `The ${what} could not be reached: ${error.message}`,
        { cause: error },
      );
    case 'invalid_header':
    case 'invalid_request':
      return new BrokerError(
        'invalid_request',
        `The request to the ${what} could not be sent: ${error.message}`,
        { cause: error },
      );
    case 'response_too_large':
      return new BrokerError(
        'upstream_error',
        `The ${what} answered with more data than the broker accepts`,
        { cause: error },
      );
  }
}
