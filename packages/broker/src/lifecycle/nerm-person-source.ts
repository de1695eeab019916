import type { EventUser } from '@nerm-connect/shared';
import { isBrokerError } from '../errors.ts';
import { fetchPage, NERM_MAX_LIMIT, type NermPage } from '../nerm/lists.ts';
import { PERSON_CATEGORIES, type MappingContext } from '../nerm/mapping.ts';
import { NermProfile, type NermProfileType } from '../nerm/schemas.ts';
import type { Tenant } from '../nerm/tenant.ts';
import type { RoleRef, RolesService } from '../services/roles-service.ts';
import type { TenantMetadata } from '../services/tenant-metadata.ts';
import type { UserService } from '../services/user-service.ts';
import { eventUser } from './changes.ts';
import type { PersonSource, WalkedPerson } from './sync-engine.ts';

/** Where a keyset walk starts: below every id (CONTRACT §2). */
const LOWEST_ID = '00000000-0000-0000-0000-000000000000';
/** Past this many single-person role lookups in one sync, one walk of all links is cheaper. */
const ROLE_LOOKUPS_BEFORE_INDEX = 20;

export interface DirectoryParts {
  metadata: TenantMetadata;
  roles: RolesService;
  users: UserService;
}

/**
 * One account's people, read from NERM for a sync: profiles by keyset (`after_id`, so a
 * walk sees every profile present throughout exactly once, and archived ones marked as
 * such), one page in memory at a time; role links only when the sync needs them. The
 * mapping to Users is the directory's own.
 */
export class NermPersonSource implements PersonSource {
  private lookups = 0;
  private index: Promise<(profileId: string) => RoleRef[]> | undefined;

  constructor(
    private readonly tenant: Tenant,
    private readonly parts: DirectoryParts,
  ) {}

  async *pages(options: {
    updatedSince?: string;
    withRoles: boolean;
  }): AsyncIterable<WalkedPerson[]> {
    const [types, dateFormatOf] = await Promise.all([
      this.parts.metadata.profileTypes(this.tenant),
      this.parts.metadata.dateFormats(this.tenant),
    ]);
    const rolesOf = options.withRoles ? await this.roleIndex() : () => [];
    let after: string | null = LOWEST_ID;
    while (after !== null) {
      const query: URLSearchParams = new URLSearchParams({
        after_id: after,
        limit: String(NERM_MAX_LIMIT),
      });
      if (options.updatedSince) query.set('updated_after', options.updatedSince);
      const page: NermPage<NermProfile> = await fetchPage(
        this.tenant.client,
        'profiles',
        query,
        NermProfile,
      );
      if (page.items.length === 0) return;
      yield page.items.map((p) => ({
        id: p.id,
        user: this.toUser(p, types, { roles: rolesOf(p.id), dateFormatOf }),
      }));
      // Without `_metadata.after_id` the last id carries on; an empty page (or 400) ends it.
      after = page.afterId === undefined ? (page.items.at(-1)?.id ?? null) : page.afterId;
    }
  }

  async person(profileId: string): Promise<EventUser | null> {
    try {
      const { profile, type } = await this.parts.users.person(this.tenant, profileId);
      if (profile.archived === true) return null;
      return eventUser(await this.parts.users.toUser(this.tenant, profile, type));
    } catch (error) {
      if (isBrokerError(error, 'not_found')) return null;
      throw error;
    }
  }

  async rolesOf(profileId: string): Promise<RoleRef[]> {
    if (!this.index && ++this.lookups <= ROLE_LOOKUPS_BEFORE_INDEX)
      return this.parts.roles.ofProfile(this.tenant, profileId);
    return (await this.roleIndex())(profileId);
  }

  private roleIndex(): Promise<(profileId: string) => RoleRef[]> {
    this.index ??= this.parts.roles.index(this.tenant, true);
    return this.index;
  }

  private toUser(
    profile: NermProfile,
    types: Map<string, NermProfileType>,
    context: Pick<MappingContext, 'roles' | 'dateFormatOf'>,
  ): EventUser | null {
    if (profile.archived === true) return null;
    const type = types.get(String(profile.profile_type_id));
    if (!type || !PERSON_CATEGORIES.has(String(type.category))) return null;
    return eventUser(this.parts.users.mapped(this.tenant, profile, type, context));
  }
}
