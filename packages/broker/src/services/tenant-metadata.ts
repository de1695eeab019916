import { BrokerError } from '../errors.ts';
import { isNermDateFormat, type NermDateFormat } from '../nerm/dates.ts';
import { fetchAll } from '../nerm/lists.ts';
import {
  NermAttribute,
  NermProfileType,
  NermRole,
  type NermAttribute as Attribute,
  type NermProfileType as ProfileType,
  type NermRole as Role,
} from '../nerm/schemas.ts';
import type { Tenant } from '../nerm/tenant.ts';
import { TtlCache } from './ttl-cache.ts';

/** How long tenant metadata is reused: profile types, roles and attributes change rarely. */
export const METADATA_TTL_MS = 5 * 60_000;
/**
 * Accounts whose metadata one process keeps. A replica syncs a fleet's accounts in turn, so
 * this must exceed the accounts it syncs within the TTL, or every sync reads the metadata
 * again (at 1,000, a fleet of 2,000 accounts never hit: docs/decisions/0014-sync-fixed-cost.md).
 */
const METADATA_ACCOUNTS = 5_000;

/**
 * What a tenant is made of, read once and reused per account: profile types (which
 * profiles are people, and their type names), roles by id, and attributes (which uids
 * exist, and each date attribute's format).
 */
export class TenantMetadata {
  private readonly types: TtlCache<Map<string, ProfileType>>;
  private readonly roles: TtlCache<Map<string, Role>>;
  private readonly attributes: TtlCache<Map<string, Attribute> | null>;

  constructor(now: () => number) {
    this.types = new TtlCache(METADATA_TTL_MS, METADATA_ACCOUNTS, now);
    this.roles = new TtlCache(METADATA_TTL_MS, METADATA_ACCOUNTS, now);
    this.attributes = new TtlCache(METADATA_TTL_MS, METADATA_ACCOUNTS, now);
  }

  profileTypes(tenant: Tenant): Promise<Map<string, ProfileType>> {
    return this.types.get(tenant.cacheKey, async () => {
      const all = await fetchAll(tenant.client, 'profile_types', NermProfileType);
      return new Map(all.map((t) => [t.id, t]));
    });
  }

  rolesById(tenant: Tenant): Promise<Map<string, Role>> {
    return this.roles.get(tenant.cacheKey, async () => {
      const all = await fetchAll(tenant.client, 'roles', NermRole);
      return new Map(all.map((r) => [r.id, r]));
    });
  }

  /** Each attribute's date format by uid; undefined for an attribute the tenant does not list. */
  async dateFormats(tenant: Tenant): Promise<(uid: string) => NermDateFormat | undefined> {
    const attributes = await this.attributesByUid(tenant);
    return (uid) => {
      const format = attributes?.get(uid)?.date_format;
      return isNermDateFormat(format) ? format : undefined;
    };
  }

  /** Attributes by uid, or null when the tenant will not say (the credential may not read them). */
  attributesByUid(tenant: Tenant): Promise<Map<string, Attribute> | null> {
    return this.attributes.get(tenant.cacheKey, async () => {
      try {
        const all = await fetchAll(tenant.client, 'ne_attributes', NermAttribute);
        return new Map(all.map((a) => [a.uid, a]));
      } catch (error) {
        if (
          error instanceof BrokerError &&
          ['not_found', 'insufficient_permissions'].includes(error.code)
        )
          return null;
        throw error;
      }
    });
  }
}
