import type { RequestHandler } from 'express';
import { BrokerError } from '../errors.ts';

/**
 * CORS for the browser-facing link endpoints only: origins from
 * NERM_BROKER_ALLOWED_ORIGINS (or any, for `*`) may use them, and the broker's own (its
 * hosted connect page: the origin the request reached, or NERM_BROKER_PUBLIC_URL's); any
 * other browser origin is refused with 403 `origin_not_allowed`. The refusal itself carries the CORS headers
 * (its preflight passes too), so the widget can read it and tell the page's developer
 * what to configure instead of reporting a network error. Nothing else is answered to a
 * refused origin: the refusal comes before the link token is even looked at.
 */
export function linkCors(
  allowedOrigins: readonly string[],
  publicUrl: string | undefined,
): RequestHandler {
  const allowed = new Set(allowedOrigins);
  // The hosted connect page (docs/hosted-link.md) is the broker's own: same origin.
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  const anyOrigin = allowed.has('*');
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    if (origin === undefined) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After');
    const own = origin === `${req.protocol}://${req.get('host')}`;
    if (req.method !== 'OPTIONS' && !anyOrigin && !own && !allowed.has(origin)) {
      return next(
        new BrokerError(
          'origin_not_allowed',
          `This page's origin (${origin}) is not in the broker's NERM_BROKER_ALLOWED_ORIGINS`,
        ),
      );
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Request-Id');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
