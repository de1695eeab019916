import { ENDPOINTS } from '@nerm-connect/shared';
import type { RouteFn } from '../http/endpoint-router.ts';
import type { LinkService } from '../services/link-service.ts';
import type { TokenService } from '../services/token-service.ts';

/** `POST /tokens/exchange` (API key): public token → integrated_account_token. */
export function tokensRoutes(route: RouteFn, links: LinkService, jwt: TokenService): void {
  route(ENDPOINTS.exchangePublicToken, async ({ body }) => {
    const account = await links.redeem(body.public_token);
    const { token, expiresAt } = await jwt.issue(account);
    return {
      integrated_account_id: account.id,
      integrated_account_token: token,
      expires_at: new Date(expiresAt).toISOString(),
    };
  });
}
