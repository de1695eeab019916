import { z } from 'zod';
import { ERROR_STATUS, ErrorEnvelopeSchema, type ErrorCode } from './errors.ts';
import { AccountListSchema, AccountSchema, UpdateAccountBody } from './schemas/account.ts';
import { HealthSchema, MAX_PAGE_SIZE } from './schemas/common.ts';
import {
  ConnectBody,
  ConnectResultSchema,
  CreateLinkTokenBody,
  LinkSessionSchema,
  LinkTokenSchema,
} from './schemas/link.ts';
import { RoleListSchema, RoleSchema } from './schemas/role.ts';
import {
  AccountTokenSchema,
  ExchangeBody,
  ExchangeResultSchema,
  JwksSchema,
} from './schemas/tokens.ts';
import { CreateUserBody, UpdateUserBody, UserListSchema, UserSchema } from './schemas/user.ts';

type JsonSchema = Record<string, unknown>;

function schema(s: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, {
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const COMPONENTS: Record<string, JsonSchema> = {
  Error: schema(ErrorEnvelopeSchema),
  Health: schema(HealthSchema),
  Jwks: schema(JwksSchema),
  User: schema(UserSchema),
  UserList: schema(UserListSchema),
  Role: schema(RoleSchema),
  RoleList: schema(RoleListSchema),
  Account: schema(AccountSchema),
  AccountList: schema(AccountListSchema),
  LinkToken: schema(LinkTokenSchema),
  LinkSession: schema(LinkSessionSchema),
  ConnectResult: schema(ConnectResultSchema),
  ExchangeResult: schema(ExchangeResultSchema),
  AccountToken: schema(AccountTokenSchema),
  CreateLinkTokenBody: schema(CreateLinkTokenBody, 'input'),
  ConnectBody: schema(ConnectBody, 'input'),
  ExchangeBody: schema(ExchangeBody, 'input'),
  UpdateAccountBody: schema(UpdateAccountBody, 'input'),
  CreateUserBody: schema(CreateUserBody, 'input'),
  UpdateUserBody: schema(UpdateUserBody, 'input'),
};

type Security = 'apiKey' | 'linkToken' | 'accountToken' | null;

interface Operation {
  summary: string;
  security: Security;
  body?: string;
  ok: { status: number; schema?: string; description?: string };
  errors: ErrorCode[];
  parameters?: JsonSchema[];
}

const idParam = (name = 'id') => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const pageParams = [
  {
    name: 'limit',
    in: 'query',
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 100 },
    description: `Page size; at most ${MAX_PAGE_SIZE}.`,
  },
  {
    name: 'next_cursor',
    in: 'query',
    schema: { type: 'string' },
    description: 'Opaque cursor from a previous page.',
  },
];

const AUTH_ERRORS: Record<Exclude<Security, null>, ErrorCode[]> = {
  apiKey: ['unauthorized'],
  linkToken: ['link_token_invalid', 'origin_not_allowed', 'rate_limited'],
  accountToken: [
    'unauthorized',
    'token_expired',
    'account_needs_reauth',
    'rate_limited',
    'upstream_error',
  ],
};

/** Every endpoint of CONTRACT §3, keyed by path and method. */
const PATHS: Record<string, Record<string, Operation>> = {
  '/healthz': {
    get: { summary: 'Liveness', security: null, ok: { status: 200, schema: 'Health' }, errors: [] },
  },
  '/.well-known/jwks.json': {
    get: {
      summary: 'Public keys that sign integrated_account_tokens',
      security: null,
      ok: { status: 200, schema: 'Jwks' },
      errors: [],
    },
  },
  '/openapi.json': {
    get: {
      summary: 'This document',
      security: null,
      ok: { status: 200, description: 'OpenAPI 3.1' },
      errors: [],
    },
  },
  '/link-tokens': {
    post: {
      summary: 'Create a link token for the widget (30 minutes, one successful use)',
      security: 'apiKey',
      body: 'CreateLinkTokenBody',
      ok: { status: 201, schema: 'LinkToken' },
      errors: ['invalid_request', 'not_found', 'payload_too_large'],
    },
  },
  '/link/session': {
    get: {
      summary: 'What the widget may know about its link token',
      security: 'linkToken',
      ok: { status: 200, schema: 'LinkSession' },
      errors: [],
    },
  },
  '/link/connect': {
    post: {
      summary: 'Prove and store a NERM credential; returns a one-time public token',
      security: 'linkToken',
      body: 'ConnectBody',
      ok: { status: 201, schema: 'ConnectResult' },
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
  },
  '/tokens/exchange': {
    post: {
      summary: 'Exchange a public token for an integrated_account_token',
      security: 'apiKey',
      body: 'ExchangeBody',
      ok: { status: 200, schema: 'ExchangeResult' },
      errors: ['invalid_request', 'public_token_invalid'],
    },
  },
  '/integrated-accounts': {
    get: {
      summary: 'List integrated accounts',
      security: 'apiKey',
      parameters: [{ name: 'tenant_id', in: 'query', schema: { type: 'string' } }, ...pageParams],
      ok: { status: 200, schema: 'AccountList' },
      errors: ['invalid_request', 'invalid_cursor'],
    },
  },
  '/integrated-accounts/{id}': {
    get: {
      summary: 'Get an integrated account',
      security: 'apiKey',
      parameters: [idParam()],
      ok: { status: 200, schema: 'Account' },
      errors: ['not_found'],
    },
    patch: {
      summary: 'Set the field mapping of an account',
      security: 'apiKey',
      parameters: [idParam()],
      body: 'UpdateAccountBody',
      ok: { status: 200, schema: 'Account' },
      errors: ['invalid_request', 'not_found'],
    },
    delete: {
      summary: 'Disconnect: destroy the credential; every token of the account stops working',
      security: 'apiKey',
      parameters: [idParam()],
      ok: { status: 204, description: 'Disconnected' },
      errors: ['not_found'],
    },
  },
  '/integrated-accounts/{id}/verify': {
    post: {
      summary: 'Re-test the stored credential',
      security: 'apiKey',
      parameters: [idParam()],
      ok: { status: 200, schema: 'Account' },
      errors: ['not_found', 'account_needs_reauth', 'tenant_unreachable', 'upstream_error'],
    },
  },
  '/integrated-accounts/{id}/tokens': {
    post: {
      summary: 'Mint a new integrated_account_token',
      security: 'apiKey',
      parameters: [idParam()],
      ok: { status: 201, schema: 'AccountToken' },
      errors: ['not_found', 'account_needs_reauth'],
    },
  },
  '/unified/user-directory/users': {
    get: {
      summary: 'List users (NERM person profiles)',
      security: 'accountToken',
      parameters: [
        ...pageParams,
        {
          name: 'status',
          in: 'query',
          schema: { type: 'string', enum: ['active', 'inactive', 'deleted'] },
        },
        {
          name: 'user_type',
          in: 'query',
          schema: { type: 'string' },
          description: 'Profile type name.',
        },
        {
          name: 'updated_after',
          in: 'query',
          schema: { type: 'string' },
          description: 'yyyy-mm-dd or ISO timestamp.',
        },
      ],
      ok: { status: 200, schema: 'UserList' },
      errors: ['invalid_request', 'invalid_cursor'],
    },
    post: {
      summary: 'Create a NERM profile from a unified user (honours Idempotency-Key)',
      security: 'accountToken',
      parameters: [
        { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } },
      ],
      body: 'CreateUserBody',
      ok: { status: 201, schema: 'User' },
      errors: ['invalid_request', 'idempotency_key_reused'],
    },
  },
  '/unified/user-directory/users/{id}': {
    get: {
      summary: 'Get a user',
      security: 'accountToken',
      parameters: [idParam()],
      ok: { status: 200, schema: 'User' },
      errors: ['not_found'],
    },
    patch: {
      summary: 'Update status or mapped fields (honours Idempotency-Key)',
      security: 'accountToken',
      parameters: [
        idParam(),
        { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } },
      ],
      body: 'UpdateUserBody',
      ok: { status: 200, schema: 'User' },
      errors: ['invalid_request', 'not_found', 'idempotency_key_reused'],
    },
  },
  '/unified/user-directory/roles': {
    get: {
      summary: 'List roles',
      security: 'accountToken',
      parameters: pageParams,
      ok: { status: 200, schema: 'RoleList' },
      errors: ['invalid_request', 'invalid_cursor'],
    },
  },
  '/unified/user-directory/roles/{id}': {
    get: {
      summary: 'Get a role',
      security: 'accountToken',
      parameters: [idParam()],
      ok: { status: 200, schema: 'Role' },
      errors: ['not_found'],
    },
  },
};

const PROXY_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function operation(op: Operation): JsonSchema {
  const errors = [
    ...new Set([
      ...(op.security ? AUTH_ERRORS[op.security] : []),
      ...op.errors,
      'internal' as const,
    ]),
  ];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errors)
    byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const isList = op.ok.schema?.endsWith('List') === true;
  const responses: JsonSchema = {
    [op.ok.status]: {
      description: op.ok.description ?? 'Success',
      ...(isList
        ? {
            headers: {
              Link: {
                description:
                  'RFC 8288 `<…?next_cursor=…>; rel="next"` when a next page exists (same query, next cursor).',
                schema: { type: 'string' },
              },
            },
          }
        : {}),
      ...(op.ok.schema ? { content: { 'application/json': { schema: ref(op.ok.schema) } } } : {}),
    },
  };
  for (const [status, codes] of byStatus) {
    responses[status] = {
      description: codes.join(', '),
      content: { 'application/json': { schema: ref('Error') } },
    };
  }
  return {
    summary: op.summary,
    security: op.security ? [{ [op.security]: [] }] : [],
    ...(op.parameters ? { parameters: op.parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref(op.body) } },
          },
        }
      : {}),
    responses,
  };
}

/** The broker's OpenAPI 3.1 document, generated from the same zod schemas it validates with. */
export function buildOpenApiDocument(
  options: { serverUrl?: string; version?: string } = {},
): JsonSchema {
  const paths: Record<string, JsonSchema> = {};
  for (const [path, methods] of Object.entries(PATHS)) {
    paths[path] = Object.fromEntries(Object.entries(methods).map(([m, op]) => [m, operation(op)]));
  }
  paths['/proxy/{path}'] = Object.fromEntries(
    PROXY_METHODS.map((m) => [
      m,
      {
        summary: 'NERM 1:1: https://{tenant}/api/{path} with the stored credential',
        description:
          'Upstream status and body are returned as they are. GET with `limit` or `next_cursor` (and no `offset`) answers a NERM list in the unified envelope instead.',
        security: [{ accountToken: [] }],
        parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
        ...(m === 'get' || m === 'delete'
          ? {}
          : { requestBody: { content: { 'application/json': { schema: {} } } } }),
        responses: {
          default: {
            description: "NERM's answer, as is",
            content: { 'application/json': { schema: {} } },
          },
          '400': {
            description: 'invalid_request (path outside /api)',
            content: { 'application/json': { schema: ref('Error') } },
          },
          '401': {
            description: 'unauthorized, token_expired',
            content: { 'application/json': { schema: ref('Error') } },
          },
          '409': {
            description: 'account_needs_reauth',
            content: { 'application/json': { schema: ref('Error') } },
          },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'nerm-connect broker',
      version: options.version ?? '0.1.0',
      description:
        'Connect SailPoint NERM tenants and read their non-employee workforce through one API.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    paths,
    components: {
      schemas: COMPONENTS,
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'One of NERM_BROKER_API_KEYS (server to server).',
        },
        linkToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'A link token from POST /link-tokens (the widget).',
        },
        accountToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An integrated_account_token.',
        },
      },
    },
  };
}
