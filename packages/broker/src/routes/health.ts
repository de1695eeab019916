import { ENDPOINTS } from '@nerm-connect/shared';
import { JsonText, type RouteFn } from '../http/endpoint-router.ts';
import type { Counters } from '../scale/counters.ts';
import type { TokenService } from '../services/token-service.ts';
import type { Store } from '../store/store.ts';
import { serviceUnavailable } from '../store/unavailable.ts';

/**
 * `GET /healthz` (liveness: the process serves HTTP), `GET /readyz` (readiness: the store
 * and the shared counters answer), `/openapi.json` and `/.well-known/jwks.json` (no auth).
 * docs/operations.md, "TLS and health checks".
 */
export function healthRoutes(
  route: RouteFn,
  jwt: TokenService,
  backends: { store: Pick<Store, 'ping'>; counters: Pick<Counters, 'ping'> },
): void {
  route(ENDPOINTS.getHealth, async () => ({ status: 'ok' as const }));
  route(ENDPOINTS.getReady, async () => {
    await Promise.all([
      backends.store.ping().catch((error: unknown) => {
        throw serviceUnavailable(error);
      }),
      backends.counters.ping().catch((error: unknown) => {
        throw serviceUnavailable(error, 'shared counter');
      }),
    ]);
    return { status: 'ok' as const };
  });
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
