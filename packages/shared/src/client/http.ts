import type { z } from 'zod';
import type { Endpoint, EndpointInput, EndpointOutput } from '../endpoints.ts';
import { ErrorEnvelopeSchema } from '../errors.ts';
import { fillPath, type PathTemplate } from '../paths.ts';
import { NermConnectError } from './errors.ts';
import type { PageInFlight } from './paginator.ts';

export type TokenSource = string | (() => string | Promise<string>);

export interface HttpOptions {
  brokerUrl: string;
  token: TokenSource;
  fetch?: typeof fetch;
  /** Retries of a 429 answer, waiting as Retry-After says (default 3). */
  maxRetries?: number;
  /** Longest Retry-After the SDK waits out itself (default 30 s); longer waits surface as errors. */
  maxRetryAfterMs?: number;
}

export interface RequestSpec {
  method: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined> | URLSearchParams | undefined;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

function retryAfterMs(headers: Headers): number {
  const value = headers.get('retry-after');
  if (!value) return 1000;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - Date.now());
}

/** The one place the SDK talks HTTP: auth, 429 retries, error envelopes. */
export class HttpClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: HttpOptions) {
    if (typeof options.brokerUrl !== 'string' || !/^https?:\/\//.test(options.brokerUrl)) {
      throw new TypeError('brokerUrl must be an http(s) URL');
    }
    this.base = options.brokerUrl.replace(/\/+$/, '');
    const impl = options.fetch ?? globalThis.fetch;
    if (typeof impl !== 'function') throw new TypeError('no fetch implementation available');
    this.fetchImpl = impl.bind(globalThis);
  }

  url(path: string, query?: RequestSpec['query']): string {
    const url = new URL(`${this.base}${path}`);
    if (query instanceof URLSearchParams) url.search = query.toString();
    else if (query) {
      for (const [key, value] of Object.entries(query))
        if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** Sends a request; returns any answer that is not a 429 to retry, body read. */
  async raw(spec: RequestSpec): Promise<RawResponse> {
    const res = await this.send(spec);
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  /** Sends a request and parses a 2xx body with `schema`; anything else throws. */
  async json<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.infer<S>> {
    return parseBody(await this.raw(spec), schema);
  }

  /**
   * A list page, resolved as soon as its headers are in: the next cursor comes from a
   * `Link: <…?next_cursor=…>; rel="next"` header when the broker sends one, while the
   * body is still being read and checked.
   */
  async page<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<PageInFlight<z.infer<S>>> {
    const res = await this.send(spec);
    const read = res.text().then((text) => ({ status: res.status, headers: res.headers, text }));
    if (res.status < 200 || res.status > 299) throw toError(await read);
    const body = read.then((raw) => parseBody(raw, schema));
    body.catch(() => undefined);
    return { nextCursor: this.linkedNext(res.headers), body };
  }

  async empty(spec: RequestSpec): Promise<void> {
    const res = await this.raw(spec);
    if (res.status < 200 || res.status > 299) throw toError(res);
  }

  /** Calls an endpoint of the table: its path filled, its answer parsed with its schema. */
  async call<E extends Endpoint>(
    endpoint: E,
    input: EndpointInput<E> & { signal?: AbortSignal | undefined },
  ): Promise<EndpointOutput<E>> {
    const spec = specOf(endpoint, input);
    if (endpoint.response === null) return (await this.empty(spec)) as EndpointOutput<E>;
    return this.json(spec, endpoint.response) as Promise<EndpointOutput<E>>;
  }

  /** One page of a list endpoint, resolved at its headers (see `page`). */
  callPage<E extends Endpoint & { response: z.ZodType }>(
    endpoint: E,
    input: EndpointInput<E> & { signal?: AbortSignal | undefined },
  ): Promise<PageInFlight<EndpointOutput<E>>> {
    return this.page(specOf(endpoint, input), endpoint.response) as Promise<
      PageInFlight<EndpointOutput<E>>
    >;
  }

  /** `next_cursor` of a `rel="next"` link; undefined when the broker sent no Link header. */
  private linkedNext(headers: Headers): string | null | undefined {
    const link = headers.get('link');
    if (link === null) return undefined;
    const target = /<([^>]*)>\s*;\s*rel="?next"?/.exec(link)?.[1];
    return target ? new URL(target, `${this.base}/`).searchParams.get('next_cursor') : null;
  }

  /** Sends a request, waiting out 429s as Retry-After says; resolves at the headers. */
  private async send(spec: RequestSpec): Promise<Response> {
    const maxRetries = this.options.maxRetries ?? 3;
    const maxWait = this.options.maxRetryAfterMs ?? 30_000;
    for (let attempt = 0; ; attempt++) {
      const token =
        typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
      const headers: Record<string, string> = {
        accept: 'application/json',
        authorization: `Bearer ${token}`,
        ...spec.headers,
      };
      if (spec.body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await this.fetchImpl(this.url(spec.path, spec.query), {
          method: spec.method,
          headers,
          ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
          ...(spec.signal ? { signal: spec.signal } : {}),
        });
      } catch (cause) {
        if (spec.signal?.aborted) throw cause;
        throw new NermConnectError('network_error', 'The broker could not be reached', { cause });
      }
      if (res.status === 429 && attempt < maxRetries) {
        const wait = retryAfterMs(res.headers);
        if (wait <= maxWait) {
          await res.body?.cancel();
          await sleep(wait + Math.random() * 100, spec.signal);
          continue;
        }
      }
      return res;
    }
  }
}

function specOf(
  endpoint: Endpoint,
  input: {
    params?: unknown;
    query?: unknown;
    headers?: Record<string, string | undefined> | undefined;
    body?: unknown;
    signal?: AbortSignal | undefined;
  },
): RequestSpec {
  const headers = Object.fromEntries(
    Object.entries(input.headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return {
    method: endpoint.method,
    path: fillPath(endpoint.path as PathTemplate, (input.params ?? {}) as never),
    query: input.query as RequestSpec['query'],
    body: input.body,
    headers,
    signal: input.signal,
  };
}

function parseBody<S extends z.ZodType>(res: RawResponse, schema: S): z.infer<S> {
  if (res.status < 200 || res.status > 299) throw toError(res);
  let body: unknown;
  try {
    body = res.text === '' ? undefined : JSON.parse(res.text);
  } catch (cause) {
    throw new NermConnectError(
      'invalid_response',
      'The broker answered with something that is not JSON',
      {
        status: res.status,
        cause,
      },
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new NermConnectError('invalid_response', 'The broker answered in an unexpected shape', {
      status: res.status,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Whether an answer is the broker's own error envelope (not, say, NERM's `{"error": "…"}`). */
export function isBrokerError(res: RawResponse): boolean {
  try {
    return ErrorEnvelopeSchema.safeParse(JSON.parse(res.text)).success;
  } catch {
    return false;
  }
}

export function toError(res: RawResponse): NermConnectError {
  let envelope;
  try {
    envelope = ErrorEnvelopeSchema.safeParse(JSON.parse(res.text));
  } catch {
    envelope = undefined;
  }
  const requestId = res.headers.get('x-request-id') ?? undefined;
  if (envelope?.success) {
    const { code, message, request_id, issues } = envelope.data.error;
    const retry = res.headers.get('retry-after');
    return new NermConnectError(code, message, {
      status: res.status,
      requestId: request_id,
      ...(issues ? { issues } : {}),
      ...(retry && /^\d+$/.test(retry) ? { retryAfter: Number(retry) } : {}),
    });
  }
  return new NermConnectError('invalid_response', `The broker answered HTTP ${res.status}`, {
    status: res.status,
    ...(requestId ? { requestId } : {}),
  });
}
