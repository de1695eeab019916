import type { Account } from '@nerm-connect/shared';

/** What the page knows: the connected account, if any (set by connection.ts only). */
export const state: { account: Account | undefined } = { account: undefined };
