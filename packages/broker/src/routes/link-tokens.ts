import { ENDPOINTS } from '@nerm-connect/shared';
import type { Request } from 'express';
import type { RouteFn } from '../http/endpoint-router.ts';
import type { LinkService } from '../services/link-service.ts';

/**
 * Where hosted links point: the configured public URL, else the origin this API call
 * reached (right in development; production sets NERM_BROKER_PUBLIC_URL, the address
 * customers reach, see docs/hosted-link.md).
 */
export function hostedBase(req: Request, publicUrl: string | undefined): string {
  return publicUrl ?? `${req.protocol}://${req.get('host')}`;
}

/** `POST /link-tokens` (API key). */
export function linkTokensRoutes(
  route: RouteFn,
  links: LinkService,
  publicUrl: string | undefined,
): void {
  route(ENDPOINTS.createLinkToken, ({ body, req }) =>
    links.createLinkToken(body.tenant_id, body.integrated_account_id ?? undefined, {
      ...(body.expires_in !== undefined ? { expiresInSeconds: body.expires_in } : {}),
      ...(body.hosted ? { hostedBase: hostedBase(req, publicUrl) } : {}),
    }),
  );
}
