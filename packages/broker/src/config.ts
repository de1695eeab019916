import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  brokerEnvSchema,
  describeIssue,
  MIN_API_KEY_LENGTH,
  type BrokerEnv,
} from './config-schema.ts';
import type { EncryptionKey } from './crypto/vault.ts';
import type { TrustProxy } from './http/trust-proxy.ts';
import type { HostAllowList } from './nerm/host-allow-list.ts';
import type { BreakerSettings, UpstreamBudget } from './scale/upstream-guard.ts';

/** Lifecycle events settings (docs/lifecycle-events.md, docs/operations.md). */
export interface LifecycleSettings {
  /** Where events are POSTed; undefined: events are only kept in the feed. */
  webhookUrl: URL | undefined;
  /** `whsec_…`; undefined only when there is no URL (or in development, until generated). */
  webhookSecret: string | undefined;
  /** 0 turns the scheduler off. */
  syncIntervalSeconds: number;
  contractWarningDays: number;
  /** How long a sync or delivery lease lasts without renewal (a crashed process's work resumes after it). */
  leaseSeconds: number;
  /** The broker's public origin (and path prefix), where `sync_hook_url` points. */
  publicUrl: string;
}

/** Scale-out settings: shared counters, upstream budgets, breakers (docs/operations.md). */
export interface ScaleSettings {
  /** Shared counters in Redis instead of PostgreSQL (or memory, with SQLite). */
  redisUrl: string | undefined;
  budget: Omit<UpstreamBudget, 'leaseMs'>;
  breaker: BreakerSettings;
  /** Accounts one process syncs at once. */
  syncConcurrency: number;
  /** How long an Idempotency-Key reservation outlives a process that stopped renewing it. */
  idempotencyLeaseMs: number;
}

/** The hosted connect page (docs/hosted-link.md). */
export interface HostedSettings {
  /** The SaaS's name on the page; undefined: a neutral text. */
  appName: string | undefined;
  /** Its logo (the page's img-src admits this URL's origin). */
  logoUrl: URL | undefined;
  /** Where hosted_url points: NERM_BROKER_PUBLIC_URL, else the origin the API call reached. */
  publicUrl: string | undefined;
}

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
  /** How long SIGTERM lets requests in flight finish before cutting them. */
  shutdownGraceMs: number;
  /** Attempts per minute on the link endpoints: per client IP, and per link token on connect. */
  linkRateLimits: { perIp: number; perLinkToken: number };
  /** Lifecycle events: webhook delivery, change syncs, contract warnings. */
  lifecycle: LifecycleSettings;
  /** Shared counters, upstream budgets and breakers across replicas. */
  scale: ScaleSettings;
  hosted: HostedSettings;
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

/** The environment parsed by the schema, or every problem at once (names, never values). */
export function parseEnv(env: NodeJS.ProcessEnv): BrokerEnv {
  const parsed = brokerEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError([...new Set(parsed.error.issues.map(describeIssue))]);
}

function warningsOf(env: BrokerEnv): string[] {
  const warnings: string[] = [];
  // Malformed stops start-up; merely short is the operator's call, so it only warns.
  if (env.NERM_BROKER_API_KEYS?.some((k) => k.length < MIN_API_KEY_LENGTH))
    warnings.push(
      `an API key in NERM_BROKER_API_KEYS is shorter than ${MIN_API_KEY_LENGTH} characters`,
    );
  if (env.NERM_BROKER_ALLOWED_ORIGINS.includes('*'))
    warnings.push(
      'NERM_BROKER_ALLOWED_ORIGINS is "*": any web page may call /link/* (a link token is still required)',
    );
  return warnings;
}

/** Development only: the secrets not given, read from (or first written to) the data folder. */
async function developmentSecrets(env: BrokerEnv, dataDir: string) {
  const generated: BrokerConfig['generated'] = [];
  const file = (name: string) => join(dataDir, name);
  const missing = async <T>(
    given: T | undefined,
    kind: BrokerConfig['generated'][number],
    name: string,
    create: () => Promise<string>,
    parse: (raw: string) => T,
  ): Promise<T | undefined> => {
    if (given !== undefined) return given;
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    generated.push(kind);
    return parse((await readOrCreate(file(name), create)).value);
  };
  const reparse =
    <K extends keyof BrokerEnv>(name: K) =>
    (raw: string) =>
      parseEnv({ [name]: raw })[name] as NonNullable<BrokerEnv[K]>;
  const webhookSecret =
    env.NERM_BROKER_WEBHOOK_URL === undefined
      ? env.NERM_BROKER_WEBHOOK_SECRET
      : await missing(
          env.NERM_BROKER_WEBHOOK_SECRET,
          'webhook_secret',
          'dev-webhook-secret',
          async () => `whsec_${randomBytes(32).toString('base64')}`,
          (raw) => raw,
        );
  const apiKeys = await missing(
    env.NERM_BROKER_API_KEYS,
    'api_key',
    'dev-api-key',
    async () => `nbk_dev_${randomBytes(24).toString('base64url')}`,
    (raw) => [raw],
  );
  const encryptionKeys = await missing(
    env.NERM_BROKER_ENCRYPTION_KEYS,
    'encryption_key',
    'dev-encryption-keys',
    async () => `dev1:${randomBytes(32).toString('base64')}`,
    reparse('NERM_BROKER_ENCRYPTION_KEYS'),
  );
  const signingKeys = await missing(
    env.NERM_BROKER_SIGNING_KEYS,
    'signing_key',
    'dev-signing-keys.json',
    devSigningKey,
    reparse('NERM_BROKER_SIGNING_KEYS'),
  );
  return { generated, webhookSecret, apiKeys, encryptionKeys, signingKeys };
}

/**
 * Reads the environment (docs/operations.md, "Configuration"). In production every key
 * must be given and well formed; in development missing keys are generated into the
 * data folder (0600).
 */
export async function loadConfig(raw: NodeJS.ProcessEnv = process.env): Promise<BrokerConfig> {
  const env = parseEnv(raw);
  const production = env.NODE_ENV === 'production';
  const databaseUrl = env.NERM_BROKER_DATABASE_URL;
  const dataDir = env.NERM_BROKER_DATA_DIR
    ? resolve(env.NERM_BROKER_DATA_DIR)
    : defaultDataDir(databaseUrl);
  // Production has every secret (the schema refuses otherwise), so nothing is generated.
  const secrets = await developmentSecrets(env, dataDir);
  return {
    production,
    port: env.NERM_BROKER_PORT,
    host: env.NERM_BROKER_HOST,
    databaseUrl,
    dataDir,
    apiKeys: secrets.apiKeys ?? [],
    encryptionKeys: secrets.encryptionKeys ?? [],
    signingKeys: secrets.signingKeys ?? [],
    allowedHosts: env.NERM_BROKER_ALLOWED_HOSTS,
    allowedOrigins: env.NERM_BROKER_ALLOWED_ORIGINS.map((o) => (o === '*' ? o : new URL(o).origin)),
    tokenTtlSeconds: env.NERM_BROKER_TOKEN_TTL,
    issuer: env.NERM_BROKER_ISSUER,
    logLevel: env.NERM_BROKER_LOG_LEVEL,
    trustProxy: env.NERM_BROKER_TRUST_PROXY,
    maxConnections: env.NERM_BROKER_MAX_CONNECTIONS,
    shutdownGraceMs: env.NERM_BROKER_SHUTDOWN_GRACE * 1000,
    linkRateLimits: {
      perIp: env.NERM_BROKER_LINK_RATE_LIMIT_PER_IP,
      perLinkToken: env.NERM_BROKER_LINK_RATE_LIMIT_PER_TOKEN,
    },
    lifecycle: {
      webhookUrl: env.NERM_BROKER_WEBHOOK_URL,
      webhookSecret: secrets.webhookSecret,
      syncIntervalSeconds: env.NERM_BROKER_SYNC_INTERVAL,
      contractWarningDays: env.NERM_BROKER_CONTRACT_WARNING_DAYS,
      leaseSeconds: env.NERM_BROKER_SYNC_LEASE_SECONDS,
      publicUrl: env.NERM_BROKER_PUBLIC_URL ?? `http://localhost:${env.NERM_BROKER_PORT}`,
    },
    scale: {
      redisUrl: env.NERM_BROKER_REDIS_URL,
      budget: {
        concurrency: env.NERM_BROKER_UPSTREAM_CONCURRENCY,
        perSecond: env.NERM_BROKER_UPSTREAM_RPS,
        maxWaitMs: env.NERM_BROKER_UPSTREAM_MAX_WAIT * 1000,
      },
      breaker: {
        failures: env.NERM_BROKER_BREAKER_FAILURES,
        cooldownMs: env.NERM_BROKER_BREAKER_COOLDOWN * 1000,
      },
      syncConcurrency: env.NERM_BROKER_SYNC_CONCURRENCY,
      idempotencyLeaseMs: env.NERM_BROKER_IDEMPOTENCY_LEASE * 1000,
    },
    hosted: {
      appName: env.NERM_BROKER_APP_NAME,
      logoUrl: env.NERM_BROKER_APP_LOGO_URL,
      publicUrl: env.NERM_BROKER_PUBLIC_URL,
    },
    generated: secrets.generated,
    warnings: warningsOf(env),
  };
}
