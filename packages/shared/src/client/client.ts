import { z } from 'zod';
import { ENDPOINTS } from '../endpoints.ts';
import { PATHS } from '../paths.ts';
import type { ListEnvelope } from '../schemas/common.ts';
import type { Role } from '../schemas/role.ts';
import type { CreateUserBody, UpdateUserBody, User, UserStatus } from '../schemas/user.ts';
import {
  StartWorkflowInput,
  WorkflowSessionSchema,
  type WorkflowSession,
} from '../schemas/workflow.ts';
import { NermConnectError } from './errors.ts';
import { HttpClient, isBrokerError, toError, type HttpOptions, type TokenSource } from './http.ts';
import { Paginator } from './paginator.ts';

export interface ClientOptions extends Omit<HttpOptions, 'token'> {
  /** An integrated_account_token. */
  token?: string;
  /** Or a function returning one (called per request, so it can refresh). */
  getToken?: () => string | Promise<string>;
}

export interface ListUsersParams {
  /** Page size, 1–500 (default 100). */
  limit?: number;
  status?: UserStatus;
  /** A profile type name, e.g. "Contractor". */
  user_type?: string;
  /** `yyyy-mm-dd` or an ISO timestamp. */
  updated_after?: string;
}

export interface WriteOptions {
  /** Sent as Idempotency-Key; the SDK makes one per call when omitted. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface ProxyRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A NERM API path below /api, e.g. `profiles/<id>` or `workflow_sessions`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface ProxyResponse<T = unknown> {
  status: number;
  /** Parsed JSON when NERM sent JSON, else the text. */
  data: T;
  requestId: string | undefined;
}

function newKey(): string {
  return globalThis.crypto.randomUUID();
}

function tokenSource(options: ClientOptions): TokenSource {
  if (options.getToken) return options.getToken;
  if (options.token) return options.token;
  throw new TypeError('createClient needs token or getToken');
}

/**
 * The typed client a SaaS backend uses with an integrated_account_token:
 *
 * ```ts
 * const nerm = createClient({ brokerUrl, token });
 * for await (const user of nerm.users.list({ status: 'active' })) sync(user);
 * ```
 */
export function createClient(options: ClientOptions) {
  const http = new HttpClient({ ...options, token: tokenSource(options) });

  return {
    users: {
      /** Every user, page by page; iterate it, or call `.pages()` / `.firstPage()`. */
      list(
        query: ListUsersParams = {},
        init: { signal?: AbortSignal } = {},
      ): Paginator<User, ListEnvelope<User>> {
        return new Paginator((cursor) =>
          http.callPage(ENDPOINTS.listUsers, {
            query: { ...query, next_cursor: cursor },
            signal: init.signal,
          }),
        );
      },
      get(id: string, init: { signal?: AbortSignal } = {}): Promise<User> {
        return http.call(ENDPOINTS.getUser, { params: { id }, signal: init.signal });
      },
      create(body: CreateUserBody, init: WriteOptions = {}): Promise<User> {
        return http.call(ENDPOINTS.createUser, {
          body,
          headers: { 'idempotency-key': init.idempotencyKey ?? newKey() },
          signal: init.signal,
        });
      },
      update(id: string, body: UpdateUserBody, init: WriteOptions = {}): Promise<User> {
        return http.call(ENDPOINTS.updateUser, {
          params: { id },
          body,
          headers: { 'idempotency-key': init.idempotencyKey ?? newKey() },
          signal: init.signal,
        });
      },
    },
    roles: {
      list(query: { limit?: number } = {}): Paginator<Role, ListEnvelope<Role>> {
        return new Paginator((cursor) =>
          http.callPage(ENDPOINTS.listRoles, { query: { ...query, next_cursor: cursor } }),
        );
      },
      get(id: string): Promise<Role> {
        return http.call(ENDPOINTS.getRole, { params: { id } });
      },
    },
    workflows: {
      /**
       * Starts a NERM workflow (a workflow session created with `run=true`): how a
       * background-check product writes results back and sets approvals going.
       */
      async start(input: StartWorkflowInput, init: WriteOptions = {}): Promise<WorkflowSession> {
        const parsed = StartWorkflowInput.safeParse(input);
        if (!parsed.success)
          throw new TypeError(
            `workflows.start: ${parsed.error.issues[0]?.message ?? 'invalid input'}`,
          );
        const w = parsed.data;
        const body = {
          workflow_session: {
            workflow_id: w.workflowId,
            requester_id: w.requesterId,
            requester_type: w.requesterType,
            ...(w.profileId ? { profile_id: w.profileId } : {}),
            ...(w.profileIds ? { profile_ids: w.profileIds } : {}),
            ...(w.attributes ? { attributes: w.attributes } : {}),
          },
        };
        const res = await http.raw({
          method: 'POST',
          path: `${PATHS.proxy}/workflow_sessions`,
          query: { run: true },
          body,
          headers: { 'idempotency-key': init.idempotencyKey ?? newKey() },
          signal: init.signal,
        });
        if (res.status === 200 || res.status === 201) {
          let body: unknown;
          try {
            body = JSON.parse(res.text);
          } catch {
            body = undefined;
          }
          const parsed = z.object({ workflow_session: WorkflowSessionSchema }).safeParse(body);
          if (parsed.success) return parsed.data.workflow_session;
          throw new NermConnectError(
            'invalid_response',
            'NERM answered without a workflow session',
            { status: res.status },
          );
        }
        throw proxyError(res);
      },
    },
    proxy: {
      /** NERM 1:1: upstream status and body as they are (see CONTRACT §3). */
      async request<T = unknown>(req: ProxyRequest): Promise<ProxyResponse<T>> {
        if (/^\/|:\/\/|\.\./.test(req.path))
          throw new TypeError('proxy path must be relative, like profiles/<id>');
        const method = req.method ?? 'GET';
        const res = await http.raw({
          method,
          path: `${PATHS.proxy}/${req.path}`,
          query: req.query,
          body: req.body,
          ...(req.idempotencyKey ? { headers: { 'idempotency-key': req.idempotencyKey } } : {}),
          signal: req.signal,
        });
        if (isBrokerError(res)) throw toError(res);
        let data: unknown = res.text;
        try {
          data = res.text === '' ? null : JSON.parse(res.text);
        } catch {
          /* not JSON: keep the text */
        }
        return {
          status: res.status,
          data: data as T,
          requestId: res.headers.get('x-request-id') ?? undefined,
        };
      },
    },
  };
}

/** NERM's own refusal of a proxied call, or the broker's. */
function proxyError(res: { status: number; headers: Headers; text: string }): NermConnectError {
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
  const requestId = res.headers.get('x-request-id');
  return new NermConnectError(code, message, {
    status: res.status,
    ...(requestId ? { requestId } : {}),
  });
}

export type NermConnectClient = ReturnType<typeof createClient>;
