import type { ListEnvelope, ListRolesQuery, Role } from '@nerm-connect/shared';
import type { z } from 'zod';
import { scopeDigest, type CursorCodec } from '../crypto/cursor.ts';
import { BrokerError } from '../errors.ts';
import { fetchAll, fetchPage, hasMore, NERM_MAX_LIMIT, upstreamFailure } from '../nerm/lists.ts';
import { isNotFoundAnswer } from '../nerm/live-answers.ts';
import { roleToUnified } from '../nerm/mapping.ts';
import { NermRole, NermRoleProfile, objectAnswer, parseAnswer } from '../nerm/schemas.ts';
import type { Tenant } from '../nerm/tenant.ts';
import type { TenantMetadata } from './tenant-metadata.ts';
import { TtlCache } from './ttl-cache.ts';
import { upstreamId } from './upstream-id.ts';

type RolesQuery = z.output<typeof ListRolesQuery>;

/** A role as a user carries it. */
export interface RoleRef {
  id: string;
  name: string | null;
}

/** Role memberships change more often than roles: kept long enough to serve a walk. */
export const MEMBERSHIPS_TTL_MS = 60_000;

/** Roles: their list and single reads, and which roles each person holds (`role_profiles`). */
export class RolesService {
  private readonly memberships: TtlCache<Map<string, string[]>>;

  constructor(
    private readonly deps: { metadata: TenantMetadata; cursors: CursorCodec; now: () => number },
  ) {
    this.memberships = new TtlCache(MEMBERSHIPS_TTL_MS, 200, deps.now);
  }

  async list(tenant: Tenant, query: RolesQuery): Promise<ListEnvelope<Role>> {
    const { cursors } = this.deps;
    const scope = scopeDigest('roles', {});
    const start = query.next_cursor
      ? cursors.decode(query.next_cursor, tenant.accountId, scope).o
      : 0;
    const page = await fetchPage(
      tenant.client,
      'roles',
      new URLSearchParams({ limit: String(query.limit), offset: String(start) }),
      NermRole,
    );
    const next = start + page.items.length;
    const result = page.items.map(roleToUnified);
    return {
      result,
      next_cursor: hasMore(page, next)
        ? cursors.encode(tenant.accountId, scope, { o: next })
        : null,
      prev_cursor:
        start > 0
          ? cursors.encode(tenant.accountId, scope, { o: Math.max(0, start - query.limit) })
          : null,
      result_count: result.length,
    };
  }

  async get(tenant: Tenant, id: string): Promise<Role> {
    const res = await tenant.client.send({
      method: 'GET',
      path: `roles/${upstreamId(id)}`,
      idempotent: true,
    });
    if (isNotFoundAnswer(res)) throw new BrokerError('not_found', 'No role with this id');
    if (res.status !== 200) throw upstreamFailure(res, 'role');
    return roleToUnified(parseAnswer(objectAnswer('role', NermRole), res, 'role'));
  }

  /** The roles one person holds: one `role_profiles` query, names from the cached roles. */
  async ofProfile(tenant: Tenant, profileId: string): Promise<RoleRef[]> {
    const [links, rolesById] = await Promise.all([
      fetchAll(
        tenant.client,
        'role_profiles',
        NermRoleProfile,
        new URLSearchParams({ profile_id: profileId }),
      ),
      this.deps.metadata.rolesById(tenant),
    ]);
    const ids = [...new Set(links.map((l) => l.role_id))];
    return ids.map((id) => ({ id, name: rolesById.get(id)?.name ?? null }));
  }

  /**
   * Roles of every person, for pages of many users: all of `role_profiles`, O(pages).
   * `fresh` reads the links again (a sync must not diff against a minute-old copy).
   */
  async index(tenant: Tenant, fresh = false): Promise<(profileId: string) => RoleRef[]> {
    if (fresh) this.memberships.forget(tenant.cacheKey);
    const [rolesById, byProfile] = await Promise.all([
      this.deps.metadata.rolesById(tenant),
      this.memberships.get(tenant.cacheKey, async () => {
        // Page by page into the index: the link objects of a large tenant never all live at once.
        const index = new Map<string, string[]>();
        for (let offset = 0; ;) {
          const page = await fetchPage(
            tenant.client,
            'role_profiles',
            new URLSearchParams({ limit: String(NERM_MAX_LIMIT), offset: String(offset) }),
            NermRoleProfile,
          );
          for (const { role_id, profile_id } of page.items) {
            const list = index.get(profile_id);
            if (!list) index.set(profile_id, [role_id]);
            else if (!list.includes(role_id)) list.push(role_id);
          }
          offset += page.items.length;
          if (!hasMore(page, offset)) return index;
        }
      }),
    ]);
    return (profileId) =>
      (byProfile.get(profileId) ?? []).map((id) => ({
        id,
        name: rolesById.get(id)?.name ?? null,
      }));
  }
}
