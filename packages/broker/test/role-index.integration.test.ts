import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedUsers, normalizeRoles } from './expected-mapping.ts';
import { settled, startStack, type Stack } from './helpers.ts';

/**
 * Roles at scale (docs/decisions/0011-role-index-per-walk.md): a first page asks for its
 * people's roles one by one; a walk reads every role link once, several pages at a time,
 * and keeps that snapshot to its end, however long it takes.
 */
const USERS = '/unified/user-directory/users';
let sandbox: Sandbox;
let stack: Stack;
let token: string;
let clock = Date.now();

/** Requests for the whole link list, not a single person's links. */
const indexReads = () =>
  sandbox.stats.recent.filter(
    (r) => r.path === '/api/role_profiles' && !r.query.includes('profile_id'),
  ).length;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 2_500 });
  // No scheduled syncs: the test moves the clock, and a sync reads links of its own.
  stack = await startStack({
    sandbox,
    env: { NERM_BROKER_SYNC_INTERVAL: '0' },
    overrides: { now: () => clock },
  });
  ({ token } = await stack.connectAccount('api_key'));
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
});

describe('roles of a first page', () => {
  it('are read person by person, without reading every link', async () => {
    await settled(sandbox);
    sandbox.stats.reset();
    const res = await stack.call(`${USERS}?limit=20`, { token });
    expect(res.status, res.text).toBe(200);
    const expected = expectedUsers(sandbox);
    for (const user of res.body.result)
      expect(normalizeRoles(user).roles).toEqual(normalizeRoles(expected.get(user.id)!).roles);
    const perPerson = sandbox.stats.recent.filter((r) => r.query.includes('profile_id=')).length;
    expect(perPerson).toBe(res.body.result.length);
    expect(indexReads()).toBe(0);
    // The page after it is built ahead at once, and that one reads the snapshot: wait for
    // it whole, so its reads are not counted by the next test.
    const linkPages = Math.ceil(sandbox.data.roleProfiles.length / 500);
    while (indexReads() < linkPages) await new Promise((r) => setTimeout(r, 20));
    await settled(sandbox);
    expect(indexReads()).toBe(linkPages);
  });
});

describe('roles of a walk', () => {
  it('read every link once, 16 pages at most in flight, and keep the snapshot past its minute', async () => {
    clock += 10 * 60_000; // no fresh snapshot left from earlier tests
    await settled(sandbox);
    // Answers that take a moment, so requests sent together are seen together.
    sandbox.faults.set({ latencyMs: 25 });
    sandbox.stats.reset();
    const linkPages = Math.ceil(sandbox.data.roleProfiles.length / 500);
    const expected = expectedUsers(sandbox);
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await stack.call(
        `${USERS}?limit=250${cursor ? `&next_cursor=${cursor}` : ''}`,
        { token },
      );
      expect(res.status, res.text).toBe(200);
      for (const user of res.body.result)
        expect(normalizeRoles(user).roles).toEqual(normalizeRoles(expected.get(user.id)!).roles);
      cursor = res.body.next_cursor;
      // Each page a minute and a half later: the walk outlives any cache lifetime.
      if (++pages > 1) clock += 90_000;
    } while (cursor);
    await settled(sandbox);
    sandbox.faults.set({});
    expect(pages).toBeGreaterThan(5);
    const byRoute = sandbox.stats.snapshot().byRoute['GET /api/role_profiles'] ?? 0;
    expect(byRoute, 'every link page read once, nothing more').toBe(linkPages);
    expect(sandbox.stats.maxInFlight).toBeGreaterThan(1);
    expect(sandbox.stats.maxInFlight).toBeLessThanOrEqual(16 + 1);
  });
});

describe('roles of a sync', () => {
  it('are read fresh for the sync alone and let go of with it: a walk after it reads its own', async () => {
    clock += 10 * 60_000; // no fresh snapshot left from earlier tests
    await settled(sandbox);
    const linkPages = Math.ceil(sandbox.data.roleProfiles.length / 500);
    // Every role_profiles read (the sync and the pages of 250 read whole lists only).
    const linkReads = () => sandbox.stats.route('GET /api/role_profiles');
    const { accountId, token: own } = await stack.connectAccount('api_key');
    sandbox.stats.reset();
    await stack.broker.lifecycle.sync(accountId, 'full', 'test');
    expect(linkReads()).toBe(linkPages);
    // Within the minute a walk's snapshot would be shared; a sync's is not kept at all.
    const res = await stack.call(`${USERS}?limit=250`, { token: own });
    expect(res.status).toBe(200);
    await stack.call(`${USERS}?limit=250&next_cursor=${res.body.next_cursor}`, { token: own });
    await settled(sandbox);
    expect(linkReads()).toBe(2 * linkPages);
  });
});

describe('roles of first pages read at once', () => {
  it('20 concurrent cold first pages of one tenant read each person’s links once between them', async () => {
    clock += 10 * 60_000; // no fresh snapshot left from earlier tests
    await settled(sandbox);
    // A new account: no metadata, no snapshot, nothing read ahead.
    const { token: own } = await stack.connectAccount('api_key');
    // Answers that take a moment, so the 20 requests overlap at the tenant.
    sandbox.faults.set({ latencyMs: 25 });
    sandbox.stats.reset();
    const CALLERS = 20;
    const LIMIT = 100;
    const pages = await Promise.all(
      Array.from({ length: CALLERS }, () => stack.call(`${USERS}?limit=${LIMIT}`, { token: own })),
    );
    await settled(sandbox);
    sandbox.faults.set({});
    const expected = expectedUsers(sandbox);
    for (const res of pages) {
      expect(res.status, res.text).toBe(200);
      expect(res.body.result).toHaveLength(LIMIT);
      for (const user of res.body.result)
        expect(normalizeRoles(user).roles).toEqual(normalizeRoles(expected.get(user.id)!).roles);
    }
    const linkPages = Math.ceil(sandbox.data.roleProfiles.length / 500);
    const roleReads = sandbox.stats.route('GET /api/role_profiles');
    // Each of the page's people once (not once per caller), and the walk's snapshot once.
    expect(roleReads, 'role_profiles reads').toBeLessThanOrEqual(LIMIT + linkPages);
    // Every caller reads its own profiles page; the page after it is built ahead once, and
    // reads the NERM page after it ahead once (docs/operations.md, "Read-ahead").
    expect(sandbox.stats.route('GET /api/profiles'), 'profiles pages').toBeLessThanOrEqual(
      CALLERS + 2,
    );
    // Besides: profile types, attributes and roles, once each.
    expect(sandbox.stats.api).toBeLessThanOrEqual(CALLERS + 2 + LIMIT + linkPages + 3);
  });
});
