// Types only from the main entry (no weight); the paths from `lite`, which has no zod.
import type { ConnectBody, ConnectResult, ErrorEnvelope, LinkSession } from '@nerm-connect/shared';
import { PATHS, type ErrorCode } from '@nerm-connect/shared/lite';

/** What the element sends: the body of `POST /link/connect` (docs/api.md). */
export type ConnectPayload = ConnectBody;

export interface BrokerIssue {
  code: string;
  path: (string | number)[];
  message: string;
}

export interface BrokerFailure {
  ok: false;
  code: ErrorCode | 'network_error';
  issues: BrokerIssue[];
  requestId: string | undefined;
  /** Seconds, for rate_limited. */
  retryAfter: number | undefined;
}

export type ConnectOutcome =
  | { ok: true; publicToken: string; integratedAccountId: string; tenantHost: string }
  | BrokerFailure;

export type SessionOutcome = { ok: true; tenantHost: string | null } | BrokerFailure;

function endpoint(brokerUrl: string, path: string): string {
  return `${brokerUrl.replace(/\/+$/, '')}${path}`;
}

async function failure(res: Response): Promise<BrokerFailure> {
  let body: Partial<ErrorEnvelope> | undefined;
  try {
    body = (await res.json()) as typeof body;
  } catch {
    body = undefined;
  }
  const retry = res.headers.get('retry-after');
  return {
    ok: false,
    code: body?.error?.code ?? (res.status >= 500 ? 'upstream_error' : 'invalid_request'),
    issues: body?.error?.issues ?? [],
    requestId: body?.error?.request_id ?? res.headers.get('x-request-id') ?? undefined,
    retryAfter: retry && /^\d+$/.test(retry) ? Number(retry) : undefined,
  };
}

const offline = (): BrokerFailure => ({
  ok: false,
  code: 'network_error',
  issues: [],
  requestId: undefined,
  retryAfter: undefined,
});

/** The link token goes in a header, never in a URL; nothing is cached or stored. */
function init(linkToken: string, signal: AbortSignal | undefined, body?: unknown): RequestInit {
  return {
    method: body === undefined ? 'GET' : 'POST',
    mode: 'cors',
    credentials: 'omit',
    cache: 'no-store',
    headers: {
      authorization: `Bearer ${linkToken}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  };
}

export async function connect(
  brokerUrl: string,
  linkToken: string,
  payload: ConnectPayload,
  signal?: AbortSignal,
): Promise<ConnectOutcome> {
  let res: Response;
  try {
    res = await fetch(endpoint(brokerUrl, PATHS.linkConnect), init(linkToken, signal, payload));
  } catch (error) {
    if (signal?.aborted) throw error;
    return offline();
  }
  if (res.status !== 201) return failure(res);
  const body = (await res.json()) as ConnectResult;
  return {
    ok: true,
    publicToken: body.public_token,
    integratedAccountId: body.integrated_account.id,
    tenantHost: body.integrated_account.tenant_host,
  };
}

/** Whether the link token still works, and the tenant of a re-authentication link. */
export async function session(
  brokerUrl: string,
  linkToken: string,
  signal?: AbortSignal,
): Promise<SessionOutcome> {
  let res: Response;
  try {
    res = await fetch(endpoint(brokerUrl, PATHS.linkSession), init(linkToken, signal));
  } catch (error) {
    if (signal?.aborted) throw error;
    return offline();
  }
  if (res.status !== 200) return failure(res);
  const body = (await res.json()) as LinkSession;
  return { ok: true, tenantHost: body.integrated_account?.tenant_host ?? null };
}
