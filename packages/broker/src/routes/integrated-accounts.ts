import { ENDPOINTS } from '@nerm-connect/shared';
import type { RouteFn } from '../http/endpoint-router.ts';
import type { AccountService } from '../services/account-service.ts';

/** `/integrated-accounts` (API key). */
export function integratedAccountsRoutes(route: RouteFn, accounts: AccountService): void {
  route(ENDPOINTS.listAccounts, ({ query }) => accounts.list(query));
  route(ENDPOINTS.getAccount, ({ params }) => accounts.get(params.id));
  route(ENDPOINTS.updateAccount, ({ params, body }) =>
    accounts.setFieldMapping(params.id, body.field_mapping),
  );
  route(ENDPOINTS.verifyAccount, ({ params }) => accounts.verify(params.id));
  route(ENDPOINTS.createAccountToken, ({ params }) => accounts.mintToken(params.id));
  route(ENDPOINTS.disconnectAccount, ({ params }) => accounts.disconnect(params.id));
}
