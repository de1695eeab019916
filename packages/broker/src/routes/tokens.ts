import { ExchangeBody } from '@nerm-connect/shared';
import { Router } from 'express';
import { parse } from '../http/validate.ts';
import type { LinkService } from '../services/link-service.ts';
import type { TokenService } from '../services/token-service.ts';

/** `POST /tokens/exchange` (API key): public token → integrated_account_token. */
export function tokensRouter(links: LinkService, jwt: TokenService): Router {
  const router = Router();
  router.post('/exchange', async (req, res) => {
    const { public_token } = parse(ExchangeBody, req.body, 'exchange request');
    const account = await links.redeem(public_token);
    const { token, expiresAt } = await jwt.issue(account.id, account.tenant_id);
    res.json({
      integrated_account_id: account.id,
      integrated_account_token: token,
      expires_at: new Date(expiresAt).toISOString(),
    });
  });
  return router;
}
