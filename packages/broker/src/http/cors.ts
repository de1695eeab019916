import type { RequestHandler } from 'express';
import { BrokerError } from '../errors.ts';

/**
 * CORS for the browser-facing link endpoints only: origins from
 * NERM_BROKER_ALLOWED_ORIGINS (or any, for `*`) get the headers; any other browser
 * origin is refused.
 */
export function linkCors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  const anyOrigin = allowed.has('*');
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    if (origin === undefined) return next();
    if (!anyOrigin && !allowed.has(origin)) {
      return next(
        new BrokerError(
          'forbidden',
          'This page is not allowed to use the broker (NERM_BROKER_ALLOWED_ORIGINS)',
        ),
      );
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After');
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
