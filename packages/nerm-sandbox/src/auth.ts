import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface AuthConfig {
  /** Legacy NERM API key with full (admin) access. */
  apiKey: string;
  /** A legacy key of a user without API rights: every `/api` call answers 403. */
  restrictedApiKey: string;
  /** ISC Personal Access Token of a NERM admin. */
  client: ClientCredentials;
  /** ISC PAT of an identity that is not a NERM admin: tokens are issued, then refused with 403. */
  restrictedClient: ClientCredentials;
  /** Lifetime of issued access tokens; ISC answers about 749 s. */
  tokenTtlSeconds: number;
}

export type Caller = { kind: 'admin' } | { kind: 'restricted' };

export type AuthOutcome = { ok: true; caller: Caller } | { ok: false; status: 401; error: string };

interface IssuedToken {
  expiresAt: number;
  restricted: boolean;
}

export function randomSecret(prefix: string, bytes = 24): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Checks bearer credentials and issues ISC-style access tokens. */
export class Authenticator {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(
    readonly config: AuthConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** `Authorization: Bearer <key|token>`; the historical `Token token=<key>` is accepted for keys. */
  check(header: string | undefined): AuthOutcome {
    if (!header) return { ok: false, status: 401, error: 'Not Authorized' };
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    const legacy = /^Token\s+token="?([^"\s]+)"?\s*$/i.exec(header)?.[1];
    const presented = bearer ?? legacy;
    if (!presented) return { ok: false, status: 401, error: 'Not Authorized' };
    if (same(presented, this.config.apiKey)) return { ok: true, caller: { kind: 'admin' } };
    if (same(presented, this.config.restrictedApiKey))
      return { ok: true, caller: { kind: 'restricted' } };
    if (legacy) return { ok: false, status: 401, error: 'Not Authorized' };
    const token = this.tokens.get(presented);
    if (!token) return { ok: false, status: 401, error: 'Not Authorized' };
    if (token.expiresAt <= this.now()) {
      this.tokens.delete(presented);
      return { ok: false, status: 401, error: 'Token has expired' };
    }
    return { ok: true, caller: token.restricted ? { kind: 'restricted' } : { kind: 'admin' } };
  }

  /** Client-credentials grant; `undefined` when the client is unknown or the secret is wrong. */
  issue(clientId: string, clientSecret: string): { token: string; expiresIn: number } | undefined {
    const { client, restrictedClient, tokenTtlSeconds } = this.config;
    let restricted: boolean;
    if (same(clientId, client.clientId) && same(clientSecret, client.clientSecret))
      restricted = false;
    else if (
      same(clientId, restrictedClient.clientId) &&
      same(clientSecret, restrictedClient.clientSecret)
    ) {
      restricted = true;
    } else return undefined;
    const token = randomSecret('eyJ', 36);
    this.tokens.set(token, { expiresAt: this.now() + tokenTtlSeconds * 1000, restricted });
    return { token, expiresIn: tokenTtlSeconds };
  }

  /** Expires every access token issued so far (the tenant-side "token expired" fault). */
  expireAll(): void {
    this.tokens.clear();
  }

  /** Revokes the legacy key and the PAT secret (and their tokens); returns the new ones. */
  rotate(): { apiKey: string; clientSecret: string } {
    this.config.apiKey = randomSecret('nerm_');
    this.config.client = { ...this.config.client, clientSecret: randomSecret('', 32) };
    this.tokens.clear();
    return { apiKey: this.config.apiKey, clientSecret: this.config.client.clientSecret };
  }

  setTokenTtl(seconds: number): void {
    this.config.tokenTtlSeconds = seconds;
  }
}
