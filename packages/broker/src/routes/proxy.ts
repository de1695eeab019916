import express, { Router } from 'express';
import { BrokerError } from '../errors.ts';
import { RATE_LIMIT_SOURCE } from '../http/errors.ts';
import type { ProxyService } from '../services/proxy-service.ts';
import { tenantOf } from './unified.ts';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/**
 * How an upstream answer is labelled here: JSON as it came; anything else (a gateway's
 * HTML page, XML, a file) as a download, `text/plain` for text, that no browser renders as
 * a page of the broker's origin. Its own type travels in `X-Upstream-Content-Type`; helmet
 * adds `nosniff` (docs/decisions/0072-proxy-non-json-as-attachment.md).
 */
export function labelled(
  contentType: string | undefined,
  hasBody: boolean,
): Record<string, string> {
  if (contentType && JSON_TYPE.test(contentType)) return { 'Content-Type': contentType };
  if (!contentType && !hasBody) return {};
  const charset = /;\s*charset=("?)([\w.:-]+)\1/i.exec(contentType ?? '')?.[2] ?? 'utf-8';
  return {
    'Content-Type':
      !contentType || /^text\//i.test(contentType)
        ? `text/plain; charset=${charset.toLowerCase()}`
        : 'application/octet-stream',
    'Content-Disposition': 'attachment',
    ...(contentType ? { 'X-Upstream-Content-Type': contentType } : {}),
  };
}

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
    for (const [name, value] of Object.entries(
      labelled(answer.contentType, answer.body.length > 0),
    ))
      res.setHeader(name, value);
    if (answer.retryAfter) res.setHeader('Retry-After', answer.retryAfter);
    if (answer.status === 429) res.setHeader(RATE_LIMIT_SOURCE, 'upstream');
    res.status(answer.status).send(answer.body);
  });
  return router;
}
