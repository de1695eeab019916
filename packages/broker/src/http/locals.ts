import type { Tenant } from '../nerm/tenant.ts';
import type { StoredLinkToken } from '../store/store.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      requestId: string;
      /** Set by the link-token guard. */
      link?: StoredLinkToken;
      /** Set by the account-token guard from the account, re-read on every request. */
      tenant?: Tenant;
      /**
       * Who is calling, for the audit trail, never a secret: `api_key:<6 hex of its
       * SHA-256>`, `link_token` or `account_token:<jti>`. Set by the guards.
       */
      actor?: string;
    }
  }
}

export {};
