/**
 * NERM_BROKER_ALLOWED_HOSTS: which origins the broker may call. An entry is a host
 * pattern (`*.nonemployee.com`: exactly one label in place of `*`, https only, public
 * addresses only), an exact host (`acme.nonemployee.com`), or an exact origin
 * (`http://127.0.0.1:4010`), which alone may be plain http, loopback or private.
 */

export const DEFAULT_ALLOWED_HOSTS = [
  '*.nonemployee.com',
  '*.mynonemployee.com',
  '*.seczetta.com',
  '*.api.identitynow.com',
];

type Rule =
  | { kind: 'pattern'; suffix: string }
  | { kind: 'host'; host: string }
  | { kind: 'origin'; origin: string };

export type AllowDecision =
  { allowed: true; exactOrigin: boolean } | { allowed: false; reason: 'not_listed' | 'not_https' };

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export class HostAllowListError extends TypeError {
  constructor(readonly entry: string) {
    super(
      `"${entry}" is not a host pattern (*.example.com), a host, or an origin (https://host:port)`,
    );
  }
}

function parseRule(entry: string): Rule {
  const value = entry.trim().toLowerCase();
  if (value.includes('://')) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new HostAllowListError(entry);
    }
    const clean = value.replace(/\/+$/, '');
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== clean) {
      throw new HostAllowListError(entry);
    }
    return { kind: 'origin', origin: url.origin };
  }
  if (value.startsWith('*.')) {
    const suffix = value.slice(2);
    if (!HOSTNAME.test(suffix)) throw new HostAllowListError(entry);
    return { kind: 'pattern', suffix };
  }
  if (!HOSTNAME.test(value)) throw new HostAllowListError(entry);
  return { kind: 'host', host: value };
}

export class HostAllowList {
  private readonly rules: Rule[];

  constructor(entries: readonly string[]) {
    this.rules = entries.filter((e) => e.trim() !== '').map(parseRule);
  }

  static parse(raw: string | undefined): HostAllowList {
    return new HostAllowList(
      raw === undefined || raw.trim() === '' ? DEFAULT_ALLOWED_HOSTS : raw.split(','),
    );
  }

  check(url: URL): AllowDecision {
    const origin = url.origin.toLowerCase();
    if (this.rules.some((r) => r.kind === 'origin' && r.origin === origin)) {
      return { allowed: true, exactOrigin: true };
    }
    const host = url.hostname.toLowerCase();
    const listed = this.rules.some(
      (r) =>
        (r.kind === 'host' && r.host === host) ||
        (r.kind === 'pattern' &&
          host.endsWith(`.${r.suffix}`) &&
          !host.slice(0, -(r.suffix.length + 1)).includes('.')),
    );
    if (!listed) return { allowed: false, reason: 'not_listed' };
    // Host rules never cover a port other than https' own, nor plain http.
    if (url.protocol !== 'https:' || (url.port !== '' && url.port !== '443')) {
      return { allowed: false, reason: 'not_https' };
    }
    return { allowed: true, exactOrigin: false };
  }
}
