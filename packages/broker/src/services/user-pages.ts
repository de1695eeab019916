import type { z } from 'zod';
import type { ListUsersQuery } from '@nerm-connect/shared';
import { NERM_MAX_LIMIT, fetchPage, hasMore } from '../nerm/lists.ts';
import { PERSON_CATEGORIES, STATUS_FROM_NERM, STATUS_TO_NERM } from '../nerm/mapping.ts';
import { NermProfile, type NermProfileType } from '../nerm/schemas.ts';
import type { NermClient } from '../nerm/nerm-client.ts';

/**
 * Unified users pages over NERM's offset pages. NERM pages profiles by record offset;
 * people are a filtered subset, so a users page reads from an offset and ends right
 * after its last person: the next page starts exactly there (docs/architecture.md).
 */

type UsersQuery = z.output<typeof ListUsersQuery>;

/** NERM requests one unified page may take before it answers short. */
const MAX_HOPS = 10;
const DAY_MS = 86_400_000;

export interface UserQueryPlan {
  /** Filters NERM applies itself (a superset of the answer). */
  upstream: URLSearchParams;
  /** The exact filter, applied here. */
  matches: (profile: NermProfile) => boolean;
}

export interface CollectedPage {
  persons: NermProfile[];
  /** Upstream offsets the page covers: [start, end). */
  start: number;
  end: number;
  /** Whether records remain after `end`. */
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
  const upstream = new URLSearchParams();
  if (query.user_type !== undefined && typeIds.size === 1)
    upstream.set('profile_type_id', [...typeIds][0] as string);
  // NERM filters on one status value; "inactive" covers two (Inactive, On Leave).
  if (query.status === 'active' || query.status === 'deleted')
    upstream.set('status', STATUS_TO_NERM[query.status]);
  const afterMs = query.updated_after === undefined ? undefined : Date.parse(query.updated_after);
  if (afterMs !== undefined) {
    // NERM takes a date, in the tenant's zone and maybe exclusive: ask from two days
    // earlier, then filter exactly here.
    upstream.set('updated_after', new Date(afterMs - 2 * DAY_MS).toISOString().slice(0, 10));
  }
  return {
    upstream,
    matches: (p) =>
      typeIds.has(String(p.profile_type_id)) &&
      (query.status === undefined || STATUS_FROM_NERM[String(p.status)] === query.status) &&
      (afterMs === undefined || Date.parse(String(p.updated_at)) >= afterMs),
  };
}

/**
 * Up to `limit` matching profiles from upstream offset `start` on. The page ends right
 * after its last person, so the next page starts exactly there: nothing lost, nothing
 * repeated. One NERM request per page, unless a stretch holds no match at all.
 */
export async function collectForward(
  client: NermClient,
  plan: UserQueryPlan,
  start: number,
  limit: number,
): Promise<CollectedPage> {
  const persons: NermProfile[] = [];
  const q = new URLSearchParams(plan.upstream);
  let offset = start;
  let more = true;
  // Stop once a page is full, or once `limit` NERM records were read and some matched:
  // topping a page up costs a NERM round trip per page for a handful of users, which a
  // full walk pays twice over. Filtered stretches (no match yet) keep reading.
  for (let hop = 0; hop < MAX_HOPS && persons.length < limit && more; hop++) {
    if (persons.length > 0 && offset - start >= limit) break;
    const asked = askFor(limit - persons.length);
    q.set('limit', String(asked));
    q.set('offset', String(offset));
    const page = await fetchPage(client, 'profiles', q, NermProfile);
    let consumed = 0;
    for (const profile of page.items) {
      consumed++;
      if (plan.matches(profile)) persons.push(profile);
      if (persons.length === limit) break;
    }
    offset += consumed;
    more = consumed < page.items.length || hasMore(page, offset);
  }
  return { persons, start, end: offset, more };
}

/** The `limit` matching profiles just before upstream offset `end` (a prev_cursor page). */
export async function collectBackward(
  client: NermClient,
  plan: UserQueryPlan,
  end: number,
  limit: number,
): Promise<CollectedPage> {
  const persons: NermProfile[] = [];
  const q = new URLSearchParams(plan.upstream);
  let before = end;
  let start = end;
  for (let hop = 0; hop < MAX_HOPS && persons.length < limit && before > 0; hop++) {
    const from = Math.max(0, before - askFor(limit - persons.length));
    q.set('limit', String(before - from));
    q.set('offset', String(from));
    const page = await fetchPage(client, 'profiles', q, NermProfile);
    const items = page.items.slice(0, before - from);
    for (let i = items.length - 1; i >= 0 && persons.length < limit; i--) {
      const profile = items[i] as NermProfile;
      if (plan.matches(profile)) {
        persons.unshift(profile);
        start = from + i;
      }
    }
    before = from;
    if (persons.length < limit) start = from;
  }
  return { persons, start, end, more: true };
}
