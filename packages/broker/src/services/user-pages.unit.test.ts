import { describe, expect, it } from 'vitest';
import { BrokerError } from '../errors.ts';
import { hasMore, type NermPage } from '../nerm/lists.ts';
import type { NermClient } from '../nerm/nerm-client.ts';
import type { NermProfile, NermProfileType } from '../nerm/schemas.ts';
import { FIRST_ID, collectPage, userQueryPlan, type ProfilePageReader } from './user-pages.ts';

const TYPES = new Map<string, NermProfileType>(
  [
    { id: 't-emp', uid: 'employee', name: 'Employee', category: 'employee' },
    { id: 't-con', uid: 'contractor', name: 'Contractor', category: 'non-employee' },
    { id: 't-asset', uid: 'laptop', name: 'Laptop', category: 'asset' },
  ].map((t) => [t.id, t]),
);

function profile(n: number, overrides: Partial<NermProfile> = {}): NermProfile {
  return {
    id: `p-${String(n).padStart(4, '0')}`,
    uid: `u${n}`,
    name: `Person ${n}`,
    profile_type_id: 't-con',
    status: 'Active',
    created_at: '2030-01-01T00:00:00Z',
    updated_at: '2030-01-01T00:00:00Z',
    archived: false,
    ...overrides,
  };
}

/** NERM's keyset mode over `profiles` (ids ascending), capping `limit` at `cap`; counts reads. */
function keysetTenant(profiles: NermProfile[], cap = 500) {
  const reads: URLSearchParams[] = [];
  const read: ProfilePageReader = async (q) => {
    reads.push(new URLSearchParams(q));
    const after = q.get('after_id') ?? FIRST_ID;
    const limit = Math.min(Number(q.get('limit')), cap);
    const items = profiles.filter((p) => p.id > after).slice(0, limit);
    const last = items.at(-1);
    const afterId = last && profiles.some((p) => p.id > last.id) ? last.id : null;
    return { items, total: undefined, afterId };
  };
  return { read, reads };
}

const noClient = undefined as unknown as NermClient;

/** Every page of a walk, as the ids of its persons. */
async function walk(read: ProfilePageReader, limit: number, status?: 'active' | 'inactive') {
  const plan = userQueryPlan(TYPES, { limit, status } as never)!;
  const pages: string[][] = [];
  let after = FIRST_ID;
  for (let more = true; more;) {
    const page = await collectPage(noClient, plan, after, limit, read);
    pages.push(page.persons.map((p) => p.id));
    ({ last: after, more } = page);
  }
  return pages;
}

describe('userQueryPlan', () => {
  it('is null when no person profile type matches the query', () => {
    expect(userQueryPlan(TYPES, { user_type: 'Laptop' } as never)).toBeNull();
    expect(userQueryPlan(TYPES, { user_type: 'Nobody' } as never)).toBeNull();
  });

  it('asks NERM for the one type named, and a date two days before updated_after', () => {
    const plan = userQueryPlan(TYPES, {
      user_type: 'Contractor',
      updated_after: '2030-03-10T12:00:00Z',
    } as never)!;
    expect(Object.fromEntries(plan.upstream)).toEqual({
      profile_type_id: 't-con',
      updated_after: '2030-03-08',
    });
    expect(plan.matches(profile(1, { updated_at: '2030-03-10T12:00:00Z' }))).toBe(true);
    expect(plan.matches(profile(1, { updated_at: '2030-03-10T11:59:59Z' }))).toBe(false);
    expect(plan.matches(profile(1, { profile_type_id: 't-emp' }))).toBe(false);
  });

  it('filters here what keyset mode cannot: status, archived, types that are not people', () => {
    const plan = userQueryPlan(TYPES, { status: 'inactive' } as never)!;
    expect([...plan.upstream]).toEqual([]);
    expect(plan.matches(profile(1, { status: 'On Leave' }))).toBe(true);
    expect(plan.matches(profile(1, { status: 'Inactive', archived: true }))).toBe(false);
    expect(plan.matches(profile(1, { status: 'Active' }))).toBe(false);
    expect(plan.matches(profile(1, { status: 'Inactive', profile_type_id: 't-asset' }))).toBe(
      false,
    );
  });
});

describe('collectPage (one unified users page over keyset pages)', () => {
  it('walks every person exactly once, in full pages, asking after the last id read', async () => {
    const all = Array.from({ length: 23 }, (_, i) => profile(i + 1));
    const { read, reads } = keysetTenant(all);
    const pages = await walk(read, 5);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat()).toEqual(all.map((p) => p.id));
    expect(reads[1]!.get('after_id')).toBe('p-0005');
  });

  it('skips what the filter refuses and still ends, also on a tenant that caps limit low', async () => {
    const all = Array.from({ length: 40 }, (_, i) =>
      profile(i + 1, { status: i % 4 === 0 ? 'Inactive' : 'Active' }),
    );
    const { read } = keysetTenant(all, 3);
    const pages = await walk(read, 4, 'inactive');
    expect(pages.flat()).toEqual(all.filter((_, i) => i % 4 === 0).map((p) => p.id));
    expect(new Set(pages.flat()).size).toBe(10);
  });

  it('answers a short page, not an endless one, across a long stretch without a match', async () => {
    const all = [
      ...Array.from({ length: 30 }, (_, i) => profile(i + 1, { status: 'Active' })),
      profile(31, { status: 'Terminated' }),
    ];
    const plan = userQueryPlan(TYPES, { status: 'deleted' } as never)!;
    const { read, reads } = keysetTenant(all, 2);
    const first = await collectPage(noClient, plan, FIRST_ID, 5, read);
    expect(first.persons).toEqual([]);
    expect(first.more).toBe(true);
    expect(reads).toHaveLength(10);
    const second = await collectPage(noClient, plan, first.last, 5, read);
    expect(second.persons.map((p) => p.id)).toEqual(['p-0031']);
    expect(second.more).toBe(false);
  });

  it('refuses a tenant that ignores after_id', async () => {
    const plan = userQueryPlan(TYPES, {} as never)!;
    const same: ProfilePageReader = async () => ({ items: [profile(1)], total: undefined });
    await collectPage(noClient, plan, FIRST_ID, 5, same).catch(() => undefined);
    const error = await collectPage(noClient, plan, 'p-0001', 5, same).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerError);
    expect((error as BrokerError).code).toBe('upstream_error');
  });
});

describe('hasMore (offset lists)', () => {
  const page = (items: number, total?: number): NermPage<unknown> => ({
    items: Array.from({ length: items }),
    total,
  });

  it('ends on the total when the tenant sends it, else only on an empty page', () => {
    expect(hasMore(page(100, 250), 200)).toBe(true);
    expect(hasMore(page(50, 250), 250)).toBe(false);
    // A short page without a total may be a tenant capping limit: ask again.
    expect(hasMore(page(7), 107)).toBe(true);
    expect(hasMore(page(0), 107)).toBe(false);
    expect(hasMore(page(0, 500), 100)).toBe(false);
  });
});
