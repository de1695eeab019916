import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { UserListSchema, UserSchema } from '@nerm-connect/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectedUsers, normalizeRoles } from './expected-mapping.ts';
import { startStack, type Stack } from './helpers.ts';

// Whole-tenant walks: slow on a loaded machine, and never a timing check.
vi.setConfig({ testTimeout: 30_000 });

let sandbox: Sandbox;
let stack: Stack;
let token: string;
let expected: Map<string, Record<string, unknown>>;

const USERS = '/unified/user-directory/users';

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 3_000 });
  stack = await startStack({ sandbox });
  ({ token } = await stack.connectAccount('pat', 'tenant-directory'));
  expected = expectedUsers(sandbox);
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
});
beforeEach(() => {
  sandbox.faults.set({});
});

async function walk(
  query: string,
  opts: { onPage?: (page: number) => void; tokenFor?: string } = {},
) {
  const users: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = query ? '&' : '';
    const res = await stack.call(
      `${USERS}?${query}${cursor ? `${sep}next_cursor=${encodeURIComponent(cursor)}` : ''}`,
      {
        token: opts.tokenFor ?? token,
      },
    );
    expect(res.status, res.text).toBe(200);
    UserListSchema.parse(res.body);
    users.push(...res.body.result);
    expect(res.body.result_count).toBe(res.body.result.length);
    cursor = res.body.next_cursor;
    opts.onPage?.(++pages);
  } while (cursor);
  return { users, pages };
}

describe('GET /unified/user-directory/users: the full walk', () => {
  it('yields every person exactly once, mapped field by field, under 429s and a token that expires mid-walk', async () => {
    sandbox.faults.set({ rateLimitEvery: 7, retryAfterSeconds: 0 });
    sandbox.stats.reset();
    const { users, pages } = await walk('limit=500', {
      onPage: (page) => {
        if (page === 2) sandbox.expireTokens();
      },
    });
    expect(users.length).toBe(expected.size);
    expect(new Set(users.map((u) => u.id)).size).toBe(users.length);
    for (const user of users) {
      expect(normalizeRoles(user)).toEqual(normalizeRoles(expected.get(user.id) as any));
    }
    // Every page at most `limit`, and the cost is O(pages), never O(users).
    const stats = sandbox.stats.snapshot();
    const nermPages = Math.ceil(sandbox.data.profiles.length / 500);
    const linkPages = Math.ceil(sandbox.data.roleProfiles.length / 500);
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(stats.tokensIssued).toBeGreaterThanOrEqual(1);
    expect(stats.byRoute['GET /api/profiles']).toBeLessThanOrEqual(2 * pages);
    expect(pages).toBeLessThanOrEqual(nermPages + 2);
    expect(stats.byRoute['GET /api/role_profiles']).toBeLessThanOrEqual(linkPages + 1);
    expect(stats.byRoute['GET /api/profile_types'] ?? 0).toBeLessThanOrEqual(1);
    expect(stats.byRoute['GET /api/roles'] ?? 0).toBeLessThanOrEqual(1);
    expect(stats.api).toBeLessThan(users.length / 20);
  });

  it('never exceeds limit and stays exact with an odd page size', async () => {
    const { users } = await walk('limit=137');
    expect(users.length).toBe(expected.size);
    expect(new Set(users.map((u) => u.id))).toEqual(new Set(expected.keys()));
    const res = await stack.call(`${USERS}?limit=137`, { token });
    expect(res.body.result.length).toBeLessThanOrEqual(137);
  });

  it('defaults to 100 per page and offers a prev_cursor', async () => {
    const first = await stack.call(USERS, { token });
    expect(first.body.result.length).toBeLessThanOrEqual(100);
    expect(first.body.result.length).toBeGreaterThan(80);
    expect(first.body.prev_cursor).toBeNull();
    const second = await stack.call(`${USERS}?next_cursor=${first.body.next_cursor}`, { token });
    expect(second.body.prev_cursor).toEqual(expect.any(String));
    const back = await stack.call(`${USERS}?next_cursor=${second.body.prev_cursor}`, { token });
    expect(back.body.result.map((u: any) => u.id)).toEqual(first.body.result.map((u: any) => u.id));
  });

  it('walks back from the last page with prev_cursor, again yielding each user exactly once', async () => {
    let res = await stack.call(`${USERS}?limit=250`, { token });
    const forward: string[] = [];
    for (;;) {
      forward.push(...res.body.result.map((u: any) => u.id));
      if (!res.body.next_cursor) break;
      res = await stack.call(`${USERS}?limit=250&next_cursor=${res.body.next_cursor}`, { token });
    }
    const backward: string[] = [...res.body.result.map((u: any) => u.id)];
    while (res.body.prev_cursor) {
      res = await stack.call(`${USERS}?limit=250&next_cursor=${res.body.prev_cursor}`, { token });
      expect(res.body.result.length).toBeLessThanOrEqual(250);
      backward.unshift(...res.body.result.map((u: any) => u.id));
    }
    expect(backward).toEqual(forward);
  });

  it('never lists organization, assignment or other profiles', async () => {
    const { users } = await walk('limit=500');
    const types = new Map(sandbox.data.profileTypes.map((t) => [t.id, t.category]));
    const nonPersons = sandbox.data.profiles.filter(
      (p) => !['employee', 'non-employee'].includes(types.get(p.profile_type_id)!),
    );
    expect(nonPersons.length).toBeGreaterThan(100);
    const ids = new Set(users.map((u) => u.id));
    expect(nonPersons.some((p) => ids.has(p.id))).toBe(false);
  });
});

const idsOf = (users: { id?: unknown }[]) => users.map((u) => String(u.id)).sort();

describe('filters', () => {
  it.each(['active', 'inactive', 'deleted'])(
    'status=%s returns exactly those users',
    async (status) => {
      const { users } = await walk(`limit=500&status=${status}`);
      const want = [...expected.values()].filter((u) => u.status === status);
      expect(want.length).toBeGreaterThan(0);
      expect(idsOf(users)).toEqual(idsOf(want));
    },
  );

  it('status=inactive includes the people NERM has On Leave', async () => {
    const { users } = await walk('limit=500&status=inactive');
    const onLeave = sandbox.data.profiles
      .filter((p) => p.status === 'On Leave' && expected.has(p.id))
      .map((p) => p.id);
    expect(onLeave.length).toBeGreaterThan(0);
    const ids = new Set(users.map((u) => u.id));
    expect(onLeave.filter((id) => !ids.has(id))).toEqual([]);
  });

  it('user_type filters by profile type name; non-person or unknown types give nothing', async () => {
    const { users } = await walk('limit=500&user_type=Contractor');
    const want = [...expected.values()].filter((u) => u.user_type === 'Contractor');
    expect(want.length).toBeGreaterThan(0);
    expect(idsOf(users)).toEqual(idsOf(want));
    for (const type of ['Vendor', 'Engagement', 'No Such Type']) {
      const res = await stack.call(`${USERS}?user_type=${encodeURIComponent(type)}`, { token });
      expect(res.body).toEqual({
        result: [],
        next_cursor: null,
        prev_cursor: null,
        result_count: 0,
      });
    }
  });

  it('updated_after takes a date or a timestamp, at or after it', async () => {
    for (const value of ['2024-06-01', '2024-06-01T12:30:00Z', '2025-01-15T08:00:00-05:00']) {
      const { users } = await walk(`limit=500&updated_after=${encodeURIComponent(value)}`);
      const at = Date.parse(value);
      const want = [...expected.values()].filter((u) => Date.parse(u.updated_at as string) >= at);
      expect(want.length, value).toBeGreaterThan(0);
      expect(want.length, value).toBeLessThan(expected.size);
      expect(idsOf(users), value).toEqual(idsOf(want));
    }
    expect((await stack.call(`${USERS}?updated_after=yesterday`, { token })).body.error.code).toBe(
      'invalid_request',
    );
  });

  it('combines filters', async () => {
    const { users } = await walk('limit=500&status=inactive&user_type=Employee');
    const want = [...expected.values()].filter(
      (u) => u.status === 'inactive' && u.user_type === 'Employee',
    );
    expect(want.length).toBeGreaterThan(0);
    expect(idsOf(users)).toEqual(idsOf(want));
  });
});

describe('paging errors', () => {
  it('refuses a limit above 500, below 1, or not a number', async () => {
    for (const limit of ['501', '0', 'ten', '1.5']) {
      const res = await stack.call(`${USERS}?limit=${limit}`, { token });
      expect(res.status, limit).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    expect((await stack.call(`${USERS}?limit=500`, { token })).status).toBe(200);
  });

  it('refuses an altered or forged cursor', async () => {
    const page = await stack.call(`${USERS}?limit=5`, { token });
    const cursor: string = page.body.next_cursor;
    const [payload, mac] = cursor.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const altered = `${Buffer.from(JSON.stringify({ ...decoded, o: 0 })).toString('base64url')}.${mac}`;
    for (const bad of [altered, `${payload}.AAAA`, 'garbage', cursor.slice(0, -3)]) {
      const res = await stack.call(`${USERS}?limit=5&next_cursor=${encodeURIComponent(bad)}`, {
        token,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_cursor');
    }
  });

  it('refuses a cursor used with other filters or by another account', async () => {
    const page = await stack.call(`${USERS}?limit=5&status=active`, { token });
    const cursor = encodeURIComponent(page.body.next_cursor);
    expect(
      (await stack.call(`${USERS}?limit=5&status=deleted&next_cursor=${cursor}`, { token })).body
        .error.code,
    ).toBe('invalid_cursor');
    expect(
      (await stack.call(`${USERS}?limit=5&next_cursor=${cursor}`, { token })).body.error.code,
    ).toBe('invalid_cursor');
    const other = await stack.connectAccount('api_key', 'tenant-other');
    expect(
      (
        await stack.call(`${USERS}?limit=5&status=active&next_cursor=${cursor}`, {
          token: other.token,
        })
      ).body.error.code,
    ).toBe('invalid_cursor');
    expect(
      (await stack.call(`${USERS}?limit=5&status=active&next_cursor=${cursor}`, { token })).status,
    ).toBe(200);
  });

  it('links the next page in a Link header (rel="next"), filters kept', async () => {
    const page = await stack.call(`${USERS}?limit=50&status=active`, { token });
    const link = page.headers.get('link')!;
    const target = /<([^>]+)>; rel="next"/.exec(link)![1]!;
    const url = new URL(target, stack.url);
    expect(url.pathname).toBe(USERS);
    expect(url.searchParams.get('status')).toBe('active');
    expect(url.searchParams.get('next_cursor')).toBe(page.body.next_cursor);
    const last = await stack.call(`${USERS}?user_type=${encodeURIComponent('No Such Type')}`, {
      token,
    });
    expect(last.headers.get('link')).toBeNull();
  });

  it('treats an empty next_cursor as the first page', async () => {
    const first = await stack.call(`${USERS}?limit=5`, { token });
    const empty = await stack.call(`${USERS}?limit=5&next_cursor=`, { token });
    expect(empty.body.result.map((u: any) => u.id)).toEqual(
      first.body.result.map((u: any) => u.id),
    );
  });

  it('refuses unknown query parameters', async () => {
    expect((await stack.call(`${USERS}?colour=blue`, { token })).body.error.code).toBe(
      'invalid_request',
    );
  });
});

describe('GET /unified/user-directory/users/:id', () => {
  it('returns one user, unwrapped, mapped like the list', async () => {
    const id = [...expected.keys()][42]!;
    sandbox.stats.reset();
    const res = await stack.call(`${USERS}/${id}?include_remote_data=true`, { token });
    expect(res.status).toBe(200);
    expect(UserSchema.parse(res.body)).toBeTruthy();
    const single = expectedUsers(sandbox, { keyset: false, remoteData: true }).get(id);
    expect(normalizeRoles(res.body)).toEqual(normalizeRoles(single as any));
    expect(sandbox.stats.api).toBeLessThanOrEqual(3);
  });

  it('answers 404 for organization, assignment and unknown profiles', async () => {
    const types = new Map(sandbox.data.profileTypes.map((t) => [t.id, t.category]));
    for (const category of ['organization', 'assignment', 'other']) {
      const profile = sandbox.data.profiles.find((p) => types.get(p.profile_type_id) === category)!;
      const res = await stack.call(`${USERS}/${profile.id}`, { token });
      expect(res.status, category).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(
      (await stack.call(`${USERS}/00000000-0000-4000-8000-000000000000`, { token })).status,
    ).toBe(404);
    expect((await stack.call(`${USERS}/%2e%2e`, { token })).status).toBe(404);
  });
});

describe('roles', () => {
  it('lists every role in the unified shape and gets one', async () => {
    const roles: any[] = [];
    let cursor: string | null = null;
    do {
      const res = await stack.call(
        `/unified/user-directory/roles?limit=4${cursor ? `&next_cursor=${cursor}` : ''}`,
        { token },
      );
      expect(res.status).toBe(200);
      roles.push(...res.body.result);
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(roles.map((r) => r.id)).toEqual(sandbox.data.roles.map((r) => r.id));
    const sponsors = sandbox.data.roles.find((r) => r.uid === 'sponsors_role')!;
    const one = await stack.call(`/unified/user-directory/roles/${sponsors.id}`, { token });
    expect(one.body).toEqual({
      id: sponsors.id,
      name: 'Sponsors',
      external_id: 'sponsors_role',
      groups: ['nerm_sponsors'],
    });
    expect((await stack.call('/unified/user-directory/roles/nope', { token })).status).toBe(404);
  });
});

describe('field mapping overrides', () => {
  it('reads the attribute the account names for a unified field', async () => {
    const { accountId, token: mapped } = await stack.connectAccount('api_key', 'tenant-mapped');
    await stack.admin(`/integrated-accounts/${accountId}`, {
      method: 'PATCH',
      json: { field_mapping: { email: 'personal_email', first_name: 'vendor' } },
    });
    const person = sandbox.data.profiles.find(
      (p) =>
        !p.archived && p.attributes.personal_email && p.attributes.email && p.attributes.vendor,
    )!;
    const res = await stack.call(`${USERS}/${person.id}`, { token: mapped });
    expect(res.body.first_name).toBe(person.attributes.vendor);
    expect(res.body.emails[0]).toEqual({
      email: person.attributes.personal_email,
      type: 'work',
      is_primary: true,
    });
  });
});
