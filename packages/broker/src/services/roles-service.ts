import type { ListEnvelope, ListRolesQuery, Role } from '@nerm-connect/shared';
import type { z } from 'zod';
import { scopeDigest, type CursorCodec } from '../crypto/cursor.ts';
import { BrokerError } from '../errors.ts';
import { fetchAll, fetchPage, upstreamFailure } from '../nerm/lists.ts';
import { isNotFoundAnswer } from '../nerm/live-answers.ts';
import { roleToUnified } from '../nerm/mapping.ts';
import { NermRole, NermRoleProfile, objectAnswer, parseAnswer } from '../nerm/schemas.ts';
import type { Tenant } from '../nerm/tenant.ts';
import type { TenantMetadata } from './tenant-metadata.ts';
import { RoleIndexes, type Snapshot } from './role-index.ts';
import { anchoredPage } from './offset-walk.ts';
import { upstreamId } from './upstream-id.ts';

type RolesQuery = z.output<typeof ListRolesQuery>;

/** A role as a user carries it. */
export interface RoleRef {
  id: string;
  name: string | null;
}

/** Roles: their list and single reads, and which roles each person holds (`role_profiles`). */
export class RolesService {
  private readonly indexes: RoleIndexes;

  constructor(
    private readonly deps: { metadata: TenantMetadata; cursors: CursorCodec; now: () => number },
  ) {
    this.indexes = new RoleIndexes(deps.now);
  }

  /** Roles by offset, each page re-finding where the last ended (./offset-walk.ts). */
  async list(tenant: Tenant, query: RolesQuery): Promise<ListEnvelope<Role>> {
    const { cursors } = this.deps;
    const scope = scopeDigest('roles', {});
    const at = query.next_cursor
      ? cursors.decode(query.next_cursor, tenant.accountId, scope)
      : { o: 0 };
    const page = await anchoredPage(
      (offset, limit) =>
        fetchPage(
          tenant.client,
          'roles',
          new URLSearchParams({ limit: String(limit), offset: String(offset) }),
          NermRole,
        ),
      (role) => role.id,
      at,
      query.limit,
    );
    const result = page.items.map((role) => roleToUnified(role, query.include_remote_data));
    return {
      result,
      next_cursor: page.next ? cursors.encode(tenant.accountId, scope, page.next) : null,
      prev_cursor:
        page.start > 0
          ? cursors.encode(tenant.accountId, scope, { o: Math.max(0, page.start - query.limit) })
          : null,
      result_count: result.length,
    };
  }

  async get(tenant: Tenant, id: string, includeRemoteData = false): Promise<Role> {
    const res = await tenant.client.send({
      method: 'GET',
      path: `roles/${upstreamId(id)}`,
      idempotent: true,
    });
    if (isNotFoundAnswer(res)) throw new BrokerError('not_found', 'No role with this id');
    if (res.status !== 200) throw upstreamFailure(res, 'role');
    return roleToUnified(
      parseAnswer(objectAnswer('role', NermRole), res, 'role'),
      includeRemoteData,
    );
  }

  /** The roles one person holds: one `role_profiles` query, names from the cached roles. */
  async ofProfile(tenant: Tenant, profileId: string): Promise<RoleRef[]> {
    const [ids, rolesById] = await Promise.all([
      this.roleIdsOf(tenant, profileId),
      this.deps.metadata.rolesById(tenant),
    ]);
    return named(rolesById, ids);
  }

  private async roleIdsOf(tenant: Tenant, profileId: string): Promise<string[]> {
    const links = await fetchAll(
      tenant.client,
      'role_profiles',
      NermRoleProfile,
      new URLSearchParams({ profile_id: profileId }),
    );
    return [...new Set(links.map((l) => l.role_id))];
  }

  /** Roles of every person (with `fresh`: read now, for the caller alone, e.g. a sync). */
  async index(tenant: Tenant, fresh = false): Promise<RolesOf> {
    if (!fresh) return this.walk(tenant).rolesOf();
    return this.rolesIn(tenant, this.indexes.fresh(tenant));
  }

  /**
   * The role snapshot of a walk (docs/decisions/0011-role-index-per-walk.md): `id` goes
   * into the cursor so every page uses it.
   */
  walk(tenant: Tenant, id?: string): RoleWalk {
    const snapshot = this.indexes.forWalk(tenant, id);
    return {
      id: snapshot.id,
      isReady: () => snapshot.ready !== undefined,
      rolesOf: () => this.rolesIn(tenant, snapshot),
      ofProfiles: (profileIds) => this.ofProfiles(tenant, snapshot, profileIds),
    };
  }

  private async rolesIn(tenant: Tenant, snapshot: Snapshot): Promise<RolesOf> {
    const [links, rolesById] = await Promise.all([
      this.indexes.links(tenant, snapshot),
      this.deps.metadata.rolesById(tenant),
    ]);
    return (profileId) => named(rolesById, links.get(profileId) ?? []);
  }

  /**
   * Roles of a few people on a walk's snapshot, one `role_profiles` query each, shared
   * with every other page asking for them meanwhile (docs/decisions/0082-shared-first-page-roles.md).
   */
  private async ofProfiles(
    tenant: Tenant,
    snapshot: Snapshot,
    profileIds: string[],
  ): Promise<RolesOf> {
    const read = (id: string) => this.roleIdsOf(tenant, id);
    const [found, rolesById] = await Promise.all([
      Promise.all(
        profileIds.map(
          async (id) => [id, await this.indexes.personRoles(snapshot, id, read)] as const,
        ),
      ),
      this.deps.metadata.rolesById(tenant),
    ]);
    const byId = new Map(found);
    return (profileId) => named(rolesById, byId.get(profileId) ?? []);
  }
}

/** Role ids as a user carries them, names from the tenant's roles. */
function named(rolesById: Map<string, NermRole>, ids: readonly string[]): RoleRef[] {
  return ids.map((id) => ({ id, name: rolesById.get(id)?.name ?? null }));
}

/** Role refs of a profile. */
export type RolesOf = (profileId: string) => RoleRef[];

export interface RoleWalk {
  id: string;
  isReady(): boolean;
  rolesOf(): Promise<RolesOf>;
  /** Roles of a few people before the snapshot's links are read (a first page). */
  ofProfiles(profileIds: string[]): Promise<RolesOf>;
}
