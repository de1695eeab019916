import { ENDPOINTS } from '@nerm-connect/shared';
import type { RouteFn } from '../http/endpoint-router.ts';
import { rateLimit, type RateLimiter, type WindowLimit } from '../http/rate-limit.ts';
import type { LinkService } from '../services/link-service.ts';

export interface LinkRouteOptions {
  limiter: RateLimiter;
  perLinkToken: WindowLimit;
}

/**
 * The widget's endpoints (link token): `GET /link/session`, `POST /link/connect`. CORS
 * and the per-IP limit cover the whole prefix (app.ts).
 */
export function linkRoutes(route: RouteFn, links: LinkService, options: LinkRouteOptions): void {
  route(ENDPOINTS.getLinkSession, ({ res }) => links.session(res.locals.link!));
  route(
    ENDPOINTS.connect,
    ({ res, body }) => links.connect(res.locals.link!, body),
    rateLimit(
      options.limiter,
      options.perLinkToken,
      (_req, res) => `lt:${res.locals.link!.token_hash}`,
    ),
  );
}
