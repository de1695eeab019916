import type { Account } from '@nerm-connect/shared';

/** What the page knows: the connected account (set by connection.ts only), and the people
 * whose Shiftboard access NERM ended (set by live.ts from the backend's activity). */
export const state: { account: Account | undefined; revoked: Set<string> } = {
  account: undefined,
  revoked: new Set(),
};
