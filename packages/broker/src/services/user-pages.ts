import type { ListUsersQuery } from '@nerm-connect/shared';
import type { z } from 'zod';
import { BrokerError } from '../errors.ts';
import { NERM_MAX_LIMIT, fetchPage, type NermPage } from '../nerm/lists.ts';
import { PERSON_CATEGORIES, STATUS_FROM_NERM } from '../nerm/mapping.ts';
import type { NermClient } from '../nerm/nerm-client.ts';
import { NermProfile, type NermProfileType } from '../nerm/schemas.ts';

/**
 * Unified users pages over NERM's keyset mode (`after_id`): profiles in id order, each
 * page continuing after the last profile the previous one read. A person present for the
 * whole walk is returned exactly once, whatever is added or removed meanwhile
 * (docs/decisions/0010-keyset-users-walk.md).
 */

type UsersQuery = z.output<typeof ListUsersQuery>;

/** Where a keyset walk starts: below every id (docs/nerm-live-behaviour.md). */
export const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/** NERM requests one unified page may take before it answers short. */
const MAX_HOPS = 10;
const DAY_MS = 86_400_000;

export interface UserQueryPlan {
  /** What NERM's keyset mode takes: `profile_type_id` and `updated_after` (a superset). */
  upstream: URLSearchParams;
  /** The exact filter, applied here: person types, status, the precise instant, archived. */
  matches: (profile: NermProfile) => boolean;
}

/** Reads one keyset page of profiles (the query carries `after_id` and `limit`). */
export type ProfilePageReader = (query: URLSearchParams) => Promise<NermPage<NermProfile>>;

export interface CollectedPage {
  persons: NermProfile[];
  /** The id of the last profile read (matching or not): the next page starts after it. */
  last: string;
  /** Whether profiles may remain after `last`. */
  more: boolean;
}

/** Ask NERM for a little more than is missing: some of what it sends is filtered out. */
export const askFor = (missing: number) => Math.min(NERM_MAX_LIMIT, Math.ceil(missing * 1.25) + 2);

/** Which NERM query, and which exact filter, answer a unified users query; null when nothing can match. */
export function userQueryPlan(
  types: Map<string, NermProfileType>,
  query: UsersQuery,
): UserQueryPlan | null {
  const typeIds = new Set(
    [...types.values()]
      .filter((t) => PERSON_CATEGORIES.has(String(t.category)))
      .filter((t) => query.user_type === undefined || t.name === query.user_type)
      .map((t) => t.id),
  );
  if (typeIds.size === 0) return null;
  const afterMs = query.updated_after === undefined ? undefined : Date.parse(query.updated_after);
  // Keyset mode refuses (or ignores) `status`: the broker filters it, as it does archived.
  return {
    upstream: upstreamQuery(
      query,
      query.user_type !== undefined && typeIds.size === 1 ? [...typeIds][0] : undefined,
    ),
    matches: (p) =>
      p.archived !== true &&
      typeIds.has(String(p.profile_type_id)) &&
      (query.status === undefined || STATUS_FROM_NERM[String(p.status)] === query.status) &&
      (afterMs === undefined || Date.parse(String(p.updated_at)) >= afterMs),
  };
}

function upstreamQuery(query: UsersQuery, profileTypeId: string | undefined): URLSearchParams {
  const upstream = new URLSearchParams();
  if (profileTypeId !== undefined) upstream.set('profile_type_id', profileTypeId);
  if (query.updated_after !== undefined) {
    // NERM takes a date, in the tenant's zone and maybe exclusive: ask from two days
    // earlier, then filter exactly here.
    const from = Date.parse(query.updated_after) - 2 * DAY_MS;
    upstream.set('updated_after', new Date(from).toISOString().slice(0, 10));
  }
  return upstream;
}

/** Reads one keyset page of profiles from `client`. */
export const readProfiles = (client: NermClient, query: URLSearchParams) =>
  fetchPage(client, 'profiles', query, NermProfile);

/**
 * The first NERM query of a page after id `after`, when it needs no metadata (no
 * `user_type`: only the exact filter does); undefined otherwise.
 */
export function firstProfileQuery(
  query: UsersQuery,
  after: string,
  limit: number,
): URLSearchParams | undefined {
  if (query.user_type !== undefined) return undefined;
  const first = upstreamQuery(query, undefined);
  first.set('after_id', after);
  first.set('limit', String(askFor(limit)));
  return first;
}

/**
 * The profile reader of one page. Its `first` query is sent now, while the caller reads the
 * profile types, attributes and roles, and handed to `collectPage` when it asks for that
 * very query; any other query is read as it comes (docs/operations.md, "Roles at scale").
 * `early` is that first page already read ahead by the page before (docs/operations.md,
 * "Read-ahead"); when that read failed (such as its background share of the budget spent)
 * the page reads it again itself.
 */
export function profileReader(
  client: NermClient,
  first: URLSearchParams | undefined,
  early?: Promise<NermPage<NermProfile>>,
): ProfilePageReader {
  const read: ProfilePageReader = (q) => readProfiles(client, q);
  if (first === undefined) return read;
  const key = first.toString();
  let pending: ReturnType<ProfilePageReader> | undefined =
    early?.catch(() => read(first)) ?? read(first);
  // Not asked for after all (no person types): its failure is nobody's.
  pending.catch(() => undefined);
  return (q) => {
    if (pending === undefined || q.toString() !== key) return read(q);
    const answer = pending;
    pending = undefined;
    return answer;
  };
}

/**
 * Up to `limit` matching profiles after id `after`. One NERM request per page, unless a
 * stretch holds no match at all; a page stops once `limit` profiles were read and some
 * matched (topping it up would cost a round trip for a handful of users).
 */
export async function collectPage(
  client: NermClient,
  plan: UserQueryPlan,
  after: string,
  limit: number,
  readPage: ProfilePageReader = (q) => readProfiles(client, q),
): Promise<CollectedPage> {
  const persons: NermProfile[] = [];
  const q = new URLSearchParams(plan.upstream);
  let last = after;
  let read = 0;
  let more = true;
  for (let hop = 0; hop < MAX_HOPS && persons.length < limit && more; hop++) {
    if (persons.length > 0 && read >= limit) break;
    q.set('after_id', last);
    q.set('limit', String(askFor(limit - persons.length)));
    const page = await readPage(q);
    let consumed = 0;
    let fresh = 0;
    for (const profile of page.items) {
      consumed++;
      // A tenant answers ids after `after_id` only, ascending; anything else is skipped.
      if (profile.id <= last) continue;
      last = profile.id;
      read++;
      fresh++;
      if (plan.matches(profile)) persons.push(profile);
      if (persons.length === limit) break;
    }
    if (page.items.length > 0 && fresh === 0) {
      throw new BrokerError('upstream_error', 'NERM ignored after_id: no profile came after it');
    }
    // The end: an empty page (or live NERM's 400 "no profiles found"), or after_id: null
    // on a page read to its last profile.
    const readAll = consumed === page.items.length;
    more = page.items.length > 0 && !(readAll && page.afterId === null);
  }
  return { persons, last, more };
}
