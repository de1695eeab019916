import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import {
  AUTH_ERRORS,
  ENDPOINTS,
  PROXY,
  type AuthKind,
  type Endpoint,
  type HttpMethod,
} from './endpoints.ts';
import { ERROR_STATUS, ErrorEnvelopeSchema, type ErrorCode } from './errors.ts';
import { openApiPath } from './paths.ts';

type Document = ReturnType<typeof createDocument>;

const RequestIdHeader = z.string().meta({
  header: {
    id: 'RequestId',
    description: 'The request id: a well-formed one the caller sent, else one the broker made.',
  },
});

const RetryAfterHeader = z.string().meta({
  header: { id: 'RetryAfter', description: 'Seconds to wait before trying again.' },
});

const RateLimitSourceHeader = z.enum(['broker', 'upstream']).meta({
  header: {
    id: 'RateLimitSource',
    description:
      "`upstream`: the tenant's limit, already retried by the broker (do not retry at once); `broker`: the broker's own (retry after Retry-After).",
  },
});

const LinkHeader = z
  .string()
  .optional()
  .meta({
    header: {
      id: 'Link',
      description:
        'RFC 8288 `<…?next_cursor=…>; rel="next"` when a next page exists (same query, next cursor).',
    },
  });

const SECURITY: Record<
  Exclude<AuthKind, 'none'>,
  { description: string; bearerFormat?: string }
> = {
  apiKey: { description: 'One of NERM_BROKER_API_KEYS (server to server).' },
  linkToken: { description: 'A link token from POST /link-tokens (the widget).' },
  accountToken: { description: 'An integrated_account_token.', bearerFormat: 'JWT' },
};

/** Error answers grouped by status: `{ "401": "unauthorized, token_expired" }` and so on. */
function errorResponses(codes: readonly ErrorCode[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...codes, 'internal' as const, 'service_unavailable' as const])) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[`${status}` as `4${string}`] = {
      description: group.join(', '),
      headers: z.object({
        'X-Request-Id': RequestIdHeader,
        ...(status === 429
          ? { 'Retry-After': RetryAfterHeader, 'X-Rate-Limit-Source': RateLimitSourceHeader }
          : {}),
      }),
      content: { 'application/json': { schema: ErrorEnvelopeSchema } },
    };
  }
  return responses;
}

function security(auth: AuthKind) {
  return auth === 'none' ? [] : [{ [auth]: [] }];
}

function operation(operationId: string, e: Endpoint): ZodOpenApiOperationObject {
  const headers = z.object({
    'X-Request-Id': RequestIdHeader,
    ...(e.list ? { Link: LinkHeader } : {}),
  });
  const success =
    e.response === null
      ? { description: e.status === 204 ? 'Done; no body' : 'Success', headers }
      : {
          description: 'Success',
          headers,
          content: {
            'application/json': { schema: e.response },
            ...(e.csv ? { 'text/csv': { schema: { type: 'string' as const } } } : {}),
          },
        };
  return {
    operationId,
    summary: e.summary,
    ...(e.description ? { description: e.description } : {}),
    security: security(e.auth),
    ...(e.params || e.query || e.headers
      ? {
          requestParams: {
            ...(e.params ? { path: e.params } : {}),
            ...(e.query ? { query: e.query } : {}),
            ...(e.headers ? { header: e.headers } : {}),
          },
        }
      : {}),
    ...(e.body
      ? {
          requestBody: {
            required: !e.bodyOptional,
            content: { 'application/json': { schema: e.body } },
          },
        }
      : {}),
    responses: {
      [`${e.status}`]: success,
      ...errorResponses([...AUTH_ERRORS[e.auth], ...e.errors]),
    },
  };
}

/**
 * The proxy, once per depth: `/proxy/{p1}`, `/proxy/{p1}/{p2}`… Each segment is its own
 * parameter, so a generated client (openapi-fetch, say) sends `profiles/<id>` with its
 * slash rather than as `profiles%2F<id>`, which the broker refuses.
 */
function proxyPaths(): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  for (let depth = 1; depth <= PROXY.maxDepth; depth++) {
    const names = Array.from({ length: depth }, (_, i) => `p${i + 1}`);
    const path = `${PROXY.path}/${names.map((n) => `{${n}}`).join('/')}`;
    const segments = z.object(
      Object.fromEntries(
        names.map((n, i) => [
          n,
          z
            .string()
            .regex(/^[^/]+$/)
            .meta({ description: `Segment ${i + 1} of the NERM path below /api.` }),
        ]),
      ),
    );
    const item: Partial<Record<Lowercase<HttpMethod>, ZodOpenApiOperationObject>> = {};
    for (const method of PROXY.methods) {
      const lower = method.toLowerCase() as Lowercase<HttpMethod>;
      const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
      item[lower] = {
        operationId: `proxy${method[0]}${lower.slice(1)}${depth}`,
        summary: PROXY.summary,
        description: PROXY.description,
        security: security(PROXY.auth),
        requestParams: { path: segments, query: PROXY.query, header: PROXY.headers },
        ...(withBody
          ? {
              requestBody: {
                description: 'Sent to NERM as it is (JSON only).',
                content: { 'application/json': { schema: { type: 'object' } } },
              },
            }
          : {}),
        responses: {
          '2XX': {
            description: "NERM's answer as it is, or a NERM list in the unified envelope.",
            headers: z.object({ 'X-Request-Id': RequestIdHeader }),
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          ...errorResponses([...AUTH_ERRORS[PROXY.auth], ...PROXY.errors]),
        },
      };
    }
    paths[path] = item;
  }
  return paths;
}

export interface OpenApiOptions {
  /** Where the broker is reached; default `/`, the origin that served the document. */
  serverUrl?: string;
  version?: string;
}

/**
 * The broker's OpenAPI 3.1 document, generated from the endpoint table (endpoints.ts)
 * and the zod schemas the broker validates with: one source for routes, SDK and docs.
 */
export function buildOpenApiDocument(options: OpenApiOptions = {}): Document {
  const paths: ZodOpenApiPathsObject = {};
  for (const [operationId, endpoint] of Object.entries(ENDPOINTS) as [string, Endpoint][]) {
    const path = openApiPath(endpoint.path);
    paths[path] = {
      ...paths[path],
      [endpoint.method.toLowerCase()]: operation(operationId, endpoint),
    };
  }
  Object.assign(paths, proxyPaths());
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'nerm-connect broker',
      version: options.version ?? '0.1.0',
      description:
        'Connect SailPoint NERM tenants and read their non-employee workforce through one API.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: options.serverUrl ?? '/', description: 'This broker' }],
    paths,
    components: {
      securitySchemes: Object.fromEntries(
        Object.entries(SECURITY).map(([name, s]) => [
          name,
          { type: 'http', scheme: 'bearer', ...s },
        ]),
      ),
    },
  });
}
