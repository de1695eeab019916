import type { z } from 'zod';
import { PATHS } from '../paths.ts';
import type { HttpMethod } from '../endpoints.ts';
import { NermConnectError } from './errors.ts';
import { isBrokerError, toError, type CallOptions, type HttpClient } from './http.ts';

/** A NERM call through the broker's proxy. */
export interface ProxyRequest<S extends z.ZodType | undefined = undefined> extends CallOptions {
  method?: HttpMethod;
  /** A NERM API path below /api, e.g. `profiles/<id>` or `workflow_sessions`. */
  path: string;
  /** Passed to NERM as is; `limit`/`next_cursor` on a GET (no `offset`) ask for the unified envelope. */
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON sent to NERM as is. */
  body?: unknown;
  /** Makes a POST or PATCH safe to retry (the broker replays the stored answer). */
  idempotencyKey?: string;
  /** Parses a 2xx answer's JSON with this zod schema, so `data` is typed and checked. */
  schema?: S;
}

/** NERM's answer: `ok` and the parsed `data` for 2xx, else NERM's refusal as it sent it. */
export type ProxyResponse<T = unknown> =
  | { ok: true; status: number; data: T; requestId: string | undefined }
  | { ok: false; status: number; data: unknown; requestId: string | undefined };

/** A character no path segment may hide: a control character, a backslash, or non-ASCII. */
function hasForbidden(text: string): boolean {
  return [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) >= 0x7f || c === '\\');
}

/**
 * A relative NERM path and nothing else: no leading slash, no scheme, and no segment
 * that is empty, `.` or `..` (written plainly, percent-encoded as `%2e%2e`, or before a
 * `;` parameter as `..;`), hides a slash (`%2f`) or holds anything outside printable
 * ASCII (a full-width dot). The broker checks again; this refuses early, as a `TypeError`.
 */
export function checkProxyPath(path: string): string {
  const refuse = () => new TypeError('proxy path must be relative, like profiles/<id>');
  if (typeof path !== 'string' || path === '' || path.startsWith('/') || path.includes('://'))
    throw refuse();
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw refuse();
    }
    const name = decoded.split(';', 1)[0];
    if (
      name === '' ||
      name === '.' ||
      name === '..' ||
      decoded.includes('/') ||
      hasForbidden(decoded)
    )
      throw refuse();
  }
  return path;
}

function parseData(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `proxy.request`: NERM 1:1, its status and body as they are. */
export async function proxyRequest<S extends z.ZodType | undefined = undefined>(
  http: HttpClient,
  req: ProxyRequest<S>,
): Promise<ProxyResponse<S extends z.ZodType ? z.output<S> : unknown>> {
  const path = checkProxyPath(req.path);
  const res = await http.raw({
    method: req.method ?? 'GET',
    path: `${PATHS.proxy}/${path}`,
    query: req.query,
    body: req.body,
    headers: {
      ...req.headers,
      ...(req.idempotencyKey ? { 'idempotency-key': req.idempotencyKey } : {}),
    },
    signal: req.signal,
  });
  if (isBrokerError(res)) throw toError(res);
  const data = parseData(res.text);
  const requestId = res.requestId;
  if (res.status < 200 || res.status > 299)
    return { ok: false, status: res.status, data, requestId };
  if (!req.schema) return { ok: true, status: res.status, data: data as never, requestId };
  const parsed = req.schema.safeParse(data);
  if (!parsed.success)
    throw new NermConnectError('invalid_response', 'NERM answered in an unexpected shape', {
      status: res.status,
      ...(requestId ? { requestId } : {}),
      cause: parsed.error,
    });
  return { ok: true, status: res.status, data: parsed.data as never, requestId };
}
