import { createHash } from 'node:crypto';
import { parse } from 'tldts';

/**
 * A host as error messages and logs may name it: `h_<8 hex of its SHA-256>` plus its
 * registrable domain (`h_1a2b3c4d.nonemployee.com`), the port kept. A tenant URL field
 * can hold a pasted secret (a key that is one valid label becomes `<key>.nonemployee.com`),
 * so no host a caller typed is echoed or logged as it is; the digest still lets an
 * operator match a host they suspect (docs/decisions/0071-redacted-hosts.md).
 */
export function redactHost(host: string): string {
  const port = /:(\d+)$/.exec(host)?.[1];
  const name = (port ? host.slice(0, -port.length - 1) : host).toLowerCase();
  const digest = `h_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  // IP literals and hosts under no ICANN public suffix keep nothing but the digest.
  const parsed = parse(name, { allowPrivateDomains: false });
  const domain = parsed.isIcann && !parsed.isIp ? parsed.domain : null;
  const kept = domain && domain !== name ? `${digest}.${domain}` : digest;
  return port ? `${kept}:${port}` : kept;
}

/**
 * `error` and its causes, their messages with every mention of `hostname` redacted;
 * name and code are kept, so the log still says what went wrong.
 */
export function withoutHost(error: unknown, hostname: string, depth = 0): unknown {
  if (!(error instanceof Error) || depth > 4) return error;
  const needle = hostname.toLowerCase();
  const message = error.message.split(needle).join(redactHost(needle));
  const copy = new Error(message, {
    cause: withoutHost(error.cause, hostname, depth + 1),
  }) as Error & { code?: unknown };
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) copy.code = code;
  return copy;
}

/** An origin with its host redacted (`https://h_1a2b3c4d.nonemployee.com`). */
export function redactOrigin(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${redactHost(url.host)}`;
}
