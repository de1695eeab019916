import proxyAddr from 'proxy-addr';

/** What Express's `trust proxy` receives: nothing, a hop count, or a test per hop. */
export type TrustProxy = false | number | ((address: string, hop: number) => boolean);

const EVERY_HOP = new Set(['true', '*', 'all']);

/**
 * NERM_BROKER_TRUST_PROXY, in Express's `trust proxy` terms (docs/operations.md): a hop
 * count (`1`: one proxy appends to X-Forwarded-For) or the proxies' addresses, CIDRs and
 * proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`). "Trust every hop" is
 * refused: the left-most X-Forwarded-For entry is whatever the client wrote, and the
 * per-IP rate limit would be keyed on it (issue 8, finding 3).
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = (raw ?? '').trim();
  if (value === '' || value.toLowerCase() === 'false') return false;
  if (EVERY_HOP.has(value.toLowerCase())) {
    throw new Error('must name a hop count or the proxies’ addresses, never every hop (true, *)');
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops === 0 ? false : hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  let trusted: (address: string, hop: number) => boolean;
  try {
    trusted = proxyAddr.compile(entries);
  } catch (error) {
    throw new Error(
      `must be a hop count or a comma list of addresses and CIDRs (${(error as Error).message})`,
    );
  }
  return trusted;
}
