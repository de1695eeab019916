import { ENDPOINTS } from '@nerm-connect/shared';
import { buildOpenApiDocument } from '@nerm-connect/shared/openapi';
import { JsonText, type RouteFn } from '../http/endpoint-router.ts';
import type { TokenService } from '../services/token-service.ts';

/** `GET /healthz`, `/openapi.json` and `/.well-known/jwks.json` (no auth). */
export function healthRoutes(route: RouteFn, jwt: TokenService): void {
  route(ENDPOINTS.getHealth, async () => ({ status: 'ok' as const }));
  let openapi: JsonText | undefined;
  route(
    ENDPOINTS.getOpenApi,
    async () => (openapi ??= new JsonText(JSON.stringify(buildOpenApiDocument()))),
  );
  route(ENDPOINTS.getJwks, async ({ res }) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    return jwt.jwks();
  });
}
