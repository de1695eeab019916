import type { EventUser } from '@nerm-connect/shared';
import { isBrokerError } from '../errors.ts';
import { NERM_MAX_LIMIT } from '../nerm/lists.ts';
import { PERSON_CATEGORIES, type MappingContext } from '../nerm/mapping.ts';
import type { NermProfile, NermProfileType } from '../nerm/schemas.ts';
import type { Tenant } from '../nerm/tenant.ts';
import type { RoleRef, RolesService } from '../services/roles-service.ts';
import type { TenantMetadata } from '../services/tenant-metadata.ts';
import { collectPage, FIRST_ID } from '../services/user-pages.ts';
import type { UserService } from '../services/user-service.ts';
import { eventUser } from './changes.ts';
import type { PersonSource, WalkedPerson } from './sync-engine.ts';

/** Past this many single-person role lookups in one sync, one walk of all links is cheaper. */
const ROLE_LOOKUPS_BEFORE_INDEX = 20;

export interface DirectoryParts {
  metadata: TenantMetadata;
  roles: RolesService;
  users: UserService;
}

/**
 * One account's people, read from NERM for a sync: the users walk (keyset, `after_id`, so
 * every profile present throughout is seen exactly once, archived ones marked as such),
 * one page in memory at a time; role links only when the sync needs them. The mapping to
 * Users is the directory's own.
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
    // The users walk itself (keyset, exactly once), but nothing filtered out: archived
    // profiles and profiles that stopped being people are news to a sync.
    const upstream = new URLSearchParams();
    if (options.updatedSince) upstream.set('updated_after', options.updatedSince);
    const plan = { upstream, matches: () => true };
    for (let after = FIRST_ID; ;) {
      const page = await collectPage(this.tenant.client, plan, after, NERM_MAX_LIMIT);
      if (page.persons.length > 0)
        yield page.persons.map((p) => ({
          id: p.id,
          user: this.toUser(p, types, { roles: rolesOf(p.id), dateFormatOf }),
        }));
      if (!page.more) return;
      after = page.last;
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
