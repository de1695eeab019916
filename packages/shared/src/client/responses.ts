import type { z } from 'zod';
import { ErrorEnvelopeSchema } from '../errors.ts';
import { NermConnectError } from './errors.ts';
import { parseRetryAfter } from '../retry.ts';

/** An answer with its body read. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The answer's `X-Request-Id` (or the one the SDK sent). */
  requestId?: string | undefined;
}

/** Parses a 2xx body with `schema`; anything else is a `NermConnectError`. */
export function parseBody<S extends z.ZodType>(res: RawResponse, schema: S): z.infer<S> {
  if (res.status < 200 || res.status > 299) throw toError(res);
  let body: unknown;
  try {
    body = res.text === '' ? undefined : JSON.parse(res.text);
  } catch (cause) {
    throw new NermConnectError(
      'invalid_response',
      'The broker answered with something that is not JSON',
      { status: res.status, ...requestIdOf(res), cause },
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new NermConnectError('invalid_response', 'The broker answered in an unexpected shape', {
      status: res.status,
      ...requestIdOf(res),
      cause: parsed.error,
    });
  }
  return parsed.data;
}

function requestIdOf(res: RawResponse): { requestId?: string } {
  const id = res.requestId ?? res.headers.get('x-request-id') ?? undefined;
  return id ? { requestId: id } : {};
}

/** Whether an answer is the broker's own error envelope (not, say, NERM's `{"error": "…"}`). */
export function isBrokerError(res: RawResponse): boolean {
  try {
    return ErrorEnvelopeSchema.safeParse(JSON.parse(res.text)).success;
  } catch {
    return false;
  }
}

/** The broker's error envelope as a `NermConnectError` (code, status, request id, issues). */
export function toError(res: RawResponse): NermConnectError {
  let envelope;
  try {
    envelope = ErrorEnvelopeSchema.safeParse(JSON.parse(res.text));
  } catch {
    envelope = undefined;
  }
  if (envelope?.success) {
    const { code, message, request_id, issues } = envelope.data.error;
    const retryMs = parseRetryAfter(res.headers.get('retry-after'));
    return new NermConnectError(code, message, {
      status: res.status,
      requestId: request_id,
      ...(issues ? { issues } : {}),
      ...(retryMs !== undefined ? { retryAfter: Math.ceil(retryMs / 1000) } : {}),
    });
  }
  return new NermConnectError('invalid_response', `The broker answered HTTP ${res.status}`, {
    status: res.status,
    ...requestIdOf(res),
  });
}
