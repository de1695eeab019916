import { Router } from 'express';
import type { TokenService } from '../services/token-service.ts';

export function healthRouter(jwt: TokenService): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(jwt.jwks());
  });
  return router;
}
