import type { ErrorEnvelope } from '@nerm-connect/shared';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { BrokerError } from '../errors.ts';
import { isBackendUnavailable, serviceUnavailable } from '../store/unavailable.ts';

/** Says whether a 429 is the tenant's (retried by the broker already) or the broker's own. */
export const RATE_LIMIT_SOURCE = 'X-Rate-Limit-Source';

export function sendError(res: Response, error: BrokerError): void {
  const body: ErrorEnvelope = {
    error: {
      code: error.code,
      message: error.message,
      request_id: res.locals.requestId,
      ...(error.issues ? { issues: error.issues } : {}),
    },
  };
  if (error.retryAfter !== undefined)
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.retryAfter))));
  // Whose limit this is: a tenant's (already retried here) or the broker's own.
  if (error.code === 'rate_limited')
    res.setHeader(RATE_LIMIT_SOURCE, error.upstream ? 'upstream' : 'broker');
  res.status(error.status).json(body);
}

/** Body-parser failures, translated without echoing any of the body. */
function fromParserError(error: { type?: string; status?: number }): BrokerError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return new BrokerError('payload_too_large', 'The request body is too large');
    case 'entity.parse.failed':
      return new BrokerError('invalid_request', 'The request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new BrokerError('invalid_request', 'The request body encoding is not supported');
    default:
      return error.status === 400
        ? new BrokerError('invalid_request', 'The request could not be read')
        : undefined;
  }
}

export function notFoundHandler(): RequestHandler {
  return (_req, res) => sendError(res, new BrokerError('not_found', 'No such endpoint'));
}

/** The one error middleware: contract envelope out, causes to the log (never secrets). */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known =
      error instanceof BrokerError
        ? error
        : (fromParserError(error as { type?: string; status?: number }) ??
          (isBackendUnavailable(error) ? serviceUnavailable(error) : undefined) ??
          new BrokerError(
            'internal',
            'Something went wrong on our side; the request id helps us find it',
          ));
    if (known.status >= 500) {
      const cause = error instanceof BrokerError ? error.cause : error;
      logger.error(
        {
          req_id: res.locals.requestId,
          code: known.code,
          method: req.method,
          path: req.baseUrl + req.path,
          cause: describe(cause),
        },
        known.message,
      );
    }
    if (res.headersSent) return;
    sendError(res, known);
  };
}

/** Name, code and message of an error chain; no request data is ever attached. */
function describe(error: unknown): unknown {
  if (!(error instanceof Error)) return error === undefined ? undefined : String(error);
  return {
    name: error.name,
    code: (error as { code?: unknown }).code,
    message: error instanceof SyntaxError ? 'syntax error' : error.message,
    cause: error.cause === undefined ? undefined : describe(error.cause),
  };
}
