import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { requireAccountToken, requireApiKey } from './http/auth.ts';
import { errorHandler, notFoundHandler } from './http/errors.ts';
import './http/locals.ts';
import type { RateLimiter, WindowLimit } from './http/rate-limit.ts';
import { requestId } from './http/request-id.ts';
import { healthRouter } from './routes/health.ts';
import { integratedAccountsRouter } from './routes/integrated-accounts.ts';
import { linkTokensRouter } from './routes/link-tokens.ts';
import { linkRouter } from './routes/link.ts';
import { proxyRouter } from './routes/proxy.ts';
import { tokensRouter } from './routes/tokens.ts';
import { unifiedRouter, type DirectoryServices } from './routes/unified.ts';
import type { AccountService } from './services/account-service.ts';
import type { IdempotencyService } from './services/idempotency-service.ts';
import type { LinkService } from './services/link-service.ts';
import type { ProxyService } from './services/proxy-service.ts';
import type { TokenService } from './services/token-service.ts';
import type { Store } from './store/store.ts';

export interface AppDeps {
  logger: Logger;
  store: Store;
  jwt: TokenService;
  links: LinkService;
  accounts: AccountService;
  directory: DirectoryServices;
  proxy: ProxyService;
  idempotency: IdempotencyService;
  apiKeys: readonly string[];
  allowedOrigins: readonly string[];
  limiter: RateLimiter;
  limits: { connectPerLinkToken: WindowLimit; connectPerIp: WindowLimit };
  trustProxy: boolean;
}

function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
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

  app.use(healthRouter(deps.jwt));
  app.use(
    '/link',
    linkRouter(deps.links, {
      allowedOrigins: deps.allowedOrigins,
      limiter: deps.limiter,
      perLinkToken: deps.limits.connectPerLinkToken,
      perIp: deps.limits.connectPerIp,
    }),
  );

  const admin = [requireApiKey(deps.apiKeys), express.json({ limit: '64kb' })];
  app.use('/link-tokens', ...admin, linkTokensRouter(deps.links));
  app.use('/tokens', ...admin, tokensRouter(deps.links, deps.jwt));
  app.use('/integrated-accounts', ...admin, integratedAccountsRouter(deps.accounts));

  const accountToken = requireAccountToken(deps.jwt, deps.store, deps.accounts);
  app.use('/unified/user-directory', accountToken, unifiedRouter(deps.directory, deps.idempotency));
  app.use('/proxy', accountToken, proxyRouter(deps.proxy));

  app.use(notFoundHandler());
  app.use(errorHandler(deps.logger));
  return app;
}
