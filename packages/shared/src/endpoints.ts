import { z } from 'zod';
import { text } from './schemas/text.ts';
import type { ErrorCode } from './error-codes.ts';
import { LIFECYCLE_ENDPOINTS } from './endpoints-lifecycle.ts';
import { PATHS, type PathTemplate } from './paths.ts';
import {
  AccountListSchema,
  AccountSchema,
  ListAccountsQuery,
  UpdateAccountBody,
} from './schemas/account.ts';
import { HealthSchema, ReadQuery } from './schemas/common.ts';
import {
  ConnectBody,
  ConnectResultSchema,
  CreateLinkTokenBody,
  LinkSessionSchema,
  LinkTokenSchema,
} from './schemas/link.ts';
import { ListRolesQuery, RoleListSchema, RoleSchema } from './schemas/role.ts';
import {
  AccountTokenSchema,
  ExchangeBody,
  ExchangeResultSchema,
  JwksSchema,
} from './schemas/tokens.ts';
import {
  CreateUserBody,
  ListUsersQuery,
  UpdateUserBody,
  UserListSchema,
  UserSchema,
} from './schemas/user.ts';

/**
 * Who may call an endpoint: nobody in particular, a SaaS backend with an API key, the
 * widget with a link token, or a backend with an integrated_account_token.
 */
export type AuthKind = 'none' | 'apiKey' | 'linkToken' | 'accountToken';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One endpoint of the broker, written once: the broker registers and validates the
 * route from it, the SDK types its method from it and the OpenAPI document is generated
 * from it (docs/api.md).
 */
export interface Endpoint {
  method: HttpMethod;
  path: PathTemplate;
  auth: AuthKind;
  summary: string;
  description?: string;
  /** Path parameters (`:id`); the broker refuses the request when they do not parse. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Request headers the endpoint reads (names in lower case). */
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** The body may be left out (it is then parsed as `{}`). */
  bodyOptional?: true;
  /** The one success status. */
  status: 200 | 201 | 202 | 204;
  /** The success body; `null` for 204 or a body the table does not describe. */
  response: z.ZodType | null;
  /** A list page: it also answers `Link: <…>; rel="next"` when there is a next page. */
  list?: true;
  /** Also answers `text/csv` (the query's `format=csv`). */
  csv?: true;
  /** Error codes this endpoint itself answers (its auth kind adds its own). */
  errors: readonly ErrorCode[];
}

/** Error codes every endpoint of an auth kind may answer before its handler runs. */
export const AUTH_ERRORS: Record<AuthKind, readonly ErrorCode[]> = {
  none: [],
  apiKey: ['unauthorized'],
  linkToken: ['link_token_invalid', 'origin_not_allowed', 'rate_limited'],
  accountToken: [
    'unauthorized',
    'token_expired',
    'account_needs_reauth',
    'account_disconnected',
    'rate_limited',
  ],
};

const Id = text().min(1).max(256).meta({ description: 'The id, as the broker returned it.' });
const IdParams = z.strictObject({ id: Id });
const IdempotencyHeaders = z.object({
  'idempotency-key': text().min(1).max(255).optional().meta({
    description:
      'Makes the write safe to retry: the same key and body within 24 h answers the first result again.',
  }),
});

export const ENDPOINTS = {
  getHealth: {
    method: 'GET',
    path: PATHS.health,
    auth: 'none',
    summary: 'Liveness',
    status: 200,
    response: HealthSchema,
    errors: [],
  },
  getReady: {
    method: 'GET',
    path: PATHS.ready,
    auth: 'none',
    summary: 'Readiness',
    description:
      'Answers once the store, and the shared counters when configured, answer a query; 503 service_unavailable with Retry-After while either is out. GET /healthz stays liveness and touches neither.',
    status: 200,
    response: HealthSchema,
    errors: ['service_unavailable'],
  },
  getJwks: {
    method: 'GET',
    path: PATHS.jwks,
    auth: 'none',
    summary: 'Public keys that sign integrated_account_tokens',
    status: 200,
    response: JwksSchema,
    errors: [],
  },
  getOpenApi: {
    method: 'GET',
    path: PATHS.openapi,
    auth: 'none',
    summary: 'This document (OpenAPI 3.1)',
    status: 200,
    response: null,
    errors: [],
  },
  createLinkToken: {
    method: 'POST',
    path: PATHS.linkTokens,
    auth: 'apiKey',
    summary: 'Create a link token for the widget (30 minutes by default, one successful use)',
    description:
      'With `hosted: true` the answer also holds `hosted_url`, a broker-served connect page for someone who has only that URL (docs/hosted-link.md); `expires_in` sets the lifetime, up to 7 days.',
    body: CreateLinkTokenBody,
    status: 201,
    response: LinkTokenSchema,
    errors: ['invalid_request', 'not_found', 'payload_too_large'],
  },
  getHostedLink: {
    method: 'GET',
    path: PATHS.hostedLink,
    auth: 'none',
    summary: 'The hosted connect page (HTML) that a hosted_url opens',
    description:
      'The link token travels in the URL fragment, which never reaches a server; the page reads it and runs the widget against this broker.',
    status: 200,
    response: null,
    errors: [],
  },
  getLinkSession: {
    method: 'GET',
    path: PATHS.linkSession,
    auth: 'linkToken',
    summary: 'What the widget may know about its link token',
    status: 200,
    response: LinkSessionSchema,
    errors: [],
  },
  connect: {
    method: 'POST',
    path: PATHS.linkConnect,
    auth: 'linkToken',
    summary: 'Prove and store a NERM credential; returns a one-time public token',
    body: ConnectBody,
    status: 201,
    response: ConnectResultSchema,
    errors: [
      'invalid_request',
      'payload_too_large',
      'tenant_url_invalid',
      'tenant_host_not_allowed',
      'tenant_unreachable',
      'not_a_nerm_tenant',
      'invalid_credentials',
      'insufficient_permissions',
      'upstream_error',
    ],
  },
  exchangePublicToken: {
    method: 'POST',
    path: PATHS.tokenExchange,
    auth: 'apiKey',
    summary: 'Exchange a public token for an integrated_account_token',
    body: ExchangeBody,
    status: 200,
    response: ExchangeResultSchema,
    errors: ['invalid_request', 'public_token_invalid'],
  },
  listAccounts: {
    method: 'GET',
    path: PATHS.accounts,
    auth: 'apiKey',
    summary: 'List integrated accounts',
    query: ListAccountsQuery,
    status: 200,
    response: AccountListSchema,
    list: true,
    errors: ['invalid_request', 'invalid_cursor'],
  },
  getAccount: {
    method: 'GET',
    path: PATHS.account,
    auth: 'apiKey',
    summary: 'Get an integrated account',
    params: IdParams,
    status: 200,
    response: AccountSchema,
    errors: ['invalid_request', 'not_found'],
  },
  updateAccount: {
    method: 'PATCH',
    path: PATHS.account,
    auth: 'apiKey',
    summary: 'Set the field mapping of an account',
    params: IdParams,
    body: UpdateAccountBody,
    status: 200,
    response: AccountSchema,
    errors: ['invalid_request', 'not_found'],
  },
  disconnectAccount: {
    method: 'DELETE',
    path: PATHS.account,
    auth: 'apiKey',
    summary: 'Disconnect: destroy the credential; every token of the account stops working',
    params: IdParams,
    status: 204,
    response: null,
    errors: ['invalid_request', 'not_found'],
  },
  verifyAccount: {
    method: 'POST',
    path: PATHS.accountVerify,
    auth: 'apiKey',
    summary: 'Re-test the stored credential',
    params: IdParams,
    status: 200,
    response: AccountSchema,
    errors: [
      'invalid_request',
      'not_found',
      'account_needs_reauth',
      'account_disconnected',
      'tenant_unreachable',
      'upstream_error',
    ],
  },
  createAccountToken: {
    method: 'POST',
    path: PATHS.accountTokens,
    auth: 'apiKey',
    summary: 'Mint a new integrated_account_token',
    params: IdParams,
    status: 201,
    response: AccountTokenSchema,
    errors: ['invalid_request', 'not_found', 'account_disconnected'],
  },
  listUsers: {
    method: 'GET',
    path: PATHS.users,
    auth: 'accountToken',
    summary: 'List users (NERM person profiles)',
    query: ListUsersQuery,
    status: 200,
    response: UserListSchema,
    list: true,
    errors: ['invalid_request', 'invalid_cursor', 'upstream_error', 'tenant_unreachable'],
  },
  getUser: {
    method: 'GET',
    path: PATHS.user,
    auth: 'accountToken',
    summary: 'Get a user',
    params: IdParams,
    query: ReadQuery,
    status: 200,
    response: UserSchema,
    errors: ['invalid_request', 'not_found', 'upstream_error', 'tenant_unreachable'],
  },
  createUser: {
    method: 'POST',
    path: PATHS.users,
    auth: 'accountToken',
    summary: 'Create a NERM profile from a unified user (honours Idempotency-Key)',
    headers: IdempotencyHeaders,
    body: CreateUserBody,
    status: 201,
    response: UserSchema,
    errors: ['invalid_request', 'idempotency_key_reused', 'upstream_error', 'tenant_unreachable'],
  },
  updateUser: {
    method: 'PATCH',
    path: PATHS.user,
    auth: 'accountToken',
    summary: 'Update status or mapped fields (honours Idempotency-Key)',
    params: IdParams,
    headers: IdempotencyHeaders,
    body: UpdateUserBody,
    status: 200,
    response: UserSchema,
    errors: [
      'invalid_request',
      'not_found',
      'idempotency_key_reused',
      'upstream_error',
      'tenant_unreachable',
    ],
  },
  listRoles: {
    method: 'GET',
    path: PATHS.roles,
    auth: 'accountToken',
    summary: 'List roles',
    query: ListRolesQuery,
    status: 200,
    response: RoleListSchema,
    list: true,
    errors: ['invalid_request', 'invalid_cursor', 'upstream_error', 'tenant_unreachable'],
  },
  getRole: {
    method: 'GET',
    path: PATHS.role,
    auth: 'accountToken',
    summary: 'Get a role',
    params: IdParams,
    query: ReadQuery,
    status: 200,
    response: RoleSchema,
    errors: ['invalid_request', 'not_found', 'upstream_error', 'tenant_unreachable'],
  },
  ...LIFECYCLE_ENDPOINTS,
} as const satisfies Record<string, Endpoint>;

export type Endpoints = typeof ENDPOINTS;
export type OperationId = keyof Endpoints;

/**
 * `ANY /proxy/<path>`: NERM 1:1 below `/api`, so its body and answer are NERM's, not
 * ours. The OpenAPI document describes it per depth (`/proxy/{p1}/{p2}`…) so that
 * generated clients send nested NERM paths with their slashes intact.
 */
export const PROXY = {
  path: PATHS.proxy,
  auth: 'accountToken',
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  /** Path depths the OpenAPI document spells out (`profiles/<id>/…` needs three). */
  maxDepth: 4,
  summary: 'NERM 1:1: https://{tenant}/api/<path> with the stored credential',
  description:
    'Upstream status and body are returned as they are; a body that is not JSON comes as an attachment (`text/plain`, or `application/octet-stream`), its own type in `X-Upstream-Content-Type`. A GET with `limit` or `next_cursor` (and neither `offset` nor `after_id`) answers a NERM list in the unified envelope instead (`profiles` paged by keyset). Any other query parameter is passed to NERM as it is.',
  /** Query parameters with a meaning of their own; any other is NERM's and passed on. */
  query: z.object({
    limit: z.coerce.number<number>().int().min(1).optional().meta({
      description: 'With GET and no offset: answer in the unified envelope, at most this many.',
    }),
    next_cursor: text().optional().meta({ description: 'The next page of a unified answer.' }),
    offset: z.coerce.number<number>().int().min(0).optional().meta({
      description: "NERM's own offset paging (the answer is then NERM's, as is).",
    }),
  }),
  headers: z.object({
    'idempotency-key': text().min(1).max(255).optional().meta({
      description: 'Makes a POST or PATCH safe to retry (stored answer replayed).',
    }),
  }),
  errors: ['invalid_request', 'payload_too_large'],
} as const satisfies {
  path: string;
  auth: AuthKind;
  methods: readonly HttpMethod[];
  maxDepth: number;
  summary: string;
  description: string;
  query: z.ZodObject;
  headers: z.ZodObject;
  errors: readonly ErrorCode[];
};

/** What a caller sends: params, query, headers and body as the endpoint's schemas take them. */
export type EndpointInput<E extends Endpoint> = (E['params'] extends z.ZodType
  ? { params: z.input<E['params']> }
  : { params?: undefined }) &
  (E['query'] extends z.ZodType
    ? { query?: z.input<E['query']> | undefined }
    : { query?: undefined }) &
  (E['headers'] extends z.ZodType
    ? { headers?: (z.input<E['headers']> & Record<string, string>) | undefined }
    : { headers?: Record<string, string> | undefined }) &
  (E['body'] extends z.ZodType ? { body: z.input<E['body']> } : { body?: undefined });

/** What the endpoint answers on success, after parsing. */
export type EndpointOutput<E extends Endpoint> = E['response'] extends z.ZodType
  ? z.output<E['response']>
  : void;

/** What a handler may give the broker to send: the success body before parsing. */
export type EndpointReply<E extends Endpoint> = E['response'] extends z.ZodType
  ? z.input<E['response']>
  : void;
