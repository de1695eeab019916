import type { BrokerFailure } from './transport.ts';

// Loaded only when the page is set up wrong (see on-demand.ts): its texts weigh nothing
// for the pages that are set up right.

/**
 * A setup mistake is the page developer's to fix, not the user's: say exactly what to
 * change, in the console, where the developer looks.
 */
export function warnDeveloper(failure: BrokerFailure): void {
  const what =
    failure.code === 'origin_not_allowed'
      ? `the broker refuses this page's origin. Add ${location.origin} to NERM_BROKER_ALLOWED_ORIGINS (${failure.message ?? 'origin_not_allowed'}).`
      : failure.code === 'broker_url_missing'
        ? 'no broker-url is set. Set the broker-url attribute (or brokerUrl) to your broker’s base URL.'
        : 'no link-token is set. Your backend creates one (POST /link-tokens); set it as the link-token attribute (or linkToken).';
  console.warn(`<nerm-connect>: ${what}`);
}
