import type { JWK } from 'jose';
import { z } from 'zod';
import type { EncryptionKey } from './crypto/vault.ts';
import { parseTrustProxy } from './http/trust-proxy.ts';
import { HostAllowList, HostAllowListError } from './nerm/host-allow-list.ts';

/**
 * The broker's environment as one zod schema (docs/operations.md, "Configuration").
 * Issue messages are predicates ("must be …") that `describeIssue` puts after the
 * variable's name; none of them repeats a value, since many are secrets.
 */

const KID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const WEBHOOK_SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
export const MIN_API_KEY_LENGTH = 20;

/** `whsec_` + base64 of 24–64 bytes, as Standard Webhooks secrets are. */
export function isWebhookSecret(value: string): boolean {
  const match = WEBHOOK_SECRET.exec(value);
  if (!match) return false;
  const bytes = Buffer.from(match[1] as string, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

function wholeNumber(
  min: number,
  max: number,
  message = `must be a whole number from ${min} to ${max}`,
) {
  const error = { error: message };
  return z.coerce.number(error).int(error).min(min, error).max(max, error);
}

const commaList = z.string().transform((raw) =>
  raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean),
);

/** A value parsed by a function that throws a readable Error (its message is the issue). */
function parsedBy<T>(parse: (raw: string) => T) {
  return z.string().transform((raw, ctx): T => {
    try {
      return parse(raw);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const encryptionKey = z
  .string()
  .trim()
  .transform((entry, ctx): EncryptionKey => {
    const colon = entry.indexOf(':');
    const kid = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (colon < 1 || !KID.test(kid) || !BASE64.test(material)) {
      ctx.addIssue({ code: 'custom', message: 'is not kid:base64' });
      return z.NEVER;
    }
    const key = Buffer.from(material, /[-_]/.test(material) ? 'base64url' : 'base64');
    if (key.length !== 32)
      ctx.addIssue({ code: 'custom', message: `must decode to 32 bytes (got ${key.length})` });
    return { kid, key };
  });

const encryptionKeys = z
  .string()
  .transform((raw) => raw.split(','))
  .pipe(z.array(encryptionKey))
  .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, {
    error: 'key ids must be unique',
  });

const CURVES = { OKP: 'Ed25519', EC: 'P-256' } as const;
const signingKey = z
  .looseObject({
    kid: z.string({ error: 'needs a kid' }).regex(KID, { error: 'needs a kid' }),
    kty: z.enum(['OKP', 'EC'], { error: 'must be Ed25519 (EdDSA) or P-256 (ES256)' }),
    crv: z.enum(['Ed25519', 'P-256'], { error: 'must be Ed25519 (EdDSA) or P-256 (ES256)' }),
    d: z.string({ error: 'is not a private key' }),
  })
  .refine((jwk) => CURVES[jwk.kty] === jwk.crv, {
    error: 'must be Ed25519 (EdDSA) or P-256 (ES256)',
  });

const signingKeys = parsedBy((raw): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error('is not JSON');
  }
})
  .pipe(
    z.array(signingKey, { error: 'must be a non-empty JSON array of JWKs' }).min(1, {
      error: 'must be a non-empty JSON array of JWKs',
    }),
  )
  .superRefine((keys, ctx) => {
    const seen = new Set<string>();
    for (const { kid } of keys) {
      if (seen.has(kid)) ctx.addIssue({ code: 'custom', message: `has kid ${kid} twice` });
      seen.add(kid);
    }
  })
  .transform((keys) => keys as JWK[]);

const allowedOrigins = commaList.pipe(
  z.array(
    z
      .string()
      .refine(
        (origin) =>
          origin === '*' ||
          (URL.canParse(origin) && new URL(origin).origin === origin.replace(/\/$/, '')),
        { error: 'must be an origin like https://app.example.com' },
      ),
  ),
);

const variables = z.object({
  NODE_ENV: z.string().optional(),
  NERM_BROKER_PORT: wholeNumber(0, 65_535, 'must be a port number (0 to 65535)').default(8787),
  NERM_BROKER_HOST: z.string().default('0.0.0.0'),
  NERM_BROKER_DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, { error: 'must start with sqlite: or postgres://' })
    .default('sqlite:.data/nerm-connect.db'),
  NERM_BROKER_DATA_DIR: z.string().optional(),
  NERM_BROKER_API_KEYS: commaList
    .refine((keys) => keys.length > 0 && keys.every((k) => !/[\s"']/.test(k)), {
      error: 'must be a comma list of keys without spaces or quotes',
    })
    .optional(),
  NERM_BROKER_ENCRYPTION_KEYS: encryptionKeys.optional(),
  NERM_BROKER_SIGNING_KEYS: signingKeys.optional(),
  NERM_BROKER_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      try {
        return HostAllowList.parse(raw);
      } catch (error) {
        if (!(error instanceof HostAllowListError)) throw error;
        ctx.addIssue({
          code: 'custom',
          message: `has an entry, "${error.entry}", that is not a host pattern (*.example.com), a host, or an origin (https://host:port)`,
        });
        return z.NEVER;
      }
    }),
  NERM_BROKER_ALLOWED_ORIGINS: allowedOrigins.default([]),
  NERM_BROKER_TOKEN_TTL: wholeNumber(
    1,
    604_800,
    'must be whole seconds from 1 to 604800 (7 days)',
  ).default(3600),
  NERM_BROKER_ISSUER: z.string().default('nerm-connect-broker'),
  NERM_BROKER_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  NERM_BROKER_TRUST_PROXY: parsedBy(parseTrustProxy).default(false),
  NERM_BROKER_MAX_CONNECTIONS: wholeNumber(1, 1_000_000, 'must be a positive whole number').default(
    1024,
  ),
  NERM_BROKER_LINK_RATE_LIMIT_PER_IP: wholeNumber(
    1,
    1_000_000,
    'must be a whole number of attempts per minute',
  ).default(60),
  NERM_BROKER_LINK_RATE_LIMIT_PER_TOKEN: wholeNumber(
    1,
    1_000_000,
    'must be a whole number of attempts per minute',
  ).default(10),
  NERM_BROKER_WEBHOOK_URL: httpUrl
    .transform((raw) => new URL(raw))
    .refine((url) => !url.username && !url.password, { error: 'must not carry credentials' })
    .optional(),
  NERM_BROKER_WEBHOOK_SECRET: z
    .string()
    .refine(isWebhookSecret, { error: 'must be whsec_ followed by base64 of 24 to 64 bytes' })
    .optional(),
  NERM_BROKER_SYNC_INTERVAL: wholeNumber(0, 7 * 86_400).default(300),
  NERM_BROKER_CONTRACT_WARNING_DAYS: wholeNumber(0, 366).default(14),
  NERM_BROKER_SYNC_LEASE_SECONDS: wholeNumber(2, 3_600).default(60),
  NERM_BROKER_PUBLIC_URL: httpUrl.transform((raw) => raw.replace(/\/+$/, '')).optional(),
  // Scale-out (docs/operations.md, "Several replicas").
  NERM_BROKER_REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .optional(),
  NERM_BROKER_UPSTREAM_CONCURRENCY: wholeNumber(1, 1000).default(16),
  NERM_BROKER_UPSTREAM_RPS: wholeNumber(0, 100_000).default(100),
  NERM_BROKER_UPSTREAM_MAX_WAIT: wholeNumber(0, 120).default(10),
  NERM_BROKER_BREAKER_FAILURES: wholeNumber(1, 1000).default(5),
  NERM_BROKER_BREAKER_COOLDOWN: wholeNumber(1, 3600).default(30),
  NERM_BROKER_SYNC_CONCURRENCY: wholeNumber(1, 256).default(4),
  // How long SIGTERM lets requests in flight finish (docs/operations.md, "Start, stop, health").
  NERM_BROKER_SHUTDOWN_GRACE: wholeNumber(0, 3_600).default(10),
  // A killed replica's Idempotency-Key reservation is taken over after this (docs/architecture.md).
  NERM_BROKER_IDEMPOTENCY_LEASE: wholeNumber(2, 3_600).default(60),
  NERM_BROKER_APP_NAME: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(80, { error: 'must be at most 80 characters' })
    .optional(),
  NERM_BROKER_APP_LOGO_URL: httpUrl
    .transform((raw) => new URL(raw))
    .refine((url) => !url.username && !url.password, { error: 'must not carry credentials' })
    .optional(),
});

type Variables = z.output<typeof variables>;
type Name = keyof Variables;

const SECRETS: Name[] = [
  'NERM_BROKER_API_KEYS',
  'NERM_BROKER_ENCRYPTION_KEYS',
  'NERM_BROKER_SIGNING_KEYS',
];

/**
 * What one variable's value cannot say alone: production needs, the webhook's allow-list.
 * Runs even when another variable is at fault (so every problem is told at once); then a
 * field may hold its unparsed value, hence the instanceof checks.
 */
function crossCheck(env: Variables, ctx: z.RefinementCtx): void {
  const problem = (name: Name, message: string) =>
    ctx.addIssue({ code: 'custom', path: [name], message });
  const production = env.NODE_ENV === 'production';
  if (production) {
    for (const name of SECRETS)
      if (env[name] === undefined) problem(name, 'is required when NODE_ENV=production');
  }
  const url = env.NERM_BROKER_WEBHOOK_URL;
  const hosts = env.NERM_BROKER_ALLOWED_HOSTS;
  if (url instanceof URL && hosts instanceof HostAllowList && !hosts.check(url).allowed) {
    problem(
      'NERM_BROKER_WEBHOOK_URL',
      'is not admitted by NERM_BROKER_ALLOWED_HOSTS (add its host, or its exact origin for a loopback or plain-http receiver)',
    );
  }
  if (url && production && env.NERM_BROKER_WEBHOOK_SECRET === undefined) {
    problem(
      'NERM_BROKER_WEBHOOK_SECRET',
      'is required when NERM_BROKER_WEBHOOK_URL is set and NODE_ENV=production',
    );
  }
}

/** Values trimmed; a blank variable is an unset one (its default applies). */
function withoutBlanks(env: unknown): unknown {
  if (typeof env !== 'object' || env === null) return env;
  const entries = Object.entries(env as Record<string, unknown>)
    .map(([name, value]) => [name, typeof value === 'string' ? value.trim() : value] as const)
    .filter(([, value]) => value !== '' && value !== undefined);
  return Object.fromEntries(entries);
}

/** Every variable the broker reads, checked together; other variables are ignored. */
export const brokerEnvSchema = z.preprocess(
  withoutBlanks,
  variables.superRefine(crossCheck, { when: () => true }),
);

export type BrokerEnv = z.output<typeof brokerEnvSchema>;

/** One line per issue: the variable, the entry when a list's entry is at fault, the problem. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const [name, index] = issue.path;
  const entry = typeof index === 'number' ? ` entry ${index + 1}` : '';
  return `${String(name)}${entry} ${issue.message}`;
}
