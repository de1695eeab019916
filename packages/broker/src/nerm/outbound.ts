import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';
import { isPublicAddress } from './address-policy.ts';
import { redactHost, withoutHost } from './redact-host.ts';
import type { HostAllowList } from './host-allow-list.ts';
import { OriginPools, type AgentFactory } from './origin-pools.ts';
import { unsendableHeader } from './outbound-headers.ts';

export type OutboundErrorKind =
  | 'invalid_url'
  | 'host_not_allowed'
  | 'address_not_allowed'
  | 'unreachable'
  | 'timeout'
  | 'response_too_large'
  /** A header no HTTP message can carry; nothing was sent, and retrying cannot help. */
  | 'invalid_header'
  /** undici refused the request's shape; nothing was sent. */
  | 'invalid_request';

/** A failure to talk to a tenant, before any HTTP status exists. Never carries secrets. */
export class OutboundError extends Error {
  constructor(
    readonly kind: OutboundErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutboundError';
  }
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface OutboundOptions {
  allowList: HostAllowList;
  /** DNS resolution (all addresses); injectable so tests can point names anywhere. */
  resolve?: Resolver;
  connectTimeoutMs?: number;
  /**
   * Whole request, headers and body. The call is aborted then; if undici does not settle
   * it within a grace period, the call fails anyway and the origin's pool is replaced.
   */
  requestTimeoutMs?: number;
  maxResponseBytes?: number;
  /** Builds each origin's undici Agent; tests keep a handle on it. */
  createAgent?: AgentFactory;
}

export interface OutboundRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const ADDRESS_REFUSED = 'NERM_ADDRESS_NOT_ALLOWED';

const defaultResolve: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * The only door from the broker to a tenant. It enforces the host allow-list, resolves
 * DNS once and checks every address, then connects to exactly the checked address (no
 * rebinding window); never follows redirects; bounds time and response size.
 */
export class Outbound {
  private readonly pools: OriginPools;
  private readonly resolve: Resolver;
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: OutboundOptions) {
    this.resolve = options.resolve ?? defaultResolve;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
    this.pools = new OriginPools({
      agentOptions: (allowPrivate) => ({
        connect: { timeout: this.connectTimeoutMs, lookup: this.checkedLookup(allowPrivate) },
        keepAliveTimeout: 10_000,
        connections: 16,
      }),
      createAgent: options.createAgent ?? ((agentOptions) => new Agent(agentOptions)),
      drainMs: this.requestTimeoutMs,
    });
  }

  /** Pools replaced because they stopped answering. */
  get poolsReplaced(): number {
    return this.pools.replaced;
  }

  /** Throws `OutboundError('host_not_allowed')` unless the allow-list admits `url`. */
  admit(url: URL): { exactOrigin: boolean } {
    if (url.username || url.password)
      throw new OutboundError('invalid_url', 'URLs with credentials are refused');
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new OutboundError('invalid_url', 'only http(s) URLs can be called');
    }
    const decision = this.options.allowList.check(url);
    if (!decision.allowed) {
      throw new OutboundError(
        'host_not_allowed',
        decision.reason === 'not_https'
          ? `${url.protocol}//${redactHost(url.host)} must use https on the default port`
          : `${redactHost(url.host)} is not an allowed host`,
      );
    }
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (!decision.exactOrigin && isIP(literal) !== 0 && !isPublicAddress(literal)) {
      throw new OutboundError(
        'address_not_allowed',
        `${redactHost(url.host)} is not a public address`,
      );
    }
    return { exactOrigin: decision.exactOrigin };
  }

  async request(req: OutboundRequest): Promise<OutboundResponse> {
    const { exactOrigin } = this.admit(req.url);
    const unsendable = unsendableHeader(req.headers);
    if (unsendable) {
      throw new OutboundError(
        'invalid_header',
        `${unsendable} holds a character an HTTP header cannot carry`,
      );
    }
    const lease = this.pools.lease(req.url.origin, exactOrigin);
    const abort = new AbortController();
    const signal = req.signal ? AbortSignal.any([req.signal, abort.signal]) : abort.signal;
    const timers: NodeJS.Timeout[] = [];
    // The hard deadline does not rely on undici honouring the abort: a request stuck in
    // a wedged pool's queue never settles on its own.
    const deadline = new Promise<never>((_, reject) => {
      timers.push(
        setTimeout(() => abort.abort(timeoutError()), this.requestTimeoutMs),
        setTimeout(() => reject(WEDGED), this.requestTimeoutMs + this.graceMs()),
      );
    });
    const exchange = this.exchange(req, lease.agent, signal);
    exchange.catch(() => undefined);
    try {
      return await Promise.race([exchange, deadline]);
    } catch (error) {
      if (error === WEDGED) {
        abort.abort(timeoutError());
        this.pools.replace(lease);
        throw new OutboundError('timeout', `${redactHost(req.url.host)} did not answer in time`);
      }
      if (findCode(error) === 'UND_ERR_INVALID_ARG') this.pools.replace(lease);
      throw this.translate(error, req.url);
    } finally {
      for (const timer of timers) clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pools.close();
  }

  private graceMs(): number {
    return Math.min(1_000, this.requestTimeoutMs);
  }

  private async exchange(
    req: OutboundRequest,
    dispatcher: Dispatcher,
    signal: AbortSignal,
  ): Promise<OutboundResponse> {
    const res = await request(req.url, {
      method: req.method as 'GET',
      headers: req.headers,
      body: req.body ?? null,
      dispatcher,
      signal,
      headersTimeout: this.requestTimeoutMs,
      bodyTimeout: this.requestTimeoutMs,
    });
    const body = await this.readCapped(res.body, req.url);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: res.statusCode, headers, body };
  }

  /** A `dns.lookup`-compatible function that refuses non-public answers. */
  private checkedLookup(allowPrivate: boolean) {
    return (
      hostname: string,
      options: { all?: boolean | undefined; family?: number | string | undefined },
      callback: (
        error: NodeJS.ErrnoException | null,
        address: string | LookupAddress[],
        family?: number,
      ) => void,
    ): void => {
      this.resolve(hostname).then(
        (addresses) => {
          const family =
            options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
          const usable = addresses.filter((a) => !family || a.family === family);
          if (usable.length === 0) {
            return callback(
              Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }),
              [],
            );
          }
          if (!allowPrivate && usable.some((a) => !isPublicAddress(a.address))) {
            return callback(
              Object.assign(new Error(`${hostname} resolves to a non-public address`), {
                code: ADDRESS_REFUSED,
              }),
              [],
            );
          }
          if (options.all) return callback(null, usable);
          const first = usable[0] as LookupAddress;
          callback(null, first.address, first.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, []),
      );
    };
  }

  private async readCapped(
    body: AsyncIterable<Buffer> & { destroy(): unknown },
    url: URL,
  ): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > this.maxResponseBytes) {
          body.destroy();
          throw new OutboundError(
            'response_too_large',
            `${redactHost(url.host)} answered more than ${this.maxResponseBytes} bytes`,
          );
        }
        chunks.push(chunk);
      }
    } catch (error) {
      throw this.translate(error, url);
    }
    return Buffer.concat(chunks);
  }

  /**
   * A failure in the contract's words. Messages name the host redacted, and so do the
   * causes kept for the log: a typed tenant URL may be a pasted secret.
   */
  private translate(failure: unknown, url: URL): OutboundError {
    if (failure instanceof OutboundError) return failure;
    const code = findCode(failure);
    const error = withoutHost(failure, url.hostname);
    const host = redactHost(url.host);
    if (code === ADDRESS_REFUSED) {
      return new OutboundError(
        'address_not_allowed',
        `${redactHost(url.hostname)} resolves to a non-public address`,
        { cause: error },
      );
    }
    if (code === 'UND_ERR_INVALID_ARG') {
      return new OutboundError('invalid_request', `the request to ${host} is malformed`, {
        cause: error,
      });
    }
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError' || /TIMEOUT/.test(code ?? '')) {
      return new OutboundError('timeout', `${host} did not answer in time`, { cause: error });
    }
    return new OutboundError(
      'unreachable',
      `${host} could not be reached (${code ?? 'network error'})`,
      { cause: error },
    );
  }
}

/** The hard deadline's marker: undici left the call hanging after its abort. */
const WEDGED = Symbol('wedged');

function timeoutError(): Error {
  return new DOMException('The outbound call timed out', 'TimeoutError');
}

function findCode(error: unknown): string | undefined {
  for (
    let e: unknown = error, depth = 0;
    e && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
