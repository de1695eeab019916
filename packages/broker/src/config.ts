import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { EncryptionKey } from './crypto/vault.ts';
import { parseLifecycleEnv, type LifecycleSettings } from './lifecycle-config.ts';
import { parseTrustProxy, type TrustProxy } from './http/trust-proxy.ts';
import { HostAllowList, HostAllowListError } from './nerm/host-allow-list.ts';

export interface BrokerConfig {
  production: boolean;
  port: number;
  host: string;
  databaseUrl: string;
  dataDir: string;
  apiKeys: string[];
  encryptionKeys: EncryptionKey[];
  /** Private JWKs, each with `kid`; the first signs. */
  signingKeys: JWK[];
  allowedHosts: HostAllowList;
  allowedOrigins: string[];
  tokenTtlSeconds: number;
  issuer: string;
  logLevel: string;
  /** Reverse proxies in front of the broker (docs/operations.md); never "every hop". */
  trustProxy: TrustProxy;
  /** Open client connections the HTTP server accepts at once. */
  maxConnections: number;
  /** Attempts per minute on the link endpoints: per client IP, and per link token on connect. */
  linkRateLimits: { perIp: number; perLinkToken: number };
  /** Lifecycle events: webhook delivery, change syncs, contract warnings. */
  lifecycle: LifecycleSettings;
  /** Which secrets were generated for development, so start-up can say so. */
  generated: ('api_key' | 'encryption_key' | 'signing_key' | 'webhook_secret')[];
  /** Acceptable but unwise settings, for the start-up log (never values). */
  warnings: string[];
}

/** A configuration problem; its message names variables, never their values. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid broker configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const KID = /^[A-Za-z0-9._-]{1,64}$/;
const MIN_API_KEY_LENGTH = 20;

export function parseEncryptionKeys(raw: string): EncryptionKey[] {
  const keys = raw.split(',').map((entry, i) => {
    const colon = entry.indexOf(':');
    const kid = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (colon < 1 || !KID.test(kid)) throw new Error(`entry ${i + 1} is not kid:base64`);
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(material)) throw new Error(`key ${kid} is not base64`);
    const key = Buffer.from(
      material,
      material.includes('-') || material.includes('_') ? 'base64url' : 'base64',
    );
    if (key.length !== 32)
      throw new Error(`key ${kid} must decode to 32 bytes (got ${key.length})`);
    return { kid, key };
  });
  const kids = new Set(keys.map((k) => k.kid));
  if (kids.size !== keys.length) throw new Error('key ids must be unique');
  return keys;
}

export function parseSigningKeys(raw: string): JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('is not JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0)
    throw new Error('must be a non-empty JSON array of JWKs');
  const kids = new Set<string>();
  for (const [i, jwk] of (parsed as JWK[]).entries()) {
    if (typeof jwk !== 'object' || jwk === null) throw new Error(`entry ${i + 1} is not a JWK`);
    if (typeof jwk.kid !== 'string' || !KID.test(jwk.kid))
      throw new Error(`entry ${i + 1} needs a kid`);
    if (kids.has(jwk.kid)) throw new Error(`kid ${jwk.kid} appears twice`);
    kids.add(jwk.kid);
    const ed = jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
    const p256 = jwk.kty === 'EC' && jwk.crv === 'P-256';
    if (!ed && !p256) throw new Error(`key ${jwk.kid} must be Ed25519 (EdDSA) or P-256 (ES256)`);
    if (typeof jwk.d !== 'string') throw new Error(`key ${jwk.kid} is not a private key`);
  }
  return parsed as JWK[];
}

function parsePort(raw: string | undefined, problems: string[]): number {
  if (raw === undefined || raw === '') return 8787;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push('NERM_BROKER_PORT must be a port number');
  return port;
}

function parseLimit(
  name: string,
  raw: string | undefined,
  fallback: number,
  problems: string[],
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    problems.push(`${name} must be a whole number of attempts per minute`);
  return value;
}

function parsePositive(
  name: string,
  raw: string | undefined,
  fallback: number,
  problems: string[],
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    problems.push(`${name} must be a positive whole number`);
  return value;
}

function parseTtl(raw: string | undefined, problems: string[]): number {
  if (raw === undefined || raw === '') return 3600;
  const ttl = Number(raw);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 604_800) {
    problems.push('NERM_BROKER_TOKEN_TTL must be whole seconds between 1 and 604800 (7 days)');
  }
  return ttl;
}

function defaultDataDir(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    if (file !== ':memory:') return dirname(resolve(file));
  }
  return resolve('.data');
}

async function readOrCreate(
  file: string,
  create: () => Promise<string>,
): Promise<{ value: string; created: boolean }> {
  if (existsSync(file)) return { value: (await readFile(file, 'utf8')).trim(), created: false };
  const value = await create();
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { value, created: true };
}

async function devSigningKey(): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify([{ ...jwk, kid: `dev-${randomBytes(4).toString('hex')}`, alg: 'EdDSA' }]);
}

/**
 * Reads the environment (CONTRACT §5). In production every key must be given and well
 * formed; in development missing keys are generated into the data folder (0600).
 */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<BrokerConfig> {
  const production = env.NODE_ENV === 'production';
  const problems: string[] = [];
  const databaseUrl = env.NERM_BROKER_DATABASE_URL || 'sqlite:.data/nerm-connect.db';
  const dataDir = env.NERM_BROKER_DATA_DIR
    ? resolve(env.NERM_BROKER_DATA_DIR)
    : defaultDataDir(databaseUrl);
  const generated: BrokerConfig['generated'] = [];
  const warnings: string[] = [];

  const required = (name: string) => {
    if (production) problems.push(`${name} is required when NODE_ENV=production`);
  };

  let apiKeys: string[] = [];
  if (env.NERM_BROKER_API_KEYS) {
    apiKeys = env.NERM_BROKER_API_KEYS.split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    // Malformed stops start-up; merely short is the operator's call, so it only warns.
    if (apiKeys.length === 0 || apiKeys.some((k) => /[\s"']/.test(k))) {
      problems.push('NERM_BROKER_API_KEYS must be a comma list of keys without spaces or quotes');
    } else if (apiKeys.some((k) => k.length < MIN_API_KEY_LENGTH)) {
      warnings.push(
        `an API key in NERM_BROKER_API_KEYS is shorter than ${MIN_API_KEY_LENGTH} characters`,
      );
    }
  } else required('NERM_BROKER_API_KEYS');

  let encryptionKeys: EncryptionKey[] = [];
  if (env.NERM_BROKER_ENCRYPTION_KEYS) {
    try {
      encryptionKeys = parseEncryptionKeys(env.NERM_BROKER_ENCRYPTION_KEYS);
    } catch (error) {
      problems.push(`NERM_BROKER_ENCRYPTION_KEYS: ${(error as Error).message}`);
    }
  } else required('NERM_BROKER_ENCRYPTION_KEYS');

  let signingKeys: JWK[] = [];
  if (env.NERM_BROKER_SIGNING_KEYS) {
    try {
      signingKeys = parseSigningKeys(env.NERM_BROKER_SIGNING_KEYS);
    } catch (error) {
      problems.push(`NERM_BROKER_SIGNING_KEYS: ${(error as Error).message}`);
    }
  } else required('NERM_BROKER_SIGNING_KEYS');

  let allowedHosts = HostAllowList.parse(undefined);
  try {
    allowedHosts = HostAllowList.parse(env.NERM_BROKER_ALLOWED_HOSTS);
  } catch (error) {
    if (!(error instanceof HostAllowListError)) throw error;
    problems.push(`NERM_BROKER_ALLOWED_HOSTS: ${error.message}`);
  }

  const allowedOrigins = (env.NERM_BROKER_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (allowedOrigins.includes('*')) {
    warnings.push(
      'NERM_BROKER_ALLOWED_ORIGINS is "*": any web page may call /link/* (a link token is still required)',
    );
  }
  for (const origin of allowedOrigins) {
    if (origin === '*') continue;
    if (!URL.canParse(origin) || new URL(origin).origin !== origin.replace(/\/$/, '')) {
      problems.push(
        `NERM_BROKER_ALLOWED_ORIGINS: "${origin}" is not an origin like https://app.example.com`,
      );
    }
  }

  const port = parsePort(env.NERM_BROKER_PORT, problems);
  const tokenTtlSeconds = parseTtl(env.NERM_BROKER_TOKEN_TTL, problems);
  const linkRateLimits = {
    perIp: parseLimit(
      'NERM_BROKER_LINK_RATE_LIMIT_PER_IP',
      env.NERM_BROKER_LINK_RATE_LIMIT_PER_IP,
      60,
      problems,
    ),
    perLinkToken: parseLimit(
      'NERM_BROKER_LINK_RATE_LIMIT_PER_TOKEN',
      env.NERM_BROKER_LINK_RATE_LIMIT_PER_TOKEN,
      10,
      problems,
    ),
  };
  const lifecycle = parseLifecycleEnv(env, { production, allowedHosts, port }, problems);
  let trustProxy: TrustProxy = false;
  try {
    trustProxy = parseTrustProxy(env.NERM_BROKER_TRUST_PROXY);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const maxConnections = parsePositive(
    'NERM_BROKER_MAX_CONNECTIONS',
    env.NERM_BROKER_MAX_CONNECTIONS,
    1024,
    problems,
  );
  if (problems.length > 0) throw new ConfigError(problems);

  if (!production && lifecycle.webhookUrl && !lifecycle.webhookSecret) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const r = await readOrCreate(
      join(dataDir, 'dev-webhook-secret'),
      async () => `whsec_${randomBytes(32).toString('base64')}`,
    );
    lifecycle.webhookSecret = r.value;
    generated.push('webhook_secret');
  }

  if (
    !production &&
    (apiKeys.length === 0 || encryptionKeys.length === 0 || signingKeys.length === 0)
  ) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (apiKeys.length === 0) {
      const r = await readOrCreate(
        join(dataDir, 'dev-api-key'),
        async () => `nbk_dev_${randomBytes(24).toString('base64url')}`,
      );
      apiKeys = [r.value];
      generated.push('api_key');
    }
    if (encryptionKeys.length === 0) {
      const r = await readOrCreate(
        join(dataDir, 'dev-encryption-keys'),
        async () => `dev1:${randomBytes(32).toString('base64')}`,
      );
      encryptionKeys = parseEncryptionKeys(r.value);
      generated.push('encryption_key');
    }
    if (signingKeys.length === 0) {
      const r = await readOrCreate(join(dataDir, 'dev-signing-keys.json'), devSigningKey);
      signingKeys = parseSigningKeys(r.value);
      generated.push('signing_key');
    }
  }

  return {
    production,
    port,
    host: env.NERM_BROKER_HOST || '0.0.0.0',
    databaseUrl,
    dataDir,
    apiKeys,
    encryptionKeys,
    signingKeys,
    allowedHosts,
    allowedOrigins: allowedOrigins.map((o) => (o === '*' ? o : new URL(o).origin)),
    tokenTtlSeconds,
    issuer: env.NERM_BROKER_ISSUER || 'nerm-connect-broker',
    logLevel: env.NERM_BROKER_LOG_LEVEL || 'info',
    trustProxy,
    maxConnections,
    linkRateLimits,
    lifecycle,
    generated,
    warnings,
  };
}
