import type { ListEnvelope, ListUsersQuery, User } from '@nerm-connect/shared';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { scopeDigest, type CursorCodec } from '../crypto/cursor.ts';
import { BrokerError } from '../errors.ts';
import { upstreamFailure, type NermPage } from '../nerm/lists.ts';
import { isNotFoundAnswer } from '../nerm/live-answers.ts';
import { PERSON_CATEGORIES, profileToUser, type MappingContext } from '../nerm/mapping.ts';
import { NermProfile, objectAnswer, parseAnswer, type NermProfileType } from '../nerm/schemas.ts';
import type { Tenant } from '../nerm/tenant.ts';
import type { RoleWalk, RolesOf, RolesService } from './roles-service.ts';

/** Up to this many people, a first page reads their roles one by one (docs/decisions/0011). */
const PER_PERSON_ROLES_MAX = 100;
import { listJson } from './list-json.ts';
import type { TenantMetadata } from './tenant-metadata.ts';
import { TakeOnce } from './ttl-cache.ts';
import { upstreamId } from './upstream-id.ts';
import {
  FIRST_ID,
  collectPage,
  firstProfileQuery,
  profileReader,
  readProfiles,
  userQueryPlan,
} from './user-pages.ts';
import { UsersCursor, neighbours, packId, unpackId } from './users-cursor.ts';

type UsersQuery = z.output<typeof ListUsersQuery>;

/** A users page as JSON bytes, with the cursor that follows it. */
export interface SerializedPage {
  json: Buffer;
  nextCursor: string | null;
}

export interface UserServiceDeps {
  /** Where a status NERM does not document is reported. */
  logger?: Pick<Logger, 'warn'>;
  metadata: TenantMetadata;
  roles: RolesService;
  cursors: CursorCodec;
  now: () => number;
}

/** Users: pages of people (built ahead while the previous page travels) and single reads. */
export class UserService {
  private readonly aheadPages: TakeOnce<Promise<SerializedPage>>;
  /** NERM profile pages read ahead by a page built ahead: the first read of the page after it. */
  private readonly aheadProfiles: TakeOnce<Promise<NermPage<NermProfile>>>;
  private readonly statusWarnings = new WeakMap<
    Tenant,
    NonNullable<MappingContext['onUnknownStatus']>
  >();

  constructor(private readonly deps: UserServiceDeps) {
    // Pages are large (500 users with their raw profiles): keep few, briefly.
    this.aheadPages = new TakeOnce(15_000, 32, deps.now);
    this.aheadProfiles = new TakeOnce(15_000, 32, deps.now);
  }

  /**
   * One page of users, already serialised: a page is built (and encoded) ahead while the
   * previous one travels, so a walk's next request is answered from memory.
   */
  async list(tenant: Tenant, query: UsersQuery): Promise<SerializedPage> {
    const key = query.next_cursor ? this.aheadKey(tenant, query) : undefined;
    const ahead = key ? this.aheadPages.take(key) : undefined;
    const page =
      (ahead ? await ahead.catch(() => undefined) : undefined) ??
      (await this.serializedPage(tenant, query));
    if (page.nextCursor) this.readAhead(tenant, { ...query, next_cursor: page.nextCursor });
    return page;
  }

  async get(tenant: Tenant, id: string, includeRemoteData = false): Promise<User> {
    const { profile, type } = await this.person(tenant, id);
    return this.toUser(tenant, profile, type, includeRemoteData);
  }

  /** A profile and its type, or not_found when it is not a person (organization, assignment…). */
  async person(
    tenant: Tenant,
    id: string,
  ): Promise<{ profile: NermProfile; type: NermProfileType }> {
    const [types, profile] = await Promise.all([
      this.deps.metadata.profileTypes(tenant),
      this.profile(tenant, id),
    ]);
    const type = types.get(String(profile.profile_type_id));
    if (!type || !PERSON_CATEGORIES.has(String(type.category))) throw noSuchUser();
    return { profile, type };
  }

  /** One profile as a user, its roles read for it alone. */
  async toUser(
    tenant: Tenant,
    profile: NermProfile,
    type: NermProfileType,
    includeRemoteData = false,
  ): Promise<User> {
    const [roles, dateFormatOf] = await Promise.all([
      this.deps.roles.ofProfile(tenant, profile.id),
      this.deps.metadata.dateFormats(tenant),
    ]);
    return this.mapped(tenant, profile, type, { roles, dateFormatOf, includeRemoteData });
  }

  mapped(
    tenant: Tenant,
    profile: NermProfile,
    type: NermProfileType,
    context: Pick<MappingContext, 'roles' | 'dateFormatOf' | 'includeRemoteData'>,
  ): User {
    // No spread and no closure per person: a page maps 500 (docs/decisions/0093).
    return profileToUser(profile, {
      roles: context.roles,
      dateFormatOf: context.dateFormatOf,
      includeRemoteData: context.includeRemoteData === true,
      onUnknownStatus: this.unknownStatusWarning(tenant),
      typeName: type.name ?? null,
      typeUid: type.uid ?? null,
      mapping: tenant.fieldMapping,
    });
  }

  /** One warning function per tenant, told which profile has a status NERM does not document. */
  private unknownStatusWarning(tenant: Tenant): NonNullable<MappingContext['onUnknownStatus']> {
    let warn = this.statusWarnings.get(tenant);
    if (!warn) {
      warn = (status, profile) =>
        this.deps.logger?.warn(
          { account_id: tenant.accountId, profile_id: profile.id, nerm_status: status },
          'NERM profile status is not documented; mapped to inactive',
        );
      this.statusWarnings.set(tenant, warn);
    }
    return warn;
  }

  private async profile(tenant: Tenant, id: string): Promise<NermProfile> {
    const res = await tenant.client.send({
      method: 'GET',
      path: `profiles/${upstreamId(id)}`,
      idempotent: true,
    });
    if (isNotFoundAnswer(res)) throw noSuchUser();
    if (res.status !== 200) throw upstreamFailure(res, 'profile');
    return parseAnswer(objectAnswer('profile', NermProfile), res, 'profile');
  }

  /**
   * A walk asks for the page after this one next: build it now, while this one is sent
   * and read, so the next request finds it ready. Kept 15 s, handed out once; not built
   * again while one waits.
   */
  private readAhead(tenant: Tenant, query: UsersQuery): void {
    const key = this.aheadKey(tenant, query);
    // Callers of the same page at once get the same next cursor: one page built ahead for all.
    if (this.aheadPages.has(key)) return;
    const next = this.serializedPage(tenant, query, true);
    next.catch(() => undefined);
    this.aheadPages.put(key, next);
  }

  private async serializedPage(
    tenant: Tenant,
    query: UsersQuery,
    ahead = false,
  ): Promise<SerializedPage> {
    const page = await this.page(tenant, query, ahead);
    return { json: listJson(page), nextCursor: page.next_cursor };
  }

  /** Everything that shapes a page: a cursor sent with other filters must miss (and then be refused). */
  private aheadKey(tenant: Tenant, query: UsersQuery): string {
    const { limit, status, user_type, updated_after, include_remote_data, next_cursor } = query;
    return JSON.stringify([
      tenant.accountId,
      tenant.revision,
      limit,
      status,
      user_type,
      updated_after,
      include_remote_data,
      next_cursor,
    ]);
  }

  /**
   * A walk's pages read its role snapshot. A first page whose snapshot is not read yet asks
   * for its few people one by one (16 at a time) rather than read every role link first:
   * the snapshot is read when the walk goes on (the next page is built ahead at once).
   */
  private rolesFor(
    tenant: Tenant,
    persons: NermProfile[],
    roleWalk: RoleWalk,
    cursor: string | undefined,
  ): Promise<RolesOf> {
    if (cursor === undefined && !roleWalk.isReady() && persons.length <= PER_PERSON_ROLES_MAX) {
      return roleWalk.ofProfiles(persons.map((p) => p.id));
    }
    return roleWalk.rolesOf();
  }

  /**
   * A page built ahead reads the NERM page after it as soon as it knows where that starts,
   * before mapping its own: the walk's NERM reads follow one another without waiting for the
   * broker's CPU or the client, two pages ahead of the client at most (one built, one read).
   * In the background share of the budget; kept 15 s, handed out once.
   */
  private readProfilesAhead(tenant: Tenant, query: UsersQuery, after: string): void {
    const first = firstProfileQuery(query, after, query.limit);
    if (first === undefined) return;
    const key = this.profilesKey(tenant, first);
    if (this.aheadProfiles.has(key)) return;
    const read = readProfiles(tenant.client.forReadAhead(), first);
    read.catch(() => undefined);
    this.aheadProfiles.put(key, read);
  }

  private profilesKey(tenant: Tenant, first: URLSearchParams): string {
    return JSON.stringify([tenant.cacheKey, tenant.revision, first.toString()]);
  }

  private async page(
    tenant: Tenant,
    query: UsersQuery,
    ahead: boolean,
  ): Promise<ListEnvelope<User>> {
    const { cursors, metadata, roles } = this.deps;
    const scope = scopeDigest('users', {
      status: query.status,
      user_type: query.user_type,
      updated_after: query.updated_after,
    });
    const cursor: UsersCursor = query.next_cursor
      ? cursors.decode(query.next_cursor, tenant.accountId, scope, UsersCursor)
      : { k: packId(FIRST_ID), h: [] };
    const after = unpackId(cursor.k);
    const first = firstProfileQuery(query, after, query.limit);
    const early = first && this.aheadProfiles.take(this.profilesKey(tenant, first));
    const readPage = profileReader(tenant.client, first, early);
    const [types, dateFormatOf] = await Promise.all([
      metadata.profileTypes(tenant),
      metadata.dateFormats(tenant),
      metadata.rolesById(tenant),
    ]);
    const plan = userQueryPlan(types, query);
    if (!plan) return { result: [], next_cursor: null, prev_cursor: null, result_count: 0 };

    // One role snapshot per walk: its id travels in the cursor.
    const roleWalk = roles.walk(tenant, cursor.x);
    cursor.x = roleWalk.id;
    const page = await collectPage(tenant.client, plan, after, query.limit, readPage);
    if (ahead && page.more) this.readProfilesAhead(tenant, query, page.last);
    const rolesOf = await this.rolesFor(tenant, page.persons, roleWalk, query.next_cursor);
    const result = page.persons.map((p) =>
      this.mapped(tenant, p, types.get(String(p.profile_type_id)) as NermProfileType, {
        roles: rolesOf(p.id),
        dateFormatOf,
        includeRemoteData: query.include_remote_data,
      }),
    );
    const { next, prev } = neighbours(cursor, page.last, page.more);
    const encode = (payload: UsersCursor | null) =>
      payload ? cursors.encode(tenant.accountId, scope, payload) : null;
    return {
      result,
      next_cursor: encode(next),
      prev_cursor: encode(prev),
      result_count: result.length,
    };
  }
}

export function noSuchUser(): BrokerError {
  return new BrokerError('not_found', 'No user with this id');
}
