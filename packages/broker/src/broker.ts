import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import type { BrokerConfig } from './config.ts';
import { CursorCodec } from './crypto/cursor.ts';
import { Vault } from './crypto/vault.ts';
import { flexibleRateLimiter, type RateLimiter, type WindowLimit } from './http/rate-limit.ts';
import { findHostedAssets } from './hosted-assets.ts';
import { createLogger } from './logger.ts';
import { AccessTokenCache } from './nerm/access-tokens.ts';
import { Outbound, type Resolver } from './nerm/outbound.ts';
import type { RetryPolicy } from './nerm/retry.ts';
import { AccountEvents } from './lifecycle/account-events.ts';
import { WebhookSender } from './lifecycle/webhook-sender.ts';
import { AccountService, toAccount } from './services/account-service.ts';
import { LifecycleService } from './services/lifecycle-service.ts';
import { IdempotencyService } from './services/idempotency-service.ts';
import { LinkService } from './services/link-service.ts';
import { ProxyService } from './services/proxy-service.ts';
import { RolesService } from './services/roles-service.ts';
import { TenantMetadata } from './services/tenant-metadata.ts';
import { TokenService } from './services/token-service.ts';
import { UserService } from './services/user-service.ts';
import { WriteBack } from './services/write-back.ts';
import { openStore } from './store/open-store.ts';
import { openCounters, type Counters } from './scale/counters.ts';
import { UpstreamGuard } from './scale/upstream-guard.ts';
import type { Store } from './store/store.ts';

export interface BrokerOverrides {
  logger?: Logger;
  store?: Store;
  now?: () => number;
  /** DNS for outbound calls; tests point names at chosen addresses. */
  resolve?: Resolver;
  retry?: RetryPolicy;
  limits?: Partial<{ connectPerLinkToken: WindowLimit; connectPerIp: WindowLimit }>;
  /** Where limits are counted (default: this process's memory). */
  limiter?: RateLimiter;
  outboundTimeoutMs?: number;
  /** This process's name as a lease owner (default: host, pid and a random tag). */
  owner?: string;
  webhookTimeoutMs?: number;
  /** Shared counters (rate limits, upstream budgets); else opened from the configuration. */
  counters?: Counters;
  /** How often the sync scheduler polls when nothing wakes it (default 1 s). */
  syncPollMs?: number;
}

export interface Broker {
  app: Express;
  store: Store;
  logger: Logger;
  tokens: AccessTokenCache;
  jwt: TokenService;
  vault: Vault;
  links: LinkService;
  accounts: AccountService;
  users: UserService;
  roles: RolesService;
  writeBack: WriteBack;
  /** Change syncs, the event feed and webhook delivery; `start()` runs the scheduler. */
  lifecycle: LifecycleService;
  close(): Promise<void>;
}

/** Wires a broker from configuration: store, vault, signer, outbound door, services, app. */
export async function createBroker(
  config: BrokerConfig,
  overrides: BrokerOverrides = {},
): Promise<Broker> {
  const now = overrides.now ?? Date.now;
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const store = overrides.store ?? openStore(config.databaseUrl, { log: logger });
  await store.migrate();

  const vault = new Vault(config.encryptionKeys);
  const unknownKids = (await store.credentialKeyIds()).filter((kid) => !vault.has(kid));
  if (unknownKids.length > 0) {
    const message = `stored credentials use encryption key ids that are not configured: ${unknownKids.join(', ')}`;
    if (config.production) {
      await store.close();
      throw new Error(`Refusing to start: ${message}`);
    }
    logger.warn(message);
  }

  const jwt = await TokenService.create({
    signingKeys: config.signingKeys,
    issuer: config.issuer,
    ttlSeconds: config.tokenTtlSeconds,
    now,
  });
  const outbound = new Outbound({
    allowList: config.allowedHosts,
    ...(overrides.resolve ? { resolve: overrides.resolve } : {}),
    ...(overrides.outboundTimeoutMs
      ? {
          requestTimeoutMs: overrides.outboundTimeoutMs,
          connectTimeoutMs: overrides.outboundTimeoutMs,
        }
      : {}),
  });
  const tokens = new AccessTokenCache(outbound, now, overrides.retry);
  const counters =
    overrides.counters ??
    (await openCounters({ databaseUrl: config.databaseUrl, redisUrl: config.scale.redisUrl }));
  const guard = new UpstreamGuard({
    counters,
    // A slot outlives the longest call (deadline plus grace) before it frees itself.
    budget: { ...config.scale.budget, leaseMs: (overrides.outboundTimeoutMs ?? 30_000) + 5_000 },
    breaker: config.scale.breaker,
    logger,
    now,
  });
  const upstream = { ...(overrides.retry ? { retry: overrides.retry } : {}), guard };
  const { publicUrl } = config.lifecycle;
  const sender = webhookSender(config, overrides);
  const events = new AccountEvents({
    deliver: sender !== undefined,
    now,
    view: (row) => toAccount(row, publicUrl),
  });
  const cursors = new CursorCodec(config.encryptionKeys);
  const accounts = new AccountService({
    store,
    vault,
    outbound,
    tokens,
    jwt,
    cursors,
    now,
    publicUrl,
    events,
    ...upstream,
  });
  const links = new LinkService({ store, vault, outbound, tokens, now, events, ...upstream });
  const metadata = new TenantMetadata(now);
  const roles = new RolesService({ metadata, cursors, now });
  const users = new UserService({ logger, metadata, roles, cursors, now });
  const writeBack = new WriteBack({ metadata, users });
  // Counted where every replica sees the same numbers (docs/operations.md, "Several replicas").
  const limiter = overrides.limiter ?? flexibleRateLimiter((options) => counters.limiter(options));
  const lifecycle = new LifecycleService({
    store,
    lifecycle: store.lifecycle,
    accounts,
    directory: { metadata, roles, users },
    cursors,
    limiter,
    logger,
    now,
    owner: overrides.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    config: {
      sender,
      syncIntervalMs: config.lifecycle.syncIntervalSeconds * 1000,
      contractWarningDays: config.lifecycle.contractWarningDays,
      leaseMs: config.lifecycle.leaseSeconds * 1000,
      hookLimit: { limit: 60, windowMs: 60_000 },
      syncConcurrency: config.scale.syncConcurrency,
      ...(overrides.syncPollMs ? { pollMs: overrides.syncPollMs } : {}),
    },
  });
  events.nudge = () => lifecycle.worker?.nudge();
  const idempotency = new IdempotencyService(store, now, {
    leaseMs: config.scale.idempotencyLeaseMs,
  });
  const proxy = new ProxyService({ cursors, idempotency });

  const hostedAssets = findHostedAssets();
  if ('missing' in hostedAssets)
    logger.warn(`the hosted connect page is unavailable: ${hostedAssets.missing}`);
  const app = createApp({
    logger,
    store,
    counters,
    jwt,
    links,
    accounts,
    directory: { users, writeBack, roles },
    proxy,
    idempotency,
    apiKeys: config.apiKeys,
    allowedOrigins: config.allowedOrigins,
    limiter,
    lifecycle,
    limits: {
      connectPerLinkToken: overrides.limits?.connectPerLinkToken ?? {
        limit: config.linkRateLimits.perLinkToken,
        windowMs: 60_000,
      },
      connectPerIp: overrides.limits?.connectPerIp ?? {
        limit: config.linkRateLimits.perIp,
        windowMs: 60_000,
      },
    },
    trustProxy: config.trustProxy,
    hosted: { ...config.hosted, assets: hostedAssets },
  });

  return {
    app,
    store,
    logger,
    tokens,
    jwt,
    vault,
    links,
    accounts,
    users,
    roles,
    writeBack,
    lifecycle,
    close: async () => {
      await lifecycle.stop();
      await sender?.close();
      await outbound.close();
      await counters.close();
      await store.close();
    },
  };
}

/** Per-request timeout of a webhook delivery (Svix's); answers beyond 64 KiB are cut off. */
const WEBHOOK_TIMEOUT_MS = 15_000;

/**
 * The webhook sender, or undefined without NERM_BROKER_WEBHOOK_URL. Its door has the
 * tenants' guard (allow-list, DNS pinning, no redirects), its own timeout and size cap.
 */
function webhookSender(
  config: BrokerConfig,
  overrides: BrokerOverrides,
): (WebhookSender & { close(): Promise<void> }) | undefined {
  const { webhookUrl, webhookSecret } = config.lifecycle;
  if (!webhookUrl || !webhookSecret) return undefined;
  const door = new Outbound({
    allowList: config.allowedHosts,
    ...(overrides.resolve ? { resolve: overrides.resolve } : {}),
    requestTimeoutMs: overrides.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS,
    connectTimeoutMs: overrides.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS,
    maxResponseBytes: 64 * 1024,
  });
  const sender = new WebhookSender({ url: webhookUrl, secret: webhookSecret, outbound: door });
  return Object.assign(sender, { close: () => door.close() });
}
