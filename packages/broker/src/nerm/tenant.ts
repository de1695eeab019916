import type { FieldMapping } from '@nerm-connect/shared';
import type { NermClient } from './nerm-client.ts';

/**
 * One connected tenant, as the directory services see it: the NERM client (made once per
 * request from the account, by `AccountService.tenantFor`) and what shapes its answers.
 * The sealed credential stays inside the client.
 */
export interface Tenant {
  readonly accountId: string;
  /** Scopes per-tenant caches: the same account re-pointed at another origin starts afresh. */
  readonly cacheKey: string;
  /** Moves whenever the account changes (credential, mapping): pages built ahead must match it. */
  readonly revision: number;
  readonly fieldMapping: FieldMapping;
  readonly client: NermClient;
}
