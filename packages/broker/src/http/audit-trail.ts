import { ENDPOINTS, type Endpoint } from '@nerm-connect/shared';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { LifecycleService } from '../services/lifecycle-service.ts';
import type { AfterSuccess, EndpointRequest } from './endpoint-router.ts';

interface Entry {
  accountId: string;
  action: string;
  detail: Record<string, unknown>;
}

type Rule = (input: EndpointRequest<Endpoint>, reply: unknown) => Entry | undefined;

const params = (input: EndpointRequest<Endpoint>) => (input.params ?? {}) as { id?: string };
const fieldsOf = (body: unknown) =>
  body && typeof body === 'object' ? Object.keys(body as object).sort() : [];

/** The `jti` of a token we just minted (its payload is not secret; the token is). */
function jtiOf(token: unknown): string | null {
  if (typeof token !== 'string') return null;
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    return typeof payload.jti === 'string' ? payload.jti : null;
  } catch {
    return null;
  }
}

/**
 * What the audit trail records for each endpoint that changes a connection: which
 * account, the action, and details that name fields but never values or secrets.
 * Syncs, hook calls and hook rotations are recorded by the lifecycle service.
 */
const RULES = new Map<Endpoint, Rule>([
  [
    ENDPOINTS.createLinkToken,
    (input) => {
      const id = (input.body as { integrated_account_id?: string | null }).integrated_account_id;
      return id ? { accountId: id, action: 'reauth_link_created', detail: {} } : undefined;
    },
  ],
  [
    ENDPOINTS.connect,
    (input, reply) => {
      const account = (
        reply as { integrated_account: { id: string; tenant_host: string; auth_type: string } }
      ).integrated_account;
      return {
        accountId: account.id,
        action: input.res.locals.link?.account_id ? 'reauthenticated' : 'connected',
        detail: { tenant_host: account.tenant_host, auth_type: account.auth_type },
      };
    },
  ],
  [
    ENDPOINTS.exchangePublicToken,
    (_input, reply) => {
      const r = reply as {
        integrated_account_id: string;
        integrated_account_token: string;
        expires_at: string;
      };
      return {
        accountId: r.integrated_account_id,
        action: 'token_minted',
        detail: {
          via: 'public_token',
          jti: jtiOf(r.integrated_account_token),
          expires_at: r.expires_at,
        },
      };
    },
  ],
  [
    ENDPOINTS.createAccountToken,
    (input, reply) => {
      const r = reply as { integrated_account_token: string; expires_at: string };
      return {
        accountId: params(input).id as string,
        action: 'token_minted',
        detail: {
          via: 'api_key',
          jti: jtiOf(r.integrated_account_token),
          expires_at: r.expires_at,
        },
      };
    },
  ],
  [
    ENDPOINTS.verifyAccount,
    (input, reply) => ({
      accountId: params(input).id as string,
      action: 'verified',
      detail: { status: (reply as { status: string }).status },
    }),
  ],
  [
    ENDPOINTS.updateAccount,
    (input) => ({
      accountId: params(input).id as string,
      action: 'field_mapping_updated',
      detail: { fields: fieldsOf((input.body as { field_mapping?: unknown }).field_mapping) },
    }),
  ],
  [
    ENDPOINTS.disconnectAccount,
    (input) => ({ accountId: params(input).id as string, action: 'disconnected', detail: {} }),
  ],
  [
    ENDPOINTS.createUser,
    (input, reply) => ({
      accountId: input.res.locals.tenant?.accountId as string,
      action: 'user_created',
      detail: { user_id: (reply as { id: string }).id, fields: fieldsOf(input.body) },
    }),
  ],
  [
    ENDPOINTS.updateUser,
    (input) => ({
      accountId: input.res.locals.tenant?.accountId as string,
      action: 'user_updated',
      detail: { user_id: params(input).id, fields: fieldsOf(input.body) },
    }),
  ],
]);

/**
 * Appends an audit entry for each successful call that changes a connection. A failed
 * append is logged, never turned into a failure of a call that already took effect.
 */
export function auditTrail(lifecycle: LifecycleService, logger: Logger): AfterSuccess {
  return async (endpoint, input, reply) => {
    const rule = RULES.get(endpoint);
    const entry = rule?.(input, reply);
    if (!entry?.accountId) return;
    const actor = input.res.locals.actor ?? 'unknown';
    await lifecycle
      .audit(entry.accountId, actor, entry.action, entry.detail)
      .catch((error: unknown) =>
        logger.error({ err: error, action: entry.action }, 'audit append failed'),
      );
  };
}

/** Writes through the proxy (`POST`/`PUT`/`PATCH`/`DELETE`) that NERM accepted: method and path only. */
export function auditProxyWrites(lifecycle: LifecycleService, logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.on('finish', () => {
        const accountId = res.locals.tenant?.accountId;
        if (!accountId || res.statusCode < 200 || res.statusCode > 299) return;
        lifecycle
          .audit(accountId, res.locals.actor ?? 'unknown', 'proxy_write', {
            method: req.method,
            path: req.path,
            status: res.statusCode,
          })
          .catch((error: unknown) => logger.error({ err: error }, 'audit append failed'));
      });
    }
    next();
  };
}
