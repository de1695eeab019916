import { z } from 'zod';
import { ENDPOINTS } from '../endpoints.ts';
import { PATHS } from '../paths.ts';
import type { ListEnvelope } from '../schemas/common.ts';
import type { Role } from '../schemas/role.ts';
import type { User } from '../schemas/user.ts';
import {
  StartWorkflowInput,
  WorkflowSessionSchema,
  type WorkflowSession,
} from '../schemas/workflow.ts';
import { AccountTokens } from './account-token.ts';
import { createAdmin } from './admin.ts';
import { NermConnectError } from './errors.ts';
import {
  HttpClient,
  isBrokerError,
  toError,
  type CallOptions,
  type TransportOptions,
} from './http.ts';
import type {
  CreateUserInput,
  ListRolesParams,
  ListUsersParams,
  ReadOptions,
  UpdateUserInput,
  WriteOptions,
} from './inputs.ts';
import { Paginator } from './paginator.ts';
import { proxyRequest, type ProxyRequest, type ProxyResponse } from './proxy.ts';
import { rememberRequestId } from './signals.ts';

/** How a client authenticates: bound to an account (it mints its own tokens), or a token. */
export type ClientCredentials =
  | {
      /** One of NERM_BROKER_API_KEYS, used only to mint this account's tokens. */
      apiKey: string;
      /** The account id from `admin.tokens.exchange`: what a backend stores. */
      integratedAccountId: string;
      token?: never;
      getToken?: never;
    }
  | {
      /** An integrated_account_token (it expires; prefer `integratedAccountId`). */
      token: string;
      apiKey?: never;
      integratedAccountId?: never;
      getToken?: never;
    }
  | {
      /**
       * Gives a token per request; `expired` is set to the token the broker just refused
       * as expired, so a fresh one is wanted.
       */
      getToken: (expired?: string) => string | Promise<string>;
      apiKey?: never;
      integratedAccountId?: never;
      token?: never;
    };

export type ClientOptions = TransportOptions & ClientCredentials;

function newKey(): string {
  return globalThis.crypto.randomUUID();
}

function tokenSource(options: ClientOptions): (expired?: string) => string | Promise<string> {
  if (options.apiKey !== undefined || options.integratedAccountId !== undefined) {
    if (!options.apiKey || !options.integratedAccountId)
      throw new TypeError('createClient needs both apiKey and integratedAccountId');
    const { apiKey, integratedAccountId, token: _t, getToken: _g, ...transport } = options;
    const admin = createAdmin({ ...transport, apiKey });
    const tokens = new AccountTokens(() => admin.accounts.createToken(integratedAccountId));
    return (expired) => tokens.get(expired);
  }
  if (options.getToken) return options.getToken;
  if (options.token) {
    const token = options.token;
    return () => token;
  }
  throw new TypeError('createClient needs apiKey and integratedAccountId, token, or getToken');
}

/**
 * The typed client a SaaS backend uses for one integrated account. Bound to the account
 * (it mints and refreshes its own tokens with the API key) or given a token:
 *
 * ```ts
 * const nerm = createClient({ brokerUrl, apiKey, integratedAccountId: account.nermAccountId });
 * for await (const user of nerm.users.list({ status: 'active' })) sync(user);
 * ```
 */
export function createClient(options: ClientOptions): NermConnectClient {
  const getToken = tokenSource(options);
  // The token last handed out, so a refresh names the one that expired.
  let current: string | undefined;
  const http = new HttpClient({
    ...options,
    token: async (refresh) => (current = await getToken(refresh ? current : undefined)),
  });

  return {
    users: {
      list: (query = {}, init = {}) =>
        new Paginator(
          (cursor, signal) =>
            http.callPage(ENDPOINTS.listUsers, {
              query: { ...query, next_cursor: cursor },
              headers: init.headers,
              signal,
            }),
          init.signal,
        ),
      get: (id, { include_remote_data, ...init } = {}) =>
        http.call(ENDPOINTS.getUser, {
          params: { id },
          query: readQuery(include_remote_data),
          ...init,
        }),
      create: (body, init = {}) =>
        http.call(ENDPOINTS.createUser, {
          body,
          headers: { ...init.headers, 'idempotency-key': init.idempotencyKey ?? newKey() },
          signal: init.signal,
        }),
      update: (id, body, init = {}) =>
        http.call(ENDPOINTS.updateUser, {
          params: { id },
          body,
          headers: { ...init.headers, 'idempotency-key': init.idempotencyKey ?? newKey() },
          signal: init.signal,
        }),
    },
    roles: {
      list: (query = {}, init = {}) =>
        new Paginator(
          (cursor, signal) =>
            http.callPage(ENDPOINTS.listRoles, {
              query: { ...query, next_cursor: cursor },
              headers: init.headers,
              signal,
            }),
          init.signal,
        ),
      get: (id, { include_remote_data, ...init } = {}) =>
        http.call(ENDPOINTS.getRole, {
          params: { id },
          query: readQuery(include_remote_data),
          ...init,
        }),
    },
    workflows: {
      start: (input, init = {}) => startWorkflow(http, input, init),
    },
    proxy: {
      request: (req) => proxyRequest(http, req),
    },
  };
}

/** A single read's query: `include_remote_data` only when the caller set it. */
function readQuery(include: boolean | undefined) {
  return include === undefined ? {} : { include_remote_data: include };
}

async function startWorkflow(
  http: HttpClient,
  input: StartWorkflowInput,
  init: WriteOptions,
): Promise<WorkflowSession> {
  const parsed = StartWorkflowInput.safeParse(input);
  if (!parsed.success)
    throw new TypeError(`workflows.start: ${parsed.error.issues[0]?.message ?? 'invalid input'}`);
  const res = await http.raw({
    method: 'POST',
    path: `${PATHS.proxy}/workflow_sessions`,
    query: { run: true },
    body: { workflow_session: parsed.data },
    headers: { ...init.headers, 'idempotency-key': init.idempotencyKey ?? newKey() },
    signal: init.signal,
  });
  if (res.status === 200 || res.status === 201) {
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      body = undefined;
    }
    const session = z.object({ workflow_session: WorkflowSessionSchema }).safeParse(body);
    if (session.success) return rememberRequestId(session.data.workflow_session, res.requestId);
    throw new NermConnectError('invalid_response', 'NERM answered without a workflow session', {
      status: res.status,
      ...(res.requestId ? { requestId: res.requestId } : {}),
    });
  }
  throw proxyError(res);
}

/** NERM's own refusal of a proxied call, or the broker's. */
function proxyError(res: {
  status: number;
  headers: Headers;
  text: string;
  requestId?: string | undefined;
}): NermConnectError {
  if (isBrokerError(res)) return toError(res);
  let message = `NERM answered HTTP ${res.status}`;
  try {
    const body = JSON.parse(res.text) as { error?: unknown };
    if (typeof body.error === 'string') message = `NERM: ${body.error}`;
  } catch {
    /* keep the generic message */
  }
  const code =
    res.status === 400 ? 'invalid_request' : res.status === 404 ? 'not_found' : 'upstream_error';
  return new NermConnectError(code, message, {
    status: res.status,
    ...(res.requestId ? { requestId: res.requestId } : {}),
  });
}

/** What `createClient` returns: one integrated account's directory, workflows and NERM 1:1. */
export interface NermConnectClient {
  users: {
    /**
     * Every user (a NERM person profile in the unified shape), page by page: iterate it
     * with `for await`, or call `.pages()` / `.firstPage()`. Breaking out of the loop
     * aborts the page being fetched ahead.
     */
    list(query?: ListUsersParams, init?: CallOptions): Paginator<User, ListEnvelope<User>>;
    /**
     * One user by id; `not_found` when NERM has no such profile. `remote_data` (the raw
     * profile) only with `include_remote_data: true`, as on `list`.
     */
    get(id: string, init?: ReadOptions): Promise<User>;
    /** Creates a NERM profile from unified fields (idempotent: a key is sent per call). */
    create(body: CreateUserInput, init?: WriteOptions): Promise<User>;
    /** Writes status or mapped fields back to NERM (idempotent, at least one field). */
    update(id: string, body: UpdateUserInput, init?: WriteOptions): Promise<User>;
  };
  roles: {
    /** Every NERM role, page by page (as `users.list`). */
    list(query?: ListRolesParams, init?: CallOptions): Paginator<Role, ListEnvelope<Role>>;
    /** One role by id (`remote_data` only with `include_remote_data: true`). */
    get(id: string, init?: ReadOptions): Promise<Role>;
  };
  workflows: {
    /**
     * Starts a NERM workflow (a workflow session created with `run=true`): how a
     * background-check product writes results back and sets approvals going.
     */
    start(input: StartWorkflowInput, init?: WriteOptions): Promise<WorkflowSession>;
  };
  proxy: {
    /**
     * NERM 1:1 below `/api`: upstream status and body as they are. Give `schema` (zod)
     * to have a 2xx answer parsed and typed; without it `data` is `unknown`.
     */
    request<S extends z.ZodType | undefined = undefined>(
      req: ProxyRequest<S>,
    ): Promise<ProxyResponse<S extends z.ZodType ? z.output<S> : unknown>>;
  };
}
