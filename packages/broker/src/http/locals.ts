import type { LinkTokenRow, AccountRow } from '../store/store.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      requestId: string;
      /** Set by the link-token guard. */
      link?: LinkTokenRow;
      /** Set by the account-token guard: re-read from the store on every request. */
      account?: AccountRow;
    }
  }
}

export {};
