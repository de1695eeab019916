import { aUser } from './users.ts';

/**
 * A fake of the broker's HTTP side for the SDK's unit tests: a `fetch` that answers from
 * a handler and records every request. Our own transport, faked; the real broker is
 * exercised by the broker package's integration tests and the package e2e test.
 */
export interface Recorded {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
  signal: AbortSignal | undefined;
}

export type Handler = (req: Recorded, index: number) => Response | Promise<Response>;

export function fakeFetch(handler: Handler): { fetch: typeof fetch; requests: Recorded[] } {
  const requests: Recorded[] = [];
  const fetchImpl = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const recorded: Recorded = {
      method: init.method ?? 'GET',
      url: new URL(String(input)),
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      signal: init.signal ?? undefined,
    };
    requests.push(recorded);
    if (recorded.signal?.aborted) throw recorded.signal.reason;
    return handler(recorded, requests.length - 1);
  }) as typeof fetch;
  return { fetch: fetchImpl, requests };
}

/** A JSON answer with the broker's usual headers. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json',
      'x-request-id': 'req_fromthebroker',
      ...headers,
    },
  });
}

/** The broker's error envelope. */
export function brokerError(
  status: number,
  code: string,
  headers: Record<string, string> = {},
): Response {
  return json(status, { error: { code, message: code, request_id: 'req_fromthebroker' } }, headers);
}

/** An answer that never arrives: settles only by rejecting when its signal aborts. */
export function never(req: Recorded): Promise<Response> {
  return new Promise((_resolve, reject) => {
    req.signal?.addEventListener('abort', () => reject(req.signal!.reason), { once: true });
  });
}

/** Headers in at once, then a body that never ends (a tenant stalling mid-answer). */
export function stalledBody(req: Recorded): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"result":['));
      req.signal?.addEventListener('abort', () => controller.error(req.signal!.reason), {
        once: true,
      });
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
}

/** The user the fake broker answers: the shared test user, as a read returns her. */
export const USER = { ...aUser({ id: 'u1' }), remote_data: {} };

export const BROKER = 'http://broker.test';
