/**
 * Turns what a NERM admin types ("acme", "acme.nonemployee.com",
 * "https://acme.nonemployee.com/api/") into one canonical tenant origin. Shared by the
 * widget (to show the host before submit) and the broker (which decides).
 *
 * This only parses; whether the broker may call the host is the allow-list's job.
 */

export const DEFAULT_NERM_DOMAIN = 'nonemployee.com';

export type TenantUrlProblem =
  | 'empty'
  | 'too_long'
  | 'invalid_characters'
  | 'credentials_in_url'
  | 'unsupported_scheme'
  | 'invalid_host';

export type TenantUrlResult =
  | { ok: true; origin: string; host: string; tenant: string }
  | { ok: false; problem: TenantUrlProblem };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_INPUT = 2048;

export function normalizeTenantUrl(input: string): TenantUrlResult {
  const raw = input.trim();
  if (raw === '') return { ok: false, problem: 'empty' };
  if (raw.length > MAX_INPUT) return { ok: false, problem: 'too_long' };
  // Whitespace, control characters and backslashes have no place in a tenant URL and
  // are the usual ingredients of parser-confusion tricks.
  // eslint-disable-next-line no-control-regex
  if (/[\s\\\u0000-\u001f\u007f]/.test(raw)) return { ok: false, problem: 'invalid_characters' };

  const bare = raw.toLowerCase();
  if (LABEL.test(bare)) return fromHost(`${bare}.${DEFAULT_NERM_DOMAIN}`, 'https:');

  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  if (!hasScheme && /^[a-z][a-z0-9+.-]*:(?!\d)/i.test(raw)) {
    return { ok: false, problem: 'unsupported_scheme' };
  }
  let url: URL;
  try {
    url = new URL(hasScheme ? raw : `https://${raw}`);
  } catch {
    return { ok: false, problem: 'invalid_host' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, problem: 'unsupported_scheme' };
  }
  // "https://acme.nonemployee.com@evil.example" parses with evil.example as host.
  if (url.username !== '' || url.password !== '' || authorityOf(raw).includes('@')) {
    return { ok: false, problem: 'credentials_in_url' };
  }
  return fromHost(url.host, url.protocol);
}

function authorityOf(raw: string): string {
  const afterScheme = raw.includes('://') ? raw.slice(raw.indexOf('://') + 3) : raw;
  return afterScheme.split(/[/?#]/, 1)[0] ?? '';
}

function fromHost(hostWithPort: string, protocol: string): TenantUrlResult {
  const { hostname, port } = splitHost(hostWithPort);
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (!isValidHostname(name)) return { ok: false, problem: 'invalid_host' };
  const host = port ? `${name}:${port}` : name;
  const tenant = name.startsWith('[') ? name : (name.split('.')[0] ?? name);
  return { ok: true, origin: `${protocol}//${host}`, host, tenant };
}

function splitHost(host: string): { hostname: string; port: string } {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return { hostname: host.slice(0, end + 1), port: host.slice(end + 2) };
  }
  const colon = host.lastIndexOf(':');
  return colon === -1
    ? { hostname: host, port: '' }
    : { hostname: host.slice(0, colon), port: host.slice(colon + 1) };
}

function isValidHostname(name: string): boolean {
  if (name.startsWith('[') && name.endsWith(']')) return true; // IPv6 literal, URL-validated
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => LABEL.test(label));
}

/** The NERM domains SailPoint hosts tenants under; their ISC tenant has the same first label. */
const SAILPOINT_DOMAINS = ['nonemployee.com', 'mynonemployee.com', 'seczetta.com'];

/**
 * Where a PAT is exchanged when the user gives no token URL (docs/architecture.md):
 * `https://{tenant}.api.identitynow.com/oauth/token` for a tenant SailPoint hosts, and the
 * tenant's own `{origin}/oauth/token` for any other (a sandbox, a private deployment).
 */
export function defaultTokenUrl(tenant: { origin: string; host: string; tenant: string }): string {
  const hostname = tenant.host.replace(/:\d+$/, '');
  const sailpoint = SAILPOINT_DOMAINS.some((domain) => hostname.endsWith(`.${domain}`));
  return sailpoint
    ? `https://${tenant.tenant}.api.identitynow.com/oauth/token`
    : `${tenant.origin}/oauth/token`;
}
