import type { LifecycleEvent } from '@nerm-connect/shared';
import { formatDate } from '@nerm-connect/nerm-sandbox';

/** The sandbox's end_date attribute is dd/mm/yyyy (each attribute has its own format). */
const nermDate = (ms: number) => formatDate(ms, 'dd/mm/yyyy');
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CursorCodec } from '../src/crypto/cursor.ts';
import { isoDay } from '../src/lifecycle/changes.ts';
import type { LifecycleStore } from '../src/lifecycle/lifecycle-store.ts';
import { NermPersonSource } from '../src/lifecycle/nerm-person-source.ts';
import { SyncEngine, type PersonSource } from '../src/lifecycle/sync-engine.ts';
import { RolesService } from '../src/services/roles-service.ts';
import { TenantMetadata } from '../src/services/tenant-metadata.ts';
import { UserService } from '../src/services/user-service.ts';
import type { StoredAccount } from '../src/store/store.ts';
import { startStack, type Stack } from './helpers.ts';
import { LIFECYCLE_ENGINES, type LifecycleScratch } from './lifecycle-engines.ts';

const DAY = 86_400_000;

describe.each(LIFECYCLE_ENGINES)('change detection against the sandbox ($name)', ({ scratch }) => {
  let stack: Stack;
  let db: LifecycleScratch;
  let store: LifecycleStore;
  let account: StoredAccount;
  let clock = Date.now();
  let seen = 0;
  // One engine for every sync, as a broker process has; its store calls are counted.
  const calls = new Map<string, number>();
  const counted = (target: LifecycleStore): LifecycleStore =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  let shared: SyncEngine | undefined;
  const engine = () =>
    (shared ??= new SyncEngine({
      store: counted(store),
      now: () => clock,
      warningDays: 14,
      deliver: false,
      leaseMs: 60_000,
    }));
  const source = (): PersonSource => {
    const metadata = new TenantMetadata(Date.now);
    const cursors = new CursorCodec([{ kid: 'k', key: Buffer.alloc(32, 1) }]);
    const roles = new RolesService({ metadata, cursors, now: Date.now });
    const users = new UserService({ metadata, roles, cursors, now: Date.now });
    return new NermPersonSource(stack.broker.accounts.tenantFor(account), {
      metadata,
      roles,
      users,
    });
  };

  /** One sync under a fresh lease, as the scheduler runs it; returns the events it queued. */
  async function sync(mode: 'incremental' | 'full' = 'incremental', from: PersonSource = source()) {
    const state = await store.claimSync(account.id, 'test', clock, 60_000);
    if (!state) throw new Error('lease held');
    const lease = { accountId: account.id, owner: 'test' };
    try {
      const outcome = await engine().run(account, from, state, lease, mode);
      await store.finishSync(lease, {
        watermark: outcome.startedAt,
        baseline_done: true,
        next_run_at: clock,
        last_error: null,
        now: clock,
      });
      return { counts: outcome.counts, events: await newEvents() };
    } catch (error) {
      await store.finishSync(lease, { next_run_at: clock, last_error: String(error), now: clock });
      throw error;
    }
  }

  async function newEvents(): Promise<LifecycleEvent[]> {
    const rows = await store.listEvents({ accountId: account.id, afterSeq: seen, limit: 500 });
    if (rows.length > 0) seen = rows.at(-1)!.seq;
    return rows.map((r) => JSON.parse(r.body) as LifecycleEvent);
  }

  const admin = () => stack.sandbox.admin;
  const people = () => {
    const types = new Map(stack.sandbox.data.profileTypes.map((t) => [t.id, t.category]));
    return stack.sandbox.data.profiles.filter(
      (p) => !p.archived && ['employee', 'non-employee'].includes(types.get(p.profile_type_id)!),
    );
  };
  const active = (i: number) => people().filter((p) => p.status === 'Active')[i]!;

  beforeAll(async () => {
    stack = await startStack({ sandbox: { persons: 300 } });
    const { accountId } = await stack.connectAccount();
    account = (await stack.broker.store.getAccount(accountId))!;
    db = await scratch();
    store = db.lifecycle;
    await db.addAccount(account.id, 'active');
  });
  afterAll(async () => {
    await db?.close();
    await stack?.close();
  });

  it('records a baseline silently, then an unchanged tenant emits nothing and costs few requests', async () => {
    const baseline = await sync();
    expect(baseline.events).toEqual([]);
    expect(baseline.counts).toEqual({
      created: 0,
      updated: 0,
      deactivated: 0,
      reactivated: 0,
      removed: 0,
    });
    const before = stack.sandbox.stats.api;
    expect((await sync()).events).toEqual([]);
    expect(stack.sandbox.stats.api - before).toBeLessThanOrEqual(3);
    expect((await sync('full')).events).toEqual([]);
  });

  it('reports a termination and a reactivation with the old status', async () => {
    const p = active(0);
    admin().terminate(p.id);
    const terminated = await sync();
    expect(terminated.counts.deactivated).toBe(1);
    expect(terminated.events).toHaveLength(1);
    expect(terminated.events[0]).toMatchObject({
      type: 'user.deactivated',
      integrated_account_id: account.id,
      tenant_id: account.tenant_id,
      data: { user: { id: p.id, status: 'deleted' }, previous: { status: 'active' } },
    });
    admin().reactivate(p.id);
    const back = await sync();
    expect(back.events.map((e) => [e.type, e.data])).toEqual([
      ['user.reactivated', expect.objectContaining({ previous: { status: 'deleted' } })],
    ]);
  });

  it('reports a rename as one update listing exactly the changed fields', async () => {
    const p = active(1);
    const before = p.name;
    admin().rename(p.id, 'Ada Byron-King');
    const { events } = await sync();
    expect(events).toHaveLength(1);
    const event = events[0]!;
    if (event.type !== 'user.updated') throw new Error(`unexpected ${event.type}`);
    expect(event.data.user.name).toBe('Ada Byron-King');
    expect(event.data.previous.name).toBe(before);
    expect(
      Object.keys(event.data.previous).every((k) =>
        ['name', 'first_name', 'last_name'].includes(k),
      ),
    ).toBe(true);
    expect(event.data.user).not.toHaveProperty('remote_data');
  });

  it('reports a new person with their roles', async () => {
    const hired = admin().hire({
      type: 'Contractor',
      attributes: { first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com' },
    });
    // Granted in descending id order: the order NERM lists links in must never read as a change.
    const [role, other] = [...stack.sandbox.data.roles].sort((a, b) => (a.id < b.id ? 1 : -1));
    admin().grantRole(hired.id, role!.id);
    admin().grantRole(hired.id, other!.id);
    const { events, counts } = await sync();
    expect(counts.created).toBe(1);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'user.created',
        data: {
          user: expect.objectContaining({
            id: hired.id,
            first_name: 'Grace',
            roles: [
              { id: other!.id, name: other!.name },
              { id: role!.id, name: role!.name },
            ],
          }),
        },
      }),
    ]);
    expect((await sync('full')).events).toEqual([]);
  });

  it('finds role changes and deleted profiles only in a full reconcile', async () => {
    const holder = active(2);
    const role = stack.sandbox.data.roles.find(
      (r) =>
        !stack.sandbox.data.roleProfiles.some(
          (rp) => rp.profile_id === holder.id && rp.role_id === r.id,
        ),
    )!;
    const doomed = active(3);
    admin().grantRole(holder.id, role.id);
    admin().remove(doomed.id);
    expect((await sync()).events).toEqual([]);
    const full = await sync('full');
    expect(full.counts).toMatchObject({ updated: 1, removed: 1 });
    const byType = Object.fromEntries(full.events.map((e) => [e.type, e]));
    expect(byType['user.removed']).toMatchObject({ data: { user: { id: doomed.id } } });
    const updated = byType['user.updated']!;
    if (updated.type !== 'user.updated') throw new Error('narrowing');
    expect(updated.data.user.id).toBe(holder.id);
    expect(updated.data.user.roles.map((r) => r.id)).toContain(role.id);
    expect(updated.data.previous.roles?.map((r) => r.id)).not.toContain(role.id);
    expect((await sync('full')).events).toEqual([]);
  });

  it('reports an archived profile as removed at the next incremental sync', async () => {
    const p = active(4);
    admin().archive(p.id);
    const { events } = await sync();
    expect(events.map((e) => [e.type, (e.data as { user: { id: string } }).user.id])).toEqual([
      ['user.removed', p.id],
    ]);
  });

  it('warns once when an end date enters the window, and again only for a new date', async () => {
    const p = active(5);
    admin().setAttributes(p.id, { end_date: nermDate(clock + 5 * DAY) });
    const first = await sync();
    expect(first.events.map((e) => e.type)).toEqual(['user.updated', 'user.contract_ending']);
    expect(first.events[1]).toMatchObject({
      data: { user: { id: p.id, end_date: isoDay(clock + 5 * DAY) }, days_left: 5 },
    });
    expect((await sync()).events).toEqual([]);
    clock += DAY;
    expect((await sync()).events.filter((e) => e.type === 'user.contract_ending')).toEqual([]);
    admin().setAttributes(p.id, { end_date: nermDate(clock + 9 * DAY) });
    const moved = await sync();
    expect(moved.events.map((e) => e.type)).toEqual(['user.updated', 'user.contract_ending']);
    expect(moved.events[1]).toMatchObject({ data: { days_left: 9 } });
  });

  it('warns when the window moves over an end date set long before', async () => {
    const p = active(6);
    admin().setAttributes(p.id, { end_date: nermDate(clock + 30 * DAY) });
    const set = await sync();
    expect(set.events.map((e) => e.type)).toEqual(['user.updated']);
    clock += 20 * DAY;
    const warned = (await sync()).events.filter(
      (e) => e.type === 'user.contract_ending' && e.data.user.id === p.id,
    );
    expect(warned).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ days_left: 10 }) }),
    ]);
    clock += DAY;
    const again = (await sync()).events.filter(
      (e) => e.type === 'user.contract_ending' && e.data.user.id === p.id,
    );
    expect(again).toEqual([]);
  });

  it('checks contract warnings again only on a new day, after a changed snapshot or after a failed sync', async () => {
    const checks = () => calls.get('contractsDue') ?? 0;
    await sync();
    let before = checks();
    await sync();
    expect(checks() - before, 'same day, nothing changed').toBe(0);

    clock += DAY;
    before = checks();
    await sync();
    expect(checks() - before, 'a new day').toBeGreaterThan(0);

    // A full reconcile: the test's clock runs days ahead of the sandbox's updated_at.
    admin().rename(active(8).id, 'Renamed Person');
    before = checks();
    expect((await sync('full')).events.map((e) => e.type)).toEqual(['user.updated']);
    expect(checks() - before, 'a changed snapshot').toBeGreaterThan(0);

    await store.claimSync(account.id, 'test', clock, 60_000);
    await store.finishSync(
      { accountId: account.id, owner: 'test' },
      { next_run_at: clock, last_error: 'upstream_error: NERM answered HTTP 502', now: clock },
    );
    before = checks();
    await sync();
    expect(checks() - before, 'after a failed sync').toBeGreaterThan(0);
  });

  it('fetches one named profile for a hook and reports its role change at once', async () => {
    const p = active(7);
    const role = stack.sandbox.data.roles.find(
      (r) =>
        !stack.sandbox.data.roleProfiles.some(
          (rp) => rp.profile_id === p.id && rp.role_id === r.id,
        ),
    )!;
    admin().grantRole(p.id, role.id);
    await store.claimSync(account.id, 'test', clock, 60_000);
    const lease = { accountId: account.id, owner: 'test' };
    const counts = await engine().runProfiles(account, source(), lease, [p.id, 'no-such-profile']);
    await store.finishSync(lease, { next_run_at: clock, last_error: null, now: clock });
    expect(counts.updated).toBe(1);
    const events = await newEvents();
    expect(events.map((e) => e.type)).toEqual(['user.updated']);
  });

  it('loses and duplicates nothing when a sync dies half way and runs again', async () => {
    // Two people on the walk's first page (id order) and two on its last.
    const byId = people()
      .filter((p) => p.status === 'Active')
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const victims = [byId[0]!, byId[1]!, byId.at(-1)!, byId.at(-2)!];
    for (const v of victims) admin().terminate(v.id);
    // A walk that dies after its first page (NERM pages hold 500; make them small).
    const real = source();
    let pages = 0;
    const dying: PersonSource = {
      person: (id) => real.person(id),
      rolesOf: (id) => real.rolesOf(id),
      async *pages(options) {
        for await (const page of real.pages(options)) {
          for (let i = 0; i < page.length; i += 100) {
            if (++pages > 2) throw new Error('killed');
            yield page.slice(i, i + 100);
          }
        }
      },
    };
    await expect(sync('full', dying)).rejects.toThrow('killed');
    const partial = await newEvents();
    expect(partial).toHaveLength(2);
    const rerun = await sync('full');
    expect(rerun.events).toHaveLength(2);
    const all = [...partial, ...rerun.events];
    expect(all.map((e) => e.type).every((t) => t === 'user.deactivated')).toBe(true);
    expect(all.map((e) => (e.data as { user: { id: string } }).user.id).sort()).toEqual(
      victims.map((v) => v.id).sort(),
    );
  });
});
