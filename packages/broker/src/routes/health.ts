import { ENDPOINTS } from '@nerm-connect/shared';
import { JsonText, type RouteFn } from '../http/endpoint-router.ts';
import type { TokenService } from '../services/token-service.ts';

/** `GET /healthz`, `/openapi.json` and `/.well-known/jwks.json` (no auth). */
export function healthRoutes(route: RouteFn, jwt: TokenService): void {
  route(ENDPOINTS.getHealth, async () => ({ status: 'ok' as const }));
  // Built on first request: the generator is not needed to start serving.
  let openapi: Promise<JsonText> | undefined;
  route(
    ENDPOINTS.getOpenApi,
    () =>
      (openapi ??= import('@nerm-connect/shared/openapi').then(
        ({ buildOpenApiDocument }) => new JsonText(JSON.stringify(buildOpenApiDocument())),
        (error: unknown) => {
          openapi = undefined;
          throw error;
        },
      )),
  );
  route(ENDPOINTS.getJwks, async ({ res }) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    return jwt.jwks();
  });
}
