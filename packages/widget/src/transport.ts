// Types only from the main entry (no weight); the paths from `lite`, which has no zod.
import type { ConnectResult, LinkSession } from '@nerm-connect/shared';
import { PATHS, type ErrorCode } from '@nerm-connect/shared/lite';

/** What the element sends to `POST /link/connect` (docs/architecture.md, the link flow). */
export interface ConnectPayload {
  tenant_url: string;
  auth:
    | { type: 'pat'; client_id: string; client_secret: string; token_url?: string }
    | { type: 'api_key'; api_key: string };
}

export interface BrokerIssue {
  code: string;
  path: (string | number)[];
  message: string;
}

/**
 * Codes the element raises itself, next to the broker's: the broker could not be reached,
 * or the page never gave the element a broker URL or a link token.
 */
export type LocalErrorCode = 'network_error' | 'broker_url_missing' | 'link_token_missing';

export interface BrokerFailure {
  ok: false;
  code: ErrorCode | LocalErrorCode;
  /** The broker's own words (English), shown under the translated text. */
  message: string | undefined;
  issues: BrokerIssue[];
  requestId: string | undefined;
  /** Seconds, for rate_limited. */
  retryAfter: number | undefined;
}

export type ConnectOutcome =
  | { ok: true; publicToken: string; integratedAccountId: string; tenantHost: string }
  | BrokerFailure;

/** `tenantUrl`: for a re-authentication link, the tenant being repaired (scheme included). */
export type SessionOutcome = { ok: true; tenantUrl: string | null } | BrokerFailure;

/**
 * How the element talks to the broker. The default speaks HTTP; tests and unusual hosts
 * (a proxy, a native shell) pass their own as the `transport` property.
 */
export interface NermConnectTransport {
  session(brokerUrl: string, linkToken: string, signal: AbortSignal): Promise<SessionOutcome>;
  connect(
    brokerUrl: string,
    linkToken: string,
    payload: ConnectPayload,
    signal: AbortSignal,
  ): Promise<ConnectOutcome>;
}

/**
 * A failure that carries its code and nothing else: the widget's own (`LocalErrorCode`,
 * found before or without an answer), or a broker's code where a test stands in for one.
 */
export function localFailure(code: BrokerFailure['code']): BrokerFailure {
  return {
    ok: false,
    code,
    message: undefined,
    issues: [],
    requestId: undefined,
    retryAfter: undefined,
  };
}

async function failure(res: Response): Promise<BrokerFailure> {
  let body:
    | {
        error?: { code?: ErrorCode; message?: string; issues?: BrokerIssue[]; request_id?: string };
      }
    | undefined;
  try {
    body = (await res.json()) as typeof body;
  } catch {
    body = undefined;
  }
  const retry = res.headers.get('retry-after');
  return {
    ok: false,
    code: body?.error?.code ?? (res.status >= 500 ? 'upstream_error' : 'invalid_request'),
    message: body?.error?.message,
    issues: body?.error?.issues ?? [],
    requestId: body?.error?.request_id ?? res.headers.get('x-request-id') ?? undefined,
    retryAfter: retry && /^\d+$/.test(retry) ? Number(retry) : undefined,
  };
}

/** The link token goes in a header, never in a URL; nothing is cached or stored. */
async function call(
  brokerUrl: string,
  path: string,
  linkToken: string,
  signal: AbortSignal,
  body?: unknown,
): Promise<Response | BrokerFailure> {
  try {
    return await fetch(`${brokerUrl.replace(/\/+$/, '')}${path}`, {
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
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    return localFailure('network_error');
  }
}

/** The broker over HTTP: `GET /link/session` and `POST /link/connect`. */
export const fetchTransport: NermConnectTransport = {
  async session(brokerUrl, linkToken, signal) {
    const res = await call(brokerUrl, PATHS.linkSession, linkToken, signal);
    if (!(res instanceof Response)) return res;
    if (res.status !== 200) return failure(res);
    const body = (await res.json()) as LinkSession;
    return { ok: true, tenantUrl: body.tenant_url ?? null };
  },

  async connect(brokerUrl, linkToken, payload, signal) {
    const res = await call(brokerUrl, PATHS.linkConnect, linkToken, signal, payload);
    if (!(res instanceof Response)) return res;
    if (res.status !== 201) return failure(res);
    const body = (await res.json()) as ConnectResult;
    return {
      ok: true,
      publicToken: body.public_token,
      integratedAccountId: body.integrated_account.id,
      tenantHost: body.integrated_account.tenant_host,
    };
  },
};
