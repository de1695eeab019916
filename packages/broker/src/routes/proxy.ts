import express, { Router } from 'express';
import { BrokerError } from '../errors.ts';
import { RATE_LIMIT_SOURCE } from '../http/errors.ts';
import type { ProxyService } from '../services/proxy-service.ts';
import { tenantOf } from './unified.ts';

/** `ANY /proxy/<path>` (integrated_account_token): NERM 1:1. */
export function proxyRouter(proxy: ProxyService): Router {
  const router = Router();
  router.use(express.raw({ type: () => true, limit: '1mb' }));
  router.use(async (req, res) => {
    const tenant = tenantOf(res);
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    if (
      body &&
      body.length > 0 &&
      !/^application\/(?:[\w.+-]+\+)?json\b/i.test(req.get('content-type') ?? '')
    ) {
      throw new BrokerError(
        'invalid_request',
        'The proxy forwards JSON bodies only (Content-Type: application/json)',
      );
    }
    // The raw path as the caller sent it: Express has not decoded it yet here.
    const original = req.originalUrl;
    const queryAt = original.indexOf('?');
    const rawPath = (queryAt < 0 ? original : original.slice(0, queryAt)).slice(
      req.baseUrl.length + 1,
    );
    const answer = await proxy.forward(tenant, {
      method: req.method,
      rawPath,
      query: new URLSearchParams(queryAt < 0 ? '' : original.slice(queryAt + 1)),
      ...(body ? { body } : {}),
      ...(req.get('idempotency-key')
        ? { idempotencyKey: req.get('idempotency-key') as string }
        : {}),
    });
    if (answer.contentType) res.setHeader('Content-Type', answer.contentType);
    if (answer.retryAfter) res.setHeader('Retry-After', answer.retryAfter);
    if (answer.status === 429) res.setHeader(RATE_LIMIT_SOURCE, 'upstream');
    res.status(answer.status).send(answer.body);
  });
  return router;
}
