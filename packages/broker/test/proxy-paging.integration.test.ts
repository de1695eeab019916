import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

// Whole-tenant walks: slow on a loaded machine, and never a timing check.
vi.setConfig({ testTimeout: 30_000 });

/**
 * `GET /proxy/profiles?limit=…` pages NERM's profiles in the unified envelope by keyset
 * (`after_id`), like the users walk: each profile present throughout is returned exactly
 * once however the tenant changes (docs/decisions/0012-proxy-profiles-by-keyset.md).
 */
let stack: Stack;
let token: string;

beforeAll(async () => {
  stack = await startStack({ sandbox: { persons: 1_500 } });
  ({ token } = await stack.connectAccount('api_key', 'tenant-proxy-paging'));
});
afterAll(() => stack?.close());
beforeEach(() => stack.sandbox.faults.set({}));

async function walk(query: string, onPage: (page: number) => void = () => undefined) {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  let page = 0;
  do {
    const res: any = await stack.call(
      `/proxy/profiles?${query}${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.result.length).toBeLessThanOrEqual(Number(/limit=(\d+)/.exec(query)![1]));
    expect(res.body.result_count).toBe(res.body.result.length);
    items.push(...res.body.result);
    cursor = res.body.next_cursor;
    onPage(++page);
  } while (cursor);
  return items;
}

const live = () => stack.sandbox.data.profiles.filter((p) => !p.archived);

describe('GET /proxy/profiles, paged', () => {
  it('returns every profile present throughout exactly once, with 15 deletes and 15 inserts after page 3', async () => {
    const before = live().map((p) => p.id);
    const removed = new Set<string>();
    const added = new Set<string>();
    const items = await walk('limit=100', (page) => {
      if (page !== 3) return;
      // Spread over the whole tenant: before and after the walk's position.
      for (let i = 0; i < 15; i++) {
        const id = before[i * 97]!;
        stack.sandbox.admin.remove(id);
        removed.add(id);
        added.add(
          stack.sandbox.admin.hire({
            type: 'Contractor',
            attributes: { first_name: `New${i}`, last_name: 'Hire' },
          }).id,
        );
      }
    });
    const ids = items.map((p) => p.id as string);
    expect(new Set(ids).size, 'no profile twice').toBe(ids.length);
    const seen = new Set(ids);
    const missed = before.filter((id) => !removed.has(id) && !seen.has(id));
    expect(missed, 'profiles present throughout, never returned').toEqual([]);
    expect(ids.every((id) => before.includes(id) || added.has(id))).toBe(true);
  });

  it('answers the profiles as NERM sent them, archived ones never', async () => {
    const items = await walk('limit=500');
    expect(items.map((p) => p.id).sort()).toEqual(
      live()
        .map((p) => p.id)
        .sort(),
    );
    const one = live()[7]!;
    const item = items.find((p) => p.id === one.id)!;
    expect(item).toMatchObject({
      id: one.id,
      uid: one.uid,
      name: one.name,
      status: one.status,
      attributes: one.attributes,
    });
  });

  it('takes profile_type_id and updated_after upstream, and filters status itself', async () => {
    const type = stack.sandbox.data.profileTypes.find((t) => t.name === 'Contractor')!;
    const day = '2000-01-01';
    stack.sandbox.stats.reset();
    const items = await walk(
      `limit=200&status=Terminated&profile_type_id=${type.id}&updated_after=${day}`,
    );
    const want = live().filter((p) => p.profile_type_id === type.id && p.status === 'Terminated');
    expect(want.length).toBeGreaterThan(0);
    expect(items.map((p) => p.id).sort()).toEqual(want.map((p) => p.id).sort());
    const upstream = stack.sandbox.stats.recent.filter((r) => r.path === '/api/profiles');
    expect(upstream.length).toBeGreaterThan(0);
    for (const r of upstream) {
      const q = new URLSearchParams(r.query);
      expect(q.get('after_id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(q.get('profile_type_id')).toBe(type.id);
      expect(q.get('updated_after')).toBe(day);
      expect(q.has('status')).toBe(false);
      expect(q.has('offset')).toBe(false);
    }
  });

  it('pages by offset what keyset mode cannot take (order, name), as NERM lists it', async () => {
    const items = await walk('limit=400&order=name');
    const names = items.map((p) => p.name as string);
    expect(names).toEqual(
      live()
        .map((p) => p.name)
        .sort((a, b) => a.localeCompare(b)),
    );
  });

  it("passes NERM's refusal through as it is", async () => {
    const res = await stack.call('/proxy/profiles?limit=10&updated_after=someday', { token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'updated_after must be a date in the format YYYY-MM-DD' });
  });

  it('refuses a cursor of another path or other filters', async () => {
    const first = await stack.call('/proxy/profiles?limit=10', { token });
    const cursor = first.body.next_cursor;
    for (const path of [
      `/proxy/profiles?limit=10&status=Active&next_cursor=${cursor}`,
      `/proxy/roles?limit=10&next_cursor=${cursor}`,
    ]) {
      const res = await stack.call(path, { token });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('invalid_cursor');
    }
  });

  it('walks back with prev_cursor to the same pages', async () => {
    const first = await stack.call('/proxy/profiles?limit=60', { token });
    const second = await stack.call(
      `/proxy/profiles?limit=60&next_cursor=${first.body.next_cursor}`,
      {
        token,
      },
    );
    expect(first.body.prev_cursor).toBeNull();
    const back = await stack.call(
      `/proxy/profiles?limit=60&next_cursor=${second.body.prev_cursor}`,
      {
        token,
      },
    );
    expect(back.body.result.map((p: any) => p.id)).toEqual(first.body.result.map((p: any) => p.id));
  });
});
