import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { NermApi } from './api.ts';
import { ApiContext } from './context.ts';
import { Authenticator, randomSecret, type ClientCredentials } from './auth.ts';
import { INVALID_JSON, SERVER_ERROR } from './errors.ts';
import { Faults, type FaultPlan } from './faults.ts';
import type { Quirks } from './quirks.ts';
import { seedTenant, type SeedOptions } from './seed.ts';
import { Stats } from './stats.ts';
import { adminAction } from './admin-control.ts';
import { TenantAdmin } from './tenant-admin.ts';
import type { TenantData } from './types.ts';

export interface SandboxOptions extends SeedOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
  /** Access-token lifetime of `/oauth/token`, seconds (ISC answers ~749). */
  tokenTtlSeconds?: number;
  faults?: FaultPlan;
  /** Behaviours other tenants show (see Quirks); none means a live tenant of today. */
  quirks?: Quirks;
  /** Tenant data to serve instead of the seeded tenant. */
  data?: TenantData;
}

export interface SandboxCredentials {
  apiKey: string;
  client: ClientCredentials;
  /** A valid legacy key of a user without NERM admin rights (every call: 403). */
  restrictedApiKey: string;
  /** A valid PAT of an identity without NERM admin rights (token issued, calls: 403). */
  restrictedClient: ClientCredentials;
}

export interface Sandbox {
  /** Tenant origin, e.g. `http://127.0.0.1:4010`; the API lives under `/api`. */
  readonly url: string;
  readonly tokenUrl: string;
  readonly credentials: SandboxCredentials;
  readonly data: TenantData;
  readonly stats: Stats;
  readonly faults: Faults;
  /** Console actions of a tenant administrator (hire, terminate, grant a role…). */
  readonly admin: TenantAdmin;
  /** Switches tenant behaviours at runtime; `{}` is a live tenant. */
  setQuirks(quirks: Quirks): void;
  /** Every access token issued so far stops working (401) from now on. */
  expireTokens(): void;
  setTokenTtl(seconds: number): void;
  /**
   * The tenant admin revokes the legacy key and the PAT: both are replaced (see
   * `credentials`) and every issued token stops working.
   */
  rotateCredentials(): void;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  if (body === undefined || status === 204) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...headers,
    })
    .end(text);
}

/** Gateways answer 502/503/504 with an HTML page, not NERM JSON. */
function sendGatewayError(res: ServerResponse, status: number): void {
  if (status === 500) return send(res, 500, { error: SERVER_ERROR });
  const html = `<html><body><h1>${status} Service Temporarily Unavailable</h1></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html' }).end(html);
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function basicAuth(header: string | undefined): ClientCredentials | undefined {
  const encoded = header && /^Basic\s+(\S+)$/i.exec(header)?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

/** Starts a NERM tenant simulator on loopback. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const data = options.data ?? seedTenant(options);
  const credentials: SandboxCredentials = {
    apiKey: options.apiKey ?? randomSecret('nerm_'),
    client: {
      clientId: options.clientId ?? randomSecret('', 16).replace(/[-_]/g, 'x'),
      clientSecret: options.clientSecret ?? randomSecret('', 32),
    },
    restrictedApiKey: randomSecret('nerm_ro_'),
    restrictedClient: { clientId: randomSecret('ro', 12), clientSecret: randomSecret('', 32) },
  };
  const auth = new Authenticator({
    apiKey: credentials.apiKey,
    restrictedApiKey: credentials.restrictedApiKey,
    client: credentials.client,
    restrictedClient: credentials.restrictedClient,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 749,
  });
  const api = new NermApi(new ApiContext(data, Date.now, { ...options.quirks }));
  const admin = new TenantAdmin(api);
  const stats = new Stats();
  const faults = new Faults(options.faults);

  async function tokenEndpoint(
    req: IncomingMessage,
    res: ServerResponse,
    raw: string,
  ): Promise<void> {
    const type = req.headers['content-type'] ?? '';
    const form = type.includes('application/json')
      ? new URLSearchParams(
          Object.entries(safeJson(raw) ?? {}).map(([k, v]): [string, string] => [k, String(v)]),
        )
      : new URLSearchParams(raw);
    if (form.get('grant_type') !== 'client_credentials') {
      return send(res, 400, {
        error: 'unsupported_grant_type',
        error_description: 'Unsupported grant type',
      });
    }
    const basic = basicAuth(req.headers.authorization);
    const clientId = form.get('client_id') ?? basic?.clientId ?? '';
    const clientSecret = form.get('client_secret') ?? basic?.clientSecret ?? '';
    const issued = auth.issue(clientId, clientSecret);
    if (!issued)
      return send(res, 401, { error: 'invalid_client', error_description: 'Bad credentials' });
    stats.tokensIssued++;
    send(
      res,
      200,
      {
        access_token: issued.token,
        token_type: 'bearer',
        expires_in: issued.expiresIn,
        scope: 'sp:scopes:all',
        tenant_id: 'sandbox',
        pod: 'sandbox-pod',
        strong_auth_supported: false,
        jti: randomSecret('', 12),
      },
      { 'cache-control': 'no-store' },
    );
  }

  async function apiEndpoint(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    raw: string,
  ): Promise<void> {
    const n = ++stats.api;
    stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
    try {
      await answerApi(req, res, url, raw, n);
    } finally {
      stats.inFlight--;
    }
  }

  async function answerApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    raw: string,
    n: number,
  ): Promise<void> {
    await faults.released();
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const fault = faults.decide(n, req.method);
    if (fault.kind === 'rate_limited') {
      stats.rateLimited++;
      return send(
        res,
        429,
        { error: 'Too Many Requests' },
        { 'retry-after': String(fault.retryAfter) },
      );
    }
    if (fault.kind === 'fail') {
      stats.injectedFailures++;
      return sendGatewayError(res, fault.status);
    }
    const outcome = auth.check(req.headers.authorization);
    if (!outcome.ok) return send(res, 401, { error: outcome.error });
    if (outcome.caller.kind === 'restricted') {
      return send(res, 403, {
        error: 'You are not authorized to access the Non-Employee Risk Management API',
      });
    }
    let body: unknown;
    if (raw !== '') {
      body = safeJson(raw);
      if (body === undefined) return send(res, 400, { error: INVALID_JSON });
    }
    const result = api.handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body,
    });
    stats.count(result.route);
    send(res, result.status, result.body);
  }

  /**
   * Not NERM: the sandbox's own controls, for tests, benchmarks and demos that run it as a
   * process. Counters; faults and quirks replaced as a whole (`{}` switches all off); the
   * credentials that work right now (after a rotation too), for a host page's backend to
   * hand to the widget's sandbox fill buttons (packages/nerm-sandbox/README.md). No CORS
   * header: another site's page cannot read them.
   */
  function control(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): void {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /__sandbox/stats') return send(res, 200, stats.snapshot());
    if (route === 'GET /__sandbox/credentials') {
      return send(res, 200, credentialsView(), { 'cache-control': 'no-store' });
    }
    const body = safeJson(raw);
    if (route === 'PUT /__sandbox/faults' || route === 'PUT /__sandbox/quirks') {
      if (!body) return send(res, 400, { error: 'expected a JSON object' });
      if (route === 'PUT /__sandbox/faults') faults.set(body as FaultPlan);
      else api.setQuirks(body as Quirks);
      return send(res, 204);
    }
    if (route === 'POST /__sandbox/admin') {
      // JSON only: a page of another site cannot send that without a preflight we refuse.
      if (!req.headers['content-type']?.startsWith('application/json'))
        return send(res, 415, { error: 'send application/json' });
      if (!body) return send(res, 400, { error: 'expected a JSON object' });
      const answer = adminAction(admin, body, Date.now());
      return send(res, answer.status, answer.body);
    }
    send(res, 404, { error: 'Not Found' });
  }

  /** Set once listening. */
  let url = '';

  /** The `pnpm sandbox` line's fields, plus the restricted (non-admin) identity's. */
  const credentialsView = () => ({
    url,
    token_url: `${url}/oauth/token`,
    api_key: credentials.apiKey,
    client_id: credentials.client.clientId,
    client_secret: credentials.client.clientSecret,
    restricted: {
      api_key: credentials.restrictedApiKey,
      client_id: credentials.restrictedClient.clientId,
      client_secret: credentials.restrictedClient.clientSecret,
    },
  });

  const server: Server = createServer((req, res) => {
    void (async () => {
      stats.total++;
      const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
      const raw = await readBody(req);
      stats.record({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search,
        headers: { ...req.headers },
        body: raw ?? '',
      });
      if (raw === null) return send(res, 413, { error: 'Request Entity Too Large' });
      if (url.pathname.startsWith('/__sandbox/')) return control(req, res, url, raw);
      if (url.pathname === '/health_check' && req.method === 'GET') {
        return send(res, 200, { healthy: true, message: 'Everything is working' });
      }
      if (url.pathname === '/oauth/token') {
        stats.count(`${req.method} /oauth/token`);
        if (req.method !== 'POST') return send(res, 405, { error: 'Method Not Allowed' });
        return tokenEndpoint(req, res, raw);
      }
      if (url.pathname === '/api' || url.pathname.startsWith('/api/'))
        return apiEndpoint(req, res, url, raw);
      send(res, 404, { error: 'Not Found' });
    })().catch(() => {
      if (!res.headersSent) send(res, 500, { error: SERVER_ERROR });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  url = `http://${host}:${port}`;

  return {
    url,
    tokenUrl: `${url}/oauth/token`,
    credentials,
    data,
    stats,
    faults,
    admin,
    setQuirks: (quirks) => api.setQuirks(quirks),
    expireTokens: () => auth.expireAll(),
    setTokenTtl: (seconds) => auth.setTokenTtl(seconds),
    rotateCredentials: () => {
      const next = auth.rotate();
      credentials.apiKey = next.apiKey;
      credentials.client = { ...credentials.client, clientSecret: next.clientSecret };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function safeJson(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
