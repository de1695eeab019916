import {
  MAPPABLE_FIELDS,
  type CreateUserBody,
  type ListEnvelope,
  type MappableField,
  type Role,
  type UpdateUserBody,
  type User,
} from '@nerm-connect/shared';
import type { z } from 'zod';
import type { ListRolesQuery, ListUsersQuery } from '@nerm-connect/shared';
import { scopeDigest, type CursorCodec, type CursorPayload } from '../crypto/cursor.ts';
import { BrokerError } from '../errors.ts';
import { fetchAll, fetchPage, hasMore, upstreamFailure } from '../nerm/lists.ts';
import {
  ATTRIBUTE_FALLBACKS,
  PERSON_CATEGORIES,
  STATUS_TO_NERM,
  isoDateToNerm,
  profileToUser,
  roleToUnified,
  type NermProfile,
  type NermProfileType,
  type NermRole,
} from '../nerm/mapping.ts';
import { isNotFoundAnswer } from '../nerm/live-answers.ts';
import { parseJson, type NermClient } from '../nerm/nerm-client.ts';
import type { AccountRow } from '../store/store.ts';
import type { AccountService } from './account-service.ts';
import { TakeOnce, TtlCache } from './ttl-cache.ts';
import { collectBackward, collectForward, userQueryPlan } from './user-pages.ts';

type UsersQuery = z.output<typeof ListUsersQuery>;
type RolesQuery = z.output<typeof ListRolesQuery>;
type CreateBody = z.output<typeof CreateUserBody>;
type UpdateBody = z.output<typeof UpdateUserBody>;

/**
 * How long tenant metadata is reused per account. Profile types, roles and attribute
 * names change rarely; role memberships change more often, so they live briefly — long
 * enough to serve a full paging walk from one load.
 */
export const CACHE_TTL_MS = {
  profileTypes: 5 * 60_000,
  roles: 5 * 60_000,
  attributes: 5 * 60_000,
  memberships: 60_000,
};

const UPSTREAM_ID = /^[A-Za-z0-9_:@-][A-Za-z0-9._:@-]{0,255}$/;

export interface DirectoryDeps {
  accounts: AccountService;
  cursors: CursorCodec;
  now: () => number;
}

/** The Unified User Directory over NERM (CONTRACT §4): users, roles, write-back. */
export class DirectoryService {
  private readonly types: TtlCache<Map<string, NermProfileType>>;
  private readonly roles: TtlCache<Map<string, NermRole>>;
  private readonly memberships: TtlCache<Map<string, string[]>>;
  private readonly attributes: TtlCache<Set<string> | null>;
  private readonly aheadPages: TakeOnce<Promise<SerializedPage>>;

  constructor(private readonly deps: DirectoryDeps) {
    this.types = new TtlCache(CACHE_TTL_MS.profileTypes, 1_000, deps.now);
    this.roles = new TtlCache(CACHE_TTL_MS.roles, 1_000, deps.now);
    this.memberships = new TtlCache(CACHE_TTL_MS.memberships, 200, deps.now);
    this.attributes = new TtlCache(CACHE_TTL_MS.attributes, 1_000, deps.now);
    // Pages are large (500 users with their raw profiles): keep few, briefly.
    this.aheadPages = new TakeOnce(15_000, 32, deps.now);
  }

  /** Drops everything cached for an account (after a write that changes memberships). */
  forget(accountId: string): void {
    for (const cache of [this.types, this.roles, this.memberships, this.attributes])
      cache.forget(`${accountId}:`);
  }

  // ---- users -------------------------------------------------------------------

  /**
   * One page of users, already serialised: a page is built (and encoded) ahead while the
   * previous one travels, so a walk's next request is answered from memory.
   */
  async listUsers(account: AccountRow, query: UsersQuery): Promise<SerializedPage> {
    const client = this.deps.accounts.clientFor(account);
    const key = query.next_cursor ? this.aheadKey(account, query) : undefined;
    const ahead = key ? this.aheadPages.take(key) : undefined;
    const page =
      (ahead ? await ahead.catch(() => undefined) : undefined) ??
      (await this.serializedUsersPage(account, client, query));
    if (page.nextCursor)
      this.readAhead(account, client, { ...query, next_cursor: page.nextCursor });
    return page;
  }

  /**
   * A walk asks for the page after this one next: build it now, while this one is sent
   * and read, so the next request finds it ready. Kept 15 s, handed out once.
   */
  private readAhead(account: AccountRow, client: NermClient, query: UsersQuery): void {
    const next = this.serializedUsersPage(account, client, query);
    next.catch(() => undefined);
    this.aheadPages.put(this.aheadKey(account, query), next);
  }

  private async serializedUsersPage(
    account: AccountRow,
    client: NermClient,
    query: UsersQuery,
  ): Promise<SerializedPage> {
    const page = await this.usersPage(account, client, query);
    return { json: Buffer.from(JSON.stringify(page)), nextCursor: page.next_cursor };
  }

  /** Everything that shapes a page: a cursor sent with other filters must miss (and then be refused). */
  private aheadKey(account: AccountRow, query: UsersQuery): string {
    const { limit, status, user_type, updated_after, next_cursor } = query;
    return JSON.stringify([
      account.id,
      account.updated_at,
      limit,
      status,
      user_type,
      updated_after,
      next_cursor,
    ]);
  }

  private async usersPage(
    account: AccountRow,
    client: NermClient,
    query: UsersQuery,
  ): Promise<ListEnvelope<User>> {
    const scope = scopeDigest('users', {
      status: query.status,
      user_type: query.user_type,
      updated_after: query.updated_after,
    });
    const cursor = query.next_cursor
      ? this.deps.cursors.decode(query.next_cursor, account.id, scope)
      : { o: 0 };
    const types = await this.profileTypes(account, client);
    const plan = userQueryPlan(types, query);
    if (!plan) return { result: [], next_cursor: null, prev_cursor: null, result_count: 0 };

    const rolesReady = this.roleIndex(account, client);
    rolesReady.catch(() => undefined);
    const page = cursor.b
      ? await collectBackward(client, plan, cursor.o, query.limit)
      : await collectForward(client, plan, cursor.o, query.limit);

    const { rolesById, byProfile } = await rolesReady;
    const result = page.persons.map((p) =>
      profileToUser(p, {
        typeName: types.get(String(p.profile_type_id))?.name ?? null,
        roles: (byProfile.get(p.id) ?? []).map((id) => ({
          id,
          name: rolesById.get(id)?.name ?? null,
        })),
        mapping: account.field_mapping,
      }),
    );
    const encode = (payload: CursorPayload) => this.deps.cursors.encode(account.id, scope, payload);
    return {
      result,
      next_cursor: page.more ? encode({ o: page.end }) : null,
      prev_cursor: page.start > 0 ? encode({ o: page.start, b: true }) : null,
      result_count: result.length,
    };
  }

  async getUser(account: AccountRow, id: string): Promise<User> {
    const client = this.deps.accounts.clientFor(account);
    const { profile, type } = await this.person(account, client, id);
    return this.toUser(account, client, profile, type);
  }

  async createUser(account: AccountRow, body: CreateBody, idempotent: boolean): Promise<User> {
    const client = this.deps.accounts.clientFor(account);
    const types = await this.profileTypes(account, client);
    const type = body.profile_type_id
      ? types.get(body.profile_type_id)
      : ([...types.values()].find((t) => t.name === body.user_type) ??
        [...types.values()].find((t) => t.name?.toLowerCase() === body.user_type?.toLowerCase()));
    if (!type || !PERSON_CATEGORIES.has(String(type.category))) {
      const field = body.profile_type_id ? 'profile_type_id' : 'user_type';
      throw new BrokerError(
        'invalid_request',
        `${field} does not name a person profile type in this tenant`,
        {
          issues: [
            {
              code: 'unknown_profile_type',
              path: [field],
              message: 'not an employee or non-employee profile type',
            },
          ],
        },
      );
    }
    const { attributes, renames } = await this.attributesFor(account, client, body);
    const name =
      body.name ?? ([body.first_name, body.last_name].filter(Boolean).join(' ') || undefined);
    const payload = {
      profile: {
        profile_type_id: type.id,
        status: STATUS_TO_NERM[body.status ?? 'active'],
        ...(name ? { name } : {}),
        attributes,
      },
    };
    const res = await client.send({
      method: 'POST',
      path: 'profile',
      body: JSON.stringify(payload),
      idempotent,
    });
    if (res.status < 200 || res.status > 299) throw upstreamFailure(res, 'profile', renames);
    const created = (parseJson(res) as { profile?: NermProfile } | undefined)?.profile;
    if (!created?.id)
      throw new BrokerError('upstream_error', 'NERM created the profile but did not return it');
    return profileToUser(created, {
      typeName: type.name ?? null,
      roles: [],
      mapping: account.field_mapping,
    });
  }

  async updateUser(
    account: AccountRow,
    id: string,
    body: UpdateBody,
    idempotent: boolean,
  ): Promise<User> {
    const client = this.deps.accounts.clientFor(account);
    const { profile: current, type } = await this.person(account, client, id);
    const { attributes, renames } = await this.attributesFor(account, client, body);
    const patch = {
      profile: {
        ...(body.status ? { status: STATUS_TO_NERM[body.status] } : {}),
        ...(body.name ? { name: body.name } : {}),
        ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      },
    };
    const res = await client.send({
      method: 'PATCH',
      path: `profiles/${encodeURIComponent(current.id)}`,
      body: JSON.stringify(patch),
      idempotent,
    });
    if (isNotFoundAnswer(res)) throw noSuchUser();
    if (res.status < 200 || res.status > 299) throw upstreamFailure(res, 'profile', renames);
    const updated = (parseJson(res) as { profile?: NermProfile } | undefined)?.profile ?? current;
    return this.toUser(account, client, updated, type);
  }

  // ---- roles -------------------------------------------------------------------

  async listRoles(account: AccountRow, query: RolesQuery): Promise<ListEnvelope<Role>> {
    const client = this.deps.accounts.clientFor(account);
    const scope = scopeDigest('roles', {});
    const start = query.next_cursor
      ? this.deps.cursors.decode(query.next_cursor, account.id, scope).o
      : 0;
    const page = await fetchPage<NermRole>(
      client,
      'roles',
      new URLSearchParams({ limit: String(query.limit), offset: String(start) }),
    );
    const next = start + page.items.length;
    const result = page.items.map(roleToUnified);
    return {
      result,
      next_cursor: hasMore(page, next)
        ? this.deps.cursors.encode(account.id, scope, { o: next })
        : null,
      prev_cursor:
        start > 0
          ? this.deps.cursors.encode(account.id, scope, { o: Math.max(0, start - query.limit) })
          : null,
      result_count: result.length,
    };
  }

  async getRole(account: AccountRow, id: string): Promise<Role> {
    const client = this.deps.accounts.clientFor(account);
    const res = await client.send({
      method: 'GET',
      path: `roles/${upstreamId(id)}`,
      idempotent: true,
    });
    if (isNotFoundAnswer(res)) throw new BrokerError('not_found', 'No role with this id');
    if (res.status !== 200) throw upstreamFailure(res, 'role');
    const role = (parseJson(res) as { role?: NermRole } | undefined)?.role;
    if (!role?.id) throw new BrokerError('upstream_error', "NERM's role answer had no role");
    return roleToUnified(role);
  }

  // ---- helpers -----------------------------------------------------------------

  private cacheKey(account: AccountRow): string {
    return `${account.id}:${account.tenant_origin}`;
  }

  private profileTypes(
    account: AccountRow,
    client: NermClient,
  ): Promise<Map<string, NermProfileType>> {
    return this.types.get(this.cacheKey(account), async () => {
      const all = await fetchAll<NermProfileType>(client, 'profile_types');
      return new Map(all.map((t) => [t.id, t]));
    });
  }

  private rolesById(account: AccountRow, client: NermClient): Promise<Map<string, NermRole>> {
    return this.roles.get(this.cacheKey(account), async () => {
      return new Map((await fetchAll<NermRole>(client, 'roles')).map((r) => [r.id, r]));
    });
  }

  /** Roles by id and role ids by profile id, from `roles` and `role_profiles`: O(pages). */
  private async roleIndex(
    account: AccountRow,
    client: NermClient,
  ): Promise<{ rolesById: Map<string, NermRole>; byProfile: Map<string, string[]> }> {
    const key = this.cacheKey(account);
    const [rolesById, byProfile] = await Promise.all([
      this.rolesById(account, client),
      this.memberships.get(key, async () => {
        const links = await fetchAll<{ role_id: string; profile_id: string }>(
          client,
          'role_profiles',
        );
        const index = new Map<string, string[]>();
        for (const { role_id, profile_id } of links) {
          const list = index.get(profile_id);
          if (list) {
            if (!list.includes(role_id)) list.push(role_id);
          } else index.set(profile_id, [role_id]);
        }
        return index;
      }),
    ]);
    return { rolesById, byProfile };
  }

  /** A profile and its type, or not_found when it is not a person (organization, assignment…). */
  private async person(
    account: AccountRow,
    client: NermClient,
    id: string,
  ): Promise<{ profile: NermProfile; type: NermProfileType }> {
    const [types, profile] = await Promise.all([
      this.profileTypes(account, client),
      this.personProfile(client, id),
    ]);
    const type = types.get(String(profile.profile_type_id));
    if (!type || !PERSON_CATEGORIES.has(String(type.category))) throw noSuchUser();
    return { profile, type };
  }

  private async personProfile(client: NermClient, id: string): Promise<NermProfile> {
    const res = await client.send({
      method: 'GET',
      path: `profiles/${upstreamId(id)}`,
      idempotent: true,
    });
    if (isNotFoundAnswer(res)) throw noSuchUser();
    if (res.status !== 200) throw upstreamFailure(res, 'profile');
    const profile = (parseJson(res) as { profile?: NermProfile } | undefined)?.profile;
    if (!profile?.id)
      throw new BrokerError('upstream_error', "NERM's profile answer had no profile");
    return profile;
  }

  private async toUser(
    account: AccountRow,
    client: NermClient,
    profile: NermProfile,
    type: NermProfileType,
  ): Promise<User> {
    const [links, rolesById] = await Promise.all([
      fetchAll<{ role_id: string }>(
        client,
        'role_profiles',
        new URLSearchParams({ profile_id: profile.id }),
      ),
      this.rolesById(account, client),
    ]);
    const roleIds = [...new Set(links.map((l) => l.role_id))];
    return profileToUser(profile, {
      typeName: type.name ?? null,
      roles: roleIds.map((id) => ({ id, name: rolesById.get(id)?.name ?? null })),
      mapping: account.field_mapping,
    });
  }

  /** Attribute uids this tenant defines, or null when it will not say. */
  private knownAttributes(account: AccountRow, client: NermClient): Promise<Set<string> | null> {
    return this.attributes.get(this.cacheKey(account), async () => {
      try {
        const all = await fetchAll<{ uid?: string }>(client, 'ne_attributes');
        return new Set(all.map((a) => a.uid).filter((u): u is string => typeof u === 'string'));
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

  /**
   * Unified fields → NERM attributes: the account's mapping first, else the first
   * fallback uid this tenant defines. Also returns how to name NERM's field errors.
   */
  private async attributesFor(
    account: AccountRow,
    client: NermClient,
    body: CreateBody | UpdateBody,
  ): Promise<{
    attributes: Record<string, string>;
    renames: (field: string) => (string | number)[];
  }> {
    const values: Partial<Record<MappableField, string | undefined>> = {
      first_name: body.first_name,
      last_name: body.last_name,
      title: body.title,
      start_date: body.start_date === undefined ? undefined : isoDateToNerm(body.start_date),
      end_date: body.end_date === undefined ? undefined : isoDateToNerm(body.end_date),
    };
    const emails = body.emails ?? [];
    for (const type of ['work', 'personal'] as const) {
      const matching = emails.filter((e) => e.type === type);
      if (matching.length > 1) {
        throw new BrokerError(
          'invalid_request',
          `At most one ${type} email can be written to NERM`,
          {
            issues: [
              { code: 'too_many_emails', path: ['emails'], message: `more than one ${type} email` },
            ],
          },
        );
      }
      if (matching[0]) values[type === 'work' ? 'email' : 'personal_email'] = matching[0].email;
    }
    const needed = MAPPABLE_FIELDS.filter((f) => values[f] !== undefined);
    const known = needed.some((f) => !account.field_mapping[f])
      ? await this.knownAttributes(account, client)
      : null;
    const attributes: Record<string, string> = {};
    const origin = new Map<string, (string | number)[]>();
    for (const field of needed) {
      const uid =
        account.field_mapping[field] ??
        (known ? ATTRIBUTE_FALLBACKS[field].find((u) => known.has(u)) : undefined) ??
        (ATTRIBUTE_FALLBACKS[field][0] as string);
      attributes[uid] = values[field] as string;
      origin.set(uid, field === 'email' || field === 'personal_email' ? ['emails'] : [field]);
    }
    for (const [uid, value] of Object.entries(body.attributes ?? {})) {
      attributes[uid] = value;
      origin.set(uid, ['attributes', uid]);
    }
    const topLevel = new Set(['name', 'status', 'profile_type_id']);
    return {
      attributes,
      renames: (field) =>
        origin.get(field) ??
        (topLevel.has(field)
          ? [field === 'profile_type_id' ? 'user_type' : field]
          : ['attributes', field]),
    };
  }
}

/** A users page as JSON bytes, with the cursor that follows it. */
export interface SerializedPage {
  json: Buffer;
  nextCursor: string | null;
}

function noSuchUser(): BrokerError {
  return new BrokerError('not_found', 'No user with this id');
}

/** Ids go into an upstream path: only NERM id/uid characters, never `.` or `..`. */
function upstreamId(id: string): string {
  if (!UPSTREAM_ID.test(id)) throw new BrokerError('not_found', 'No object with this id');
  return encodeURIComponent(id);
}
