import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { LINK_PREFIX, PATHS } from '@nerm-connect/shared';
import { requireAccountToken, requireApiKey, requireLinkToken } from './http/auth.ts';
import { linkCors } from './http/cors.ts';
import { endpointRouter } from './http/endpoint-router.ts';
import { errorHandler, notFoundHandler } from './http/errors.ts';
import './http/locals.ts';
import { rateLimit, type RateLimiter, type WindowLimit } from './http/rate-limit.ts';
import type { TrustProxy } from './http/trust-proxy.ts';
import { auditProxyWrites, auditTrail } from './http/audit-trail.ts';
import { requestId } from './http/request-id.ts';
import { healthRoutes } from './routes/health.ts';
import { integratedAccountsRoutes } from './routes/integrated-accounts.ts';
import {
  hostedAssetsRouter,
  hostedLinkRoutes,
  type HostedPageOptions,
} from './routes/hosted-link.ts';
import { linkTokensRoutes } from './routes/link-tokens.ts';
import { lifecycleRoutes } from './routes/lifecycle.ts';
import { linkRoutes } from './routes/link.ts';
import { proxyRouter } from './routes/proxy.ts';
import { tokensRoutes } from './routes/tokens.ts';
import { unifiedRoutes, type DirectoryServices } from './routes/unified.ts';
import type { AccountService } from './services/account-service.ts';
import type { IdempotencyService } from './services/idempotency-service.ts';
import type { LifecycleService } from './services/lifecycle-service.ts';
import type { LinkService } from './services/link-service.ts';
import type { ProxyService } from './services/proxy-service.ts';
import type { TokenService } from './services/token-service.ts';
import type { Counters } from './scale/counters.ts';
import type { Store } from './store/store.ts';

export interface AppDeps {
  logger: Logger;
  store: Store;
  /** Shared counters: `GET /readyz` asks them too. */
  counters: Counters;
  jwt: TokenService;
  links: LinkService;
  accounts: AccountService;
  directory: DirectoryServices;
  proxy: ProxyService;
  idempotency: IdempotencyService;
  apiKeys: readonly string[];
  allowedOrigins: readonly string[];
  limiter: RateLimiter;
  lifecycle: LifecycleService;
  limits: { connectPerLinkToken: WindowLimit; connectPerIp: WindowLimit };
  trustProxy: TrustProxy;
  /** The hosted connect page: branding, public URL, where its files are. */
  hosted: HostedPageOptions;
}

/**
 * One line per answered request. Its fields are the primitives below, which no redaction
 * path can match (they name keys inside logged objects), so the line skips the redactor:
 * pino runs a wildcard path's redactor on every field of every line, 8 of the line's
 * 9.5 µs here (docs/decisions/0108-request-path-costs.md).
 */
function accessLog(logger: Logger): RequestHandler {
  const log = logger.child({}, { redact: [] });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      log.info(
        {
          req_id: res.locals.requestId,
          method: req.method,
          // The path only: query strings can carry filters we need not keep.
          path: req.baseUrl + req.path,
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        },
        'request',
      );
    });
    next();
  };
}

/** Builds the broker's HTTP app without listening (server.ts listens). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every answer is no-store: hashing megabyte pages for an ETag nobody revalidates is waste.
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy);
  app.set('query parser', 'simple');
  app.use(requestId());
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    }),
  );
  app.use(accessLog(deps.logger));
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  // CORS and the per-IP limit cover the whole widget prefix, preflights and 404s included.
  app.use(
    LINK_PREFIX,
    linkCors(deps.allowedOrigins, deps.hosted.publicUrl),
    rateLimit(deps.limiter, deps.limits.connectPerIp, (req) => `ip:${req.ip ?? 'unknown'}`),
  );
  const accountToken = requireAccountToken(deps.jwt, deps.store, deps.accounts);
  const { router, route } = endpointRouter(
    {
      none: [],
      apiKey: [requireApiKey(deps.apiKeys), express.json({ limit: '64kb' })],
      linkToken: [
        requireLinkToken(deps.links),
        express.json({ limit: '16kb', strict: true, type: () => true }),
      ],
      accountToken: [accountToken, express.json({ limit: '256kb' })],
    },
    auditTrail(deps.lifecycle, deps.logger),
  );
  healthRoutes(route, deps.jwt, deps);
  linkRoutes(route, deps.links, {
    limiter: deps.limiter,
    perLinkToken: deps.limits.connectPerLinkToken,
  });
  linkTokensRoutes(route, deps.links, deps.hosted.publicUrl);
  hostedLinkRoutes(route, deps.hosted);
  tokensRoutes(route, deps.links, deps.jwt);
  integratedAccountsRoutes(route, deps.accounts);
  unifiedRoutes(route, deps.directory, deps.idempotency);
  lifecycleRoutes(route, deps.lifecycle);
  app.use(router);
  app.use(PATHS.hostedAssets, hostedAssetsRouter(deps.hosted.assets));
  app.use(
    PATHS.proxy,
    accountToken,
    auditProxyWrites(deps.lifecycle, deps.logger),
    proxyRouter(deps.proxy),
  );

  app.use(notFoundHandler());
  app.use(errorHandler(deps.logger));
  return app;
}
