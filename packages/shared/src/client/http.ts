import type { z } from 'zod';
import type { Endpoint, EndpointInput, EndpointOutput } from '../endpoints.ts';
import { fillPath, type PathTemplate } from '../paths.ts';
import { NermConnectError } from './errors.ts';
import type { PageInFlight } from './paginator.ts';
import { parseBody, toError, type RawResponse } from './responses.ts';
import { parseRetryAfter, retrying, sleep } from '../retry.ts';
import { anySignal, newRequestId, rememberRequestId } from './signals.ts';

export { isBrokerError, toError, type RawResponse } from './responses.ts';

/** A token, or a function giving one; `refresh` asks for a new one (the old one expired). */
export type TokenSource = string | ((refresh: boolean) => string | Promise<string>);

/** What `onRequest` sees: one attempt of a call, before it is sent. */
export interface RequestEvent {
  method: string;
  /** The URL without its query string (queries can carry filters not meant for logs). */
  url: string;
  /** Sent as `X-Request-Id`; the broker keeps it, so its logs match yours. */
  requestId: string;
  /** 0 for the first attempt, then 1, 2… for retries. */
  attempt: number;
}

/** What `onResponse` sees: the status (0 when there was no answer) and the time taken. */
export interface ResponseEvent extends RequestEvent {
  status: number;
  durationMs: number;
  /** Set when the attempt failed without an answer (network, timeout, abort). */
  error?: NermConnectError;
}

export interface RetryOptions {
  /**
   * The most time one call may spend, retries and their waits included (default 60 s).
   * A retry that would not fit is not made; its error is thrown instead.
   */
  budgetMs?: number;
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
}

/** Options every SDK client takes besides its credential. */
export interface TransportOptions {
  /** The broker's base URL, `http(s)://…`. */
  brokerUrl: string;
  /** A `fetch` to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: typeof fetch;
  /**
   * Time allowed for one attempt, from sending to the last byte of the answer (default
   * 30 s). Running out rejects with code `timeout`.
   */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Headers sent with every call. */
  headers?: Record<string, string>;
  /** Called before each attempt is sent (logging, tracing). Errors it throws are ignored. */
  onRequest?: (event: RequestEvent) => void;
  /** Called after each attempt, answered or not. Errors it throws are ignored. */
  onResponse?: (event: ResponseEvent) => void;
}

export interface HttpOptions extends TransportOptions {
  token: TokenSource;
}

/** Per-call options of every SDK method. */
export interface CallOptions {
  /** Cancels the call; it then rejects with a `NermConnectError` whose code is `aborted`. */
  signal?: AbortSignal | undefined;
  /** Headers for this call only; an `X-Request-Id` here is kept by the broker. */
  headers?: Record<string, string> | undefined;
}

export interface RequestSpec {
  method: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined> | URLSearchParams | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY_BUDGET_MS = 60_000;
const DEFAULT_MAX_RETRIES = 3;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/**
 * One attempt's clock: a timeout and the caller's signal, joined. It runs until the
 * answer's body is read, so a tenant that stalls mid-answer times out too.
 */
class Attempt {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private timedOut = false;
  readonly started = Date.now();
  readonly signal: AbortSignal;

  constructor(
    readonly timeoutMs: number,
    private readonly caller: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error('timeout'));
    }, timeoutMs);
    this.signal = anySignal(caller, this.controller.signal)!;
  }

  /** A failure without an answer, in the SDK's codes. */
  failure(cause: unknown, requestId: string): NermConnectError {
    this.done();
    if (this.caller?.aborted)
      return new NermConnectError('aborted', 'The call was aborted', {
        requestId,
        cause: this.caller.reason,
      });
    if (this.timedOut)
      return new NermConnectError(
        'timeout',
        `The broker did not answer within ${this.timeoutMs} ms`,
        { requestId, cause },
      );
    return new NermConnectError('network_error', 'The broker could not be reached', {
      requestId,
      cause,
    });
  }

  /**
   * The attempt is over (its answer read, or failed): the timer stops, and its signal is
   * let go of, which also takes its listener off the caller's signal (a walk's pages
   * would otherwise pile one up each).
   */
  done(): void {
    clearTimeout(this.timer);
    if (!this.controller.signal.aborted) this.controller.abort(new Error('the attempt is over'));
  }
}

/** An answer whose headers are in; `text()` reads the body within the attempt's time. */
interface Answer {
  res: Response;
  requestId: string;
  text(): Promise<RawResponse>;
  /** Drops the answer unread (before a retry). */
  discard(): Promise<void>;
}

/** What every attempt of one call shares. */
interface Call {
  spec: RequestSpec;
  headers: Record<string, string>;
  url: string;
  requestId: string;
  /** Epoch ms when the retry budget runs out. */
  deadline: number;
}

/**
 * The one place the SDK talks HTTP: auth, time bounds, retries, hooks and error
 * envelopes. Which layer retries what is in docs/architecture.md ("Retries").
 */
export class HttpClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: HttpOptions) {
    if (typeof options.brokerUrl !== 'string' || !/^https?:\/\//.test(options.brokerUrl)) {
      throw new TypeError('brokerUrl must be an http(s) URL');
    }
    for (const [name, value] of [
      ['timeoutMs', options.timeoutMs],
      ['retry.budgetMs', options.retry?.budgetMs],
      ['retry.maxRetries', options.retry?.maxRetries],
    ] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value >= 0))
        throw new TypeError(`${name} must be a number ≥ 0`);
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

  /** Sends a request; returns any answer that is not one to retry, body read. */
  async raw(spec: RequestSpec): Promise<RawResponse> {
    return (await this.send(spec)).text();
  }

  /** Sends a request and parses a 2xx body with `schema`; anything else throws. */
  async json<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.infer<S>> {
    const raw = await this.raw(spec);
    return rememberRequestId(parseBody(raw, schema), raw.requestId);
  }

  /**
   * A list page, resolved as soon as its headers are in: the next cursor comes from a
   * `Link: <…?next_cursor=…>; rel="next"` header when the broker sends one, while the
   * body is still being read and checked.
   */
  async page<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<PageInFlight<z.infer<S>>> {
    const answer = await this.send(spec);
    if (answer.res.status < 200 || answer.res.status > 299) throw toError(await answer.text());
    const body = answer
      .text()
      .then((raw) => rememberRequestId(parseBody(raw, schema), raw.requestId));
    body.catch(() => undefined);
    return { nextCursor: this.linkedNext(answer.res.headers), body };
  }

  async empty(spec: RequestSpec): Promise<void> {
    const res = await this.raw(spec);
    if (res.status < 200 || res.status > 299) throw toError(res);
  }

  /** Calls an endpoint of the table: its path filled, its answer parsed with its schema. */
  async call<E extends Endpoint>(
    endpoint: E,
    input: EndpointInput<E> & CallOptions,
  ): Promise<EndpointOutput<E>> {
    const spec = specOf(endpoint, input);
    if (endpoint.response === null) return (await this.empty(spec)) as EndpointOutput<E>;
    return this.json(spec, endpoint.response) as Promise<EndpointOutput<E>>;
  }

  /** One page of a list endpoint, resolved at its headers (see `page`). */
  callPage<E extends Endpoint & { response: z.ZodType }>(
    endpoint: E,
    input: EndpointInput<E> & CallOptions,
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

  private async token(refresh: boolean): Promise<string> {
    const source = this.options.token;
    return typeof source === 'function' ? source(refresh) : source;
  }

  private hook<K extends 'onRequest' | 'onResponse'>(
    name: K,
    event: Parameters<NonNullable<TransportOptions[K]>>[0],
  ): void {
    try {
      (this.options[name] as ((e: typeof event) => void) | undefined)?.(event);
    } catch {
      /* a logging hook must not break the call */
    }
  }

  /**
   * Sends a request, retrying what the SDK retries while the budget lasts; resolves at
   * the answer's headers. Every attempt of one call carries the same request id.
   */
  private async send(spec: RequestSpec): Promise<Answer> {
    const headers: Record<string, string> = { ...this.options.headers, ...spec.headers };
    const idHeader = Object.keys(headers).find((h) => h.toLowerCase() === 'x-request-id');
    const requestId = idHeader ? headers[idHeader]! : newRequestId();
    if (!idHeader) headers['x-request-id'] = requestId;
    const call: Call = {
      spec,
      headers,
      url: this.url(spec.path, spec.query),
      requestId,
      deadline: Date.now() + (this.options.retry?.budgetMs ?? DEFAULT_RETRY_BUDGET_MS),
    };
    const replayable = IDEMPOTENT.has(spec.method) || 'idempotency-key' in headers;
    let refreshed = false;

    return retrying(
      async (attempt) => {
        const answer = await this.attempt(call, attempt, false);
        // An expired token is refreshed once per call, at once: a refresh is not a retry.
        if (answer.res.status !== 401 || typeof this.options.token !== 'function' || refreshed)
          return answer;
        const raw = await answer.text();
        if (toError(raw).code !== 'token_expired') return { ...answer, text: async () => raw };
        refreshed = true;
        return this.attempt(call, attempt, true);
      },
      {
        retries: this.options.retry?.maxRetries ?? DEFAULT_MAX_RETRIES,
        deadline: call.deadline,
        signal: spec.signal,
        retryAfter: (outcome, attempt) => {
          // A request that never reached the broker is sent again when that is safe.
          if (!outcome.ok) {
            const { error } = outcome;
            const unsent = error instanceof NermConnectError && error.code === 'network_error';
            return unsent && replayable ? 250 * 2 ** attempt : undefined;
          }
          const { res } = outcome.value;
          // The broker's store or shared counters were briefly out (503 service_unavailable):
          // nothing was done, so a request safe to send again is, after Retry-After.
          if (res.status === 503)
            return replayable
              ? (parseRetryAfter(res.headers.get('retry-after')) ?? 1000)
              : undefined;
          // The broker's own "try again" only: NERM's throttling was the broker's to retry.
          if (res.status !== 429 || res.headers.get('x-rate-limit-source') === 'upstream')
            return undefined;
          return parseRetryAfter(res.headers.get('retry-after')) ?? 1000;
        },
        onRetry: (outcome) => (outcome.ok ? outcome.value.discard() : undefined),
        sleep: (ms, signal) =>
          sleep(ms, signal).catch((cause: unknown) => {
            throw new Attempt(0, signal).failure(cause, requestId);
          }),
      },
    );
  }

  /** One attempt of a call: its own clock, hooks, and the answer at its headers. */
  private async attempt(call: Call, attempt: number, refresh: boolean): Promise<Answer> {
    const { spec, requestId } = call;
    if (spec.signal?.aborted) throw new Attempt(0, spec.signal).failure(undefined, requestId);
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const clock = new Attempt(
      attempt === 0 ? timeoutMs : Math.min(timeoutMs, call.deadline - Date.now()),
      spec.signal,
    );
    const event = { method: spec.method, url: call.url.split('?')[0]!, requestId, attempt };
    const token = await this.token(refresh);
    this.hook('onRequest', event);
    let res: Response;
    try {
      res = await this.fetchImpl(call.url, {
        method: spec.method,
        headers: {
          accept: 'application/json',
          ...call.headers,
          authorization: `Bearer ${token}`,
          ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
        signal: clock.signal,
      });
    } catch (cause) {
      const error = clock.failure(cause, requestId);
      this.hook('onResponse', {
        ...event,
        status: 0,
        durationMs: Date.now() - clock.started,
        error,
      });
      throw error;
    }
    const answeredId = res.headers.get('x-request-id') ?? requestId;
    this.hook('onResponse', {
      ...event,
      requestId: answeredId,
      status: res.status,
      durationMs: Date.now() - clock.started,
    });
    return {
      res,
      requestId: answeredId,
      text: async () => {
        try {
          const text = await res.text();
          clock.done();
          return { status: res.status, headers: res.headers, text, requestId: answeredId };
        } catch (cause) {
          throw clock.failure(cause, answeredId);
        }
      },
      discard: async () => {
        clock.done();
        await res.body?.cancel().catch(() => undefined);
      },
    };
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
