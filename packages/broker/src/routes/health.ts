import { buildOpenApiDocument } from '@nerm-connect/shared/openapi';
import { Router } from 'express';
import type { TokenService } from '../services/token-service.ts';

export function healthRouter(jwt: TokenService): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  let openapi: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    openapi ??= JSON.stringify(buildOpenApiDocument());
    res.type('application/json').send(openapi);
  });
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(jwt.jwks());
  });
  return router;
}
