import { createServer, type RequestListener, type Server } from 'node:http';

export interface HttpLimits {
  /** Until the request's headers are complete (slow-header clients). */
  headersTimeoutMs: number;
  /** Until the whole request, body included, has arrived (not the answer). */
  requestTimeoutMs: number;
  /** Idle keep-alive connections; above common load balancers' 60 s. */
  keepAliveTimeoutMs: number;
  /** Open client connections; more are closed at once (NERM_BROKER_MAX_CONNECTIONS). */
  maxConnections: number;
  /** How often Node checks the two timeouts above; tests shorten it. */
  checkIntervalMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1024,
  checkIntervalMs: 1_000,
};

/**
 * The broker's HTTP server, bounded so slow or idle clients cannot hold it: see
 * docs/security.md, "Findings and fixes" (finding 1) and docs/operations.md.
 */
export function createHttpServer(app: RequestListener, limits: Partial<HttpLimits>): Server {
  const l = { ...DEFAULT_HTTP_LIMITS, ...limits };
  const server = createServer(
    {
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      connectionsCheckingInterval: l.checkIntervalMs,
    },
    app,
  );
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
  server.maxConnections = l.maxConnections;
  return server;
}
