import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { safeEqual } from '../crypto/tokens.ts';
import { BrokerError } from '../errors.ts';
import { disconnected, type AccountService } from '../services/account-service.ts';
import type { LinkService } from '../services/link-service.ts';
import type { TokenService } from '../services/token-service.ts';
import type { Store } from '../store/store.ts';

export function bearer(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header) : null;
  return match?.[1];
}

/** `api_key:<first 6 hex of its SHA-256>`: which key, without the key. */
export function apiKeyActor(key: string): string {
  return `api_key:${createHash('sha256').update(key).digest('hex').slice(0, 6)}`;
}

/** Server-to-server calls: one of NERM_BROKER_API_KEYS. */
export function requireApiKey(apiKeys: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const presented = bearer(req);
    // Compare against every key so timing says nothing about which one nearly matched.
    const ok =
      presented !== undefined && apiKeys.map((k) => safeEqual(presented, k)).includes(true);
    if (ok) res.locals.actor = apiKeyActor(presented);
    next(
      ok
        ? undefined
        : new BrokerError(
            'unauthorized',
            'A valid API key is required (Authorization: Bearer <key>)',
          ),
    );
  };
}

/** The widget's calls: a live link token. */
export function requireLinkToken(links: LinkService): RequestHandler {
  return async (req, res, next) => {
    const token = bearer(req);
    if (!token) return next(new BrokerError('link_token_invalid', 'A link token is required'));
    res.locals.link = await links.resolve(token);
    res.locals.actor = 'link_token';
    next();
  };
}

/**
 * integrated_account_token: a valid JWT *and* an account that still exists, is not
 * disconnected, and was not disconnected since the token was minted (its generation),
 * checked against the store on every request.
 */
export function requireAccountToken(
  jwt: TokenService,
  store: Store,
  accounts: AccountService,
): RequestHandler {
  return async (req, res, next) => {
    const token = bearer(req);
    if (!token)
      return next(new BrokerError('unauthorized', 'An integrated_account_token is required'));
    const claims = await jwt.verify(token);
    const account = await store.getAccount(claims.accountId);
    if (!account || account.tenant_id !== claims.tenantId) {
      return next(new BrokerError('unauthorized', 'The account token is not valid'));
    }
    if (account.status === 'disconnected') return next(disconnected());
    if (account.token_generation !== claims.generation) {
      return next(
        new BrokerError(
          'unauthorized',
          'This token was revoked when its account was disconnected; mint a new one',
        ),
      );
    }
    res.locals.tenant = accounts.tenantFor(account);
    res.locals.actor = `account_token:${claims.jti}`;
    next();
  };
}
