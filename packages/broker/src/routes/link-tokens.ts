import { ENDPOINTS } from '@nerm-connect/shared';
import type { RouteFn } from '../http/endpoint-router.ts';
import type { LinkService } from '../services/link-service.ts';

/** `POST /link-tokens` (API key). */
export function linkTokensRoutes(route: RouteFn, links: LinkService): void {
  route(ENDPOINTS.createLinkToken, ({ body }) =>
    links.createLinkToken(body.tenant_id, body.integrated_account_id ?? undefined),
  );
}
