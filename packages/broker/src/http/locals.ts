import type { Tenant } from '../nerm/tenant.ts';
import type { LinkTokenRow } from '../store/store.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      requestId: string;
      /** Set by the link-token guard. */
      link?: LinkTokenRow;
      /** Set by the account-token guard from the account, re-read on every request. */
      tenant?: Tenant;
    }
  }
}

export {};
