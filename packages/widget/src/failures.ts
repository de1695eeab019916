import { format, type NermConnectStrings } from './i18n/strings.ts';
import type { BrokerFailure } from './transport.ts';

/** How a failure reads to the user, and what the page's developer is told. */

export const SETUP_CODES = new Set<string>([
  'broker_url_missing',
  'link_token_missing',
  'origin_not_allowed',
]);

export function messageFor(failure: BrokerFailure, t: NermConnectStrings): string {
  const code = failure.code;
  if (code === 'network_error') return t.networkError;
  if (code === 'rate_limited') return format(t.rateLimited, { seconds: failure.retryAfter ?? 30 });
  if (code === 'link_token_invalid') return `${t.expiredTitle}. ${t.expiredBody}`;
  if (SETUP_CODES.has(code)) return t.notSetUp;
  // Without its texts (their chunk failed to load) the broker's own words still help.
  return (
    t.errors[code as keyof NermConnectStrings['errors']] ??
    t.errors.internal ??
    failure.message ??
    t.networkError
  );
}
