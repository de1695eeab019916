import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

// Whole-list walks: slow on a loaded machine, and never a timing check.
vi.setConfig({ testTimeout: 30_000 });

/**
 * NERM pages roles, role links and every list but profiles by offset only. A walk still
 * returns each record present throughout exactly once while the tenant changes: each page
 * re-finds where the last one ended (docs/decisions/0013-anchored-offset-paging.md).
 */
let sandbox: Sandbox;
let stack: Stack;
let token: string;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 600 });
  for (let i = 0; i < 150; i++)
    sandbox.admin.createRole(`Seeded role ${String(i).padStart(3, '0')}`);
  stack = await startStack({ sandbox });
  ({ token } = await stack.connectAccount('api_key', 'tenant-offset-walk'));
});
afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});
beforeEach(() => sandbox.faults.set({}));

interface Walked {
  items: Record<string, unknown>[];
  pages: number;
}

async function walk(
  path: string,
  onPage: (page: number) => void = () => undefined,
): Promise<Walked> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  const limit = Number(/limit=(\d+)/.exec(path)![1]);
  do {
    const res: any = await stack.call(
      `${path}${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.result.length).toBeLessThanOrEqual(limit);
    expect(res.body.result_count).toBe(res.body.result.length);
    items.push(...res.body.result);
    cursor = res.body.next_cursor;
    onPage(++pages);
    expect(pages, 'the walk ends').toBeLessThan(500);
  } while (cursor);
  return { items, pages };
}

/** Each id present before and after the walk came exactly once; nothing came from nowhere. */
function expectExactlyOnce(
  ids: string[],
  before: string[],
  removed: Set<string>,
  added: Set<string>,
) {
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  expect(twice, 'records returned twice').toEqual([]);
  const seen = new Set(ids);
  const missed = before.filter((id) => !removed.has(id) && !seen.has(id));
  expect(missed, 'records present throughout, never returned').toEqual([]);
  const known = new Set(before);
  expect(ids.filter((id) => !known.has(id) && !added.has(id))).toEqual([]);
}

/** Deletes `count` roles spread over the whole list (before and after the walk's position) and creates as many. */
function churnRoles(count: number, name: (i: number) => string) {
  const roles = sandbox.data.roles.map((r) => r.id);
  const step = Math.floor(roles.length / count);
  const removed = new Set<string>();
  const added = new Set<string>();
  for (let i = 0; i < count; i++) {
    const id = roles[i * step]!;
    sandbox.admin.deleteRole(id);
    removed.add(id);
    added.add(sandbox.admin.createRole(name(i)).id);
  }
  return { removed, added };
}

describe('offset lists while the tenant changes', () => {
  it('unified roles: every role present throughout exactly once, with 15 deletes and 15 creates after page 3', async () => {
    const before = sandbox.data.roles.map((r) => r.id);
    let churn = { removed: new Set<string>(), added: new Set<string>() };
    const { items } = await walk('/unified/user-directory/roles?limit=10', (page) => {
      if (page === 3) churn = churnRoles(15, (i) => `Created mid-walk ${i}`);
    });
    expectExactlyOnce(
      items.map((r) => r.id as string),
      before,
      churn.removed,
      churn.added,
    );
  });

  it('proxied roles in name order: new roles that sort first do not bring an earlier role back', async () => {
    const before = sandbox.data.roles.map((r) => r.id);
    let churn = { removed: new Set<string>(), added: new Set<string>() };
    const { items } = await walk('/proxy/roles?order=name&limit=10', (page) => {
      // Names that sort before every seeded role: each shifts the walk's position forward.
      if (page === 3) churn = churnRoles(15, (i) => `AAA created mid-walk ${i}`);
    });
    expectExactlyOnce(
      items.map((r) => r.id as string),
      before,
      churn.removed,
      churn.added,
    );
  });

  it('proxied role_profiles: every link present throughout exactly once, with 20 revoked and 20 granted after page 3', async () => {
    const before = sandbox.data.roleProfiles.map((l) => l.id);
    const removed = new Set<string>();
    const added = new Set<string>();
    const { items } = await walk('/proxy/role_profiles?limit=100', (page) => {
      if (page !== 3) return;
      const links = [...sandbox.data.roleProfiles];
      const step = Math.floor(links.length / 20);
      for (let i = 0; i < 20; i++) {
        const link = links[i * step]!;
        sandbox.admin.revokeRole(link.profile_id, link.role_id);
        for (const l of links)
          if (l.profile_id === link.profile_id && l.role_id === link.role_id) removed.add(l.id);
        const role = sandbox.data.roles[i]!;
        const profile = sandbox.data.profiles[i * 7]!;
        sandbox.admin.grantRole(profile.id, role.id);
        added.add(sandbox.data.roleProfiles.at(-1)!.id);
      }
    });
    expectExactlyOnce(
      items.map((l) => l.id as string),
      before,
      removed,
      added,
    );
  });

  it('finds its place after more deletions than the first re-read covers, in one more NERM request', async () => {
    const before = sandbox.data.roles.map((r) => r.id);
    const removed = new Set<string>();
    let roleReads = 0;
    sandbox.stats.reset();
    const { items, pages } = await walk('/unified/user-directory/roles?limit=20', (page) => {
      if (page !== 5) return;
      // 60 roles before the walk's position (it has read 100) go at once.
      for (const id of before.slice(10, 70)) {
        sandbox.admin.deleteRole(id);
        removed.add(id);
      }
    });
    roleReads = sandbox.stats.route('GET /api/roles');
    expectExactlyOnce(
      items.map((r) => r.id as string),
      before,
      removed,
      new Set(),
    );
    // One read per page, and one more for the page after the deletions.
    expect(roleReads).toBe(pages + 1);
  });

  it('reads each page once when nothing changes', async () => {
    sandbox.stats.reset();
    const { items, pages } = await walk('/unified/user-directory/roles?limit=25');
    expect(items.map((r) => r.id)).toEqual(sandbox.data.roles.map((r) => r.id));
    expect(sandbox.stats.route('GET /api/roles')).toBe(pages);
  });
});
