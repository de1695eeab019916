import { ConnectBody } from '@nerm-connect/shared';
import express, { Router } from 'express';
import { requireLinkToken } from '../http/auth.ts';
import { linkCors } from '../http/cors.ts';
import { rateLimit, type RateLimiter, type WindowLimit } from '../http/rate-limit.ts';
import { parse } from '../http/validate.ts';
import type { LinkService } from '../services/link-service.ts';

export interface LinkRouterOptions {
  allowedOrigins: readonly string[];
  limiter: RateLimiter;
  perLinkToken: WindowLimit;
  perIp: WindowLimit;
}

/** The widget's endpoints under `/link` (link token): `GET /session`, `POST /connect`. */
export function linkRouter(links: LinkService, options: LinkRouterOptions): Router {
  const router = Router();
  router.use(linkCors(options.allowedOrigins));
  router.use(rateLimit(options.limiter, options.perIp, (req) => `ip:${req.ip ?? 'unknown'}`));
  router.use(requireLinkToken(links));
  router.use(express.json({ limit: '16kb', strict: true, type: () => true }));

  router.get('/session', async (_req, res) => {
    res.json(await links.session(res.locals.link!));
  });

  router.post(
    '/connect',
    rateLimit(
      options.limiter,
      options.perLinkToken,
      (_req, res) => `lt:${res.locals.link!.token_hash}`,
    ),
    async (req, res) => {
      const body = parse(ConnectBody, req.body, 'connect request');
      res.status(201).json(await links.connect(res.locals.link!, body));
    },
  );
  return router;
}
