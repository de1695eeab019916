import { randomUUID } from 'node:crypto';
import type { AccountStatus, EventUser } from '@nerm-connect/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../src/lifecycle/changes.ts';
import { newEventId, type NewEvent } from '../src/lifecycle/events.ts';
import {
  LeaseLost,
  type LifecycleStore,
  type PersonSnapshot,
} from '../src/lifecycle/lifecycle-store.ts';
import {
  accountRow,
  LIFECYCLE_ENGINES,
  storeAccount,
  type LifecycleScratch,
} from './lifecycle-engines.ts';

const NOW = 1_800_000_000_000;
const LEASE = 60_000;

function user(id: string, overrides: Partial<EventUser> = {}): EventUser {
  return {
    id,
    external_id: null,
    name: `Person ${id}`,
    first_name: 'Person',
    last_name: id,
    emails: [],
    title: null,
    status: 'active',
    user_type: 'Contractor',
    roles: [],
    start_date: null,
    end_date: null,
    created_at: null,
    updated_at: null,
    ...overrides,
  };
}

function snapshot(u: EventUser, warned: string | null = null): PersonSnapshot {
  return { person_id: u.id, digest: digestOf(u), user: u, warned_end_date: warned };
}

function event(accountId: string, at = NOW): NewEvent {
  const id = newEventId();
  return {
    id,
    account_id: accountId,
    type: 'user.created',
    created_at: at,
    body: `{"id":"${id}"}`,
  };
}

describe.each(LIFECYCLE_ENGINES)('lifecycle store on $name', ({ scratch }) => {
  let db: LifecycleScratch;
  let store: LifecycleStore;

  beforeAll(async () => {
    db = await scratch();
    store = db.lifecycle;
  });
  afterAll(async () => {
    await db.close();
  });

  const account = (status: AccountStatus = 'active') => db.addAccount(randomUUID(), status);

  describe('sync leases', () => {
    it('claims due active accounts once, until the lease expires', async () => {
      const a = await account();
      const parked = await account('needs_reauth');
      const first = await store.claimDueSyncs('p1', NOW, LEASE, 1000, { scheduled: true });
      const ids = first.map((s) => s.account_id);
      expect(ids).toContain(a);
      expect(ids).not.toContain(parked);
      expect(first.find((s) => s.account_id === a)).toMatchObject({
        baseline_done: false,
        watermark: null,
        lease_owner: 'p1',
      });
      expect(await store.claimDueSyncs('p2', NOW + 1, LEASE, 1000, { scheduled: true })).toEqual(
        [],
      );
      expect(await store.claimSync(a, 'p2', NOW + 1, LEASE)).toBeUndefined();
      const later = await store.claimDueSyncs('p2', NOW + LEASE + 1, LEASE, 1000, {
        scheduled: true,
      });
      expect(later.map((s) => s.account_id)).toContain(a);
    });

    it('without scheduling claims only accounts a hook asked for', async () => {
      const a = await account();
      const b = await account();
      const t = NOW + 10 * LEASE;
      await store.requestSync(b, 'profile-1', t);
      const claimed = await store.claimDueSyncs('p1', t, LEASE, 1000, { scheduled: false });
      expect(claimed.map((s) => s.account_id)).toEqual([b]);
      expect(await store.requestedProfiles(b, 10)).toEqual(['profile-1']);
      await store.forgetRequestedProfiles(b, ['profile-1']);
      expect(await store.requestedProfiles(b, 10)).toEqual([]);
      await store.finishSync(
        { accountId: b, owner: 'p1' },
        { next_run_at: t + 1, last_error: null, now: t },
      );
      await store.requestSync(a, null, t);
      expect(
        (await store.claimDueSyncs('p1', t, LEASE, 1000, { scheduled: false })).map(
          (s) => s.account_id,
        ),
      ).toEqual([a]);
    });

    it('finishing records the watermark, the baseline and serves requests made before the sync', async () => {
      const a = await account();
      const lease = { accountId: a, owner: 'p1' };
      await store.requestSync(a, null, NOW);
      const state = await store.claimSync(a, 'p1', NOW, LEASE);
      expect(state?.requested_at).toBe(NOW);
      await store.requestSync(a, null, NOW + 5);
      await store.finishSync(lease, {
        watermark: NOW,
        baseline_done: true,
        next_run_at: NOW + 300_000,
        next_full_at: NOW + 3_600_000,
        served_requests_until: NOW + 1,
        last_error: null,
        now: NOW + 10,
      });
      expect(await store.getSyncState(a)).toMatchObject({
        baseline_done: true,
        watermark: NOW,
        next_run_at: NOW + 300_000,
        requested_at: null,
        lease_owner: null,
      });
    });

    it('fences every write: a batch under a lost lease writes nothing', async () => {
      const a = await account();
      await store.claimSync(a, 'p1', NOW, LEASE);
      await store.claimSync(a, 'p2', NOW + LEASE + 1, LEASE);
      const batch = {
        upserts: [snapshot(user('x'))],
        deletes: [],
        events: [event(a)],
        deliver: true,
      };
      await expect(
        store.applySyncBatch({ accountId: a, owner: 'p1' }, batch, NOW + LEASE + 2, LEASE),
      ).rejects.toThrow(LeaseLost);
      await expect(store.beginFullWalk({ accountId: a, owner: 'p1' })).rejects.toThrow(LeaseLost);
      expect((await store.snapshots(a, ['x'])).size).toBe(0);
      expect(await store.listEvents({ accountId: a, limit: 10 })).toEqual([]);
      expect(await store.renewSyncLease({ accountId: a, owner: 'p1' }, NOW, LEASE)).toBe(false);
      expect(await store.renewSyncLease({ accountId: a, owner: 'p2' }, NOW, LEASE)).toBe(true);
      // p1 finishing late neither moves the state nor releases p2's lease: it is told so.
      const late = { watermark: NOW, baseline_done: true, next_run_at: NOW * 2, last_error: null };
      expect(await store.finishSync({ accountId: a, owner: 'p1' }, { ...late, now: NOW })).toBe(
        false,
      );
      expect(await store.getSyncState(a)).toMatchObject({
        lease_owner: 'p2',
        baseline_done: false,
        watermark: null,
      });
      expect(await store.finishSync({ accountId: a, owner: 'p2' }, { ...late, now: NOW })).toBe(
        true,
      );
    });
  });

  describe('snapshots', () => {
    it('stores, updates, finds unseen and deletes snapshots with their events in one batch', async () => {
      const a = await account();
      const lease = { accountId: a, owner: 'p1' };
      await store.claimSync(a, 'p1', NOW, LEASE);
      const gen = await store.beginFullWalk(lease);
      const [x, y, z] = [user('x'), user('y', { end_date: '2030-01-05' }), user('z')];
      const created = [event(a), event(a), event(a)];
      await store.applySyncBatch(
        lease,
        {
          upserts: [x, y, z].map((u) => snapshot(u)),
          deletes: [],
          seen: { gen, ids: ['x', 'y', 'z'] },
          events: created,
          deliver: true,
        },
        NOW,
        LEASE,
      );
      const stored = await store.snapshots(a, ['x', 'y', 'nobody']);
      expect([...stored.keys()].sort()).toEqual(['x', 'y']);
      expect(stored.get('y')?.user).toEqual(y);

      const next = await store.beginFullWalk(lease);
      expect(next).toBe(gen + 1);
      const renamed = user('x', { name: 'Renamed' });
      await store.applySyncBatch(
        lease,
        {
          upserts: [snapshot(renamed)],
          deletes: [],
          seen: { gen: next, ids: ['x', 'y'] },
          events: [],
          deliver: true,
        },
        NOW,
        LEASE,
      );
      expect((await store.unseenSnapshots(a, next, 10)).map((s) => s.person_id)).toEqual(['z']);
      expect((await store.snapshots(a, ['x'])).get('x')?.user.name).toBe('Renamed');
      await store.applySyncBatch(
        lease,
        { upserts: [], deletes: ['z'], events: [], deliver: true },
        NOW,
        LEASE,
      );
      expect(await store.unseenSnapshots(a, next, 10)).toEqual([]);
      expect((await store.listEvents({ accountId: a, limit: 10 })).map((e) => e.id)).toEqual(
        created.map((e) => e.id),
      );
    });

    it('finds active persons whose end date is inside the window and not yet warned', async () => {
      const a = await account();
      const lease = { accountId: a, owner: 'p1' };
      await store.claimSync(a, 'p1', NOW, LEASE);
      const rows = [
        snapshot(user('due', { end_date: '2030-01-10' })),
        snapshot(user('warned', { end_date: '2030-01-10' }), '2030-01-10'),
        snapshot(user('moved', { end_date: '2030-01-12' }), '2030-01-10'),
        snapshot(user('later', { end_date: '2030-02-10' })),
        snapshot(user('past', { end_date: '2029-12-31' })),
        snapshot(user('gone', { end_date: '2030-01-10', status: 'deleted' })),
      ];
      await store.applySyncBatch(
        lease,
        { upserts: rows, deletes: [], events: [], deliver: false },
        NOW,
        LEASE,
      );
      const due = await store.contractsDue(a, '2030-01-01', '2030-01-15', 10);
      expect(due.map((s) => s.person_id).sort()).toEqual(['due', 'moved']);
      await store.applySyncBatch(
        lease,
        {
          upserts: [],
          deletes: [],
          warned: [{ person_id: 'due', end_date: '2030-01-10' }],
          events: [],
          deliver: false,
        },
        NOW,
        LEASE,
      );
      expect(
        (await store.contractsDue(a, '2030-01-01', '2030-01-15', 10)).map((s) => s.person_id),
      ).toEqual(['moved']);
    });
  });

  describe('outbox', () => {
    it('hands out only the oldest unsettled event of each account, one claimant at a time', async () => {
      const a = await account();
      const b = await account();
      const t = NOW + 1_000_000;
      const [a1, a2, b1] = [event(a, t), event(a, t), event(b, t)];
      await store.insertEvents([a1, a2], true);
      await store.insertEvents([b1], true);
      const first = await store.claimDeliveries('p1', t, LEASE, 10);
      const mine = first.filter((e) => e.account_id === a || e.account_id === b).map((e) => e.id);
      expect(mine).toEqual([a1.id, b1.id]);
      expect(
        (await store.claimDeliveries('p2', t, LEASE, 10)).filter((e) =>
          [a, b].includes(e.account_id),
        ),
      ).toEqual([]);

      // a1 fails and is due again in 5 s: a2 waits behind it.
      expect(
        await store.recordAttempt(a1.id, 'p1', {
          ok: false,
          at: t,
          error: 'HTTP 500',
          next_attempt_at: t + 5_000,
        }),
      ).toBe(true);
      expect(await store.recordAttempt(b1.id, 'p2', { ok: true, at: t })).toBe(false);
      expect(await store.recordAttempt(b1.id, 'p1', { ok: true, at: t })).toBe(true);
      expect(
        (await store.claimDeliveries('p1', t + 1, LEASE, 10)).filter((e) => e.account_id === a),
      ).toEqual([]);
      const retry = (await store.claimDeliveries('p1', t + 5_000, LEASE, 10)).filter(
        (e) => e.account_id === a,
      );
      expect(retry.map((e) => [e.id, e.attempts, e.failures, e.last_error])).toEqual([
        [a1.id, 1, 1, 'HTTP 500'],
      ]);
      await store.recordAttempt(a1.id, 'p1', {
        ok: false,
        at: t + 5_000,
        error: 'timeout',
        next_attempt_at: null,
      });
      const after = (await store.claimDeliveries('p1', t + 5_001, LEASE, 10)).filter(
        (e) => e.account_id === a,
      );
      expect(after.map((e) => e.id)).toEqual([a2.id]);

      const feed = await store.listEvents({ accountId: a, limit: 10 });
      expect(feed.map((e) => [e.id, e.status, e.attempts, e.failures])).toEqual([
        [a1.id, 'failed', 2, 2],
        [a2.id, 'pending', 0, 0],
      ]);
    });

    it('renews a delivery lease for its owner only; once it lapses another claims the event', async () => {
      const a = await account();
      const t = NOW + 2_000_000;
      const e = event(a, t);
      await store.insertEvents([e], true);
      const mine = (await store.claimDeliveries('p1', t, LEASE, 100)).filter(
        (x) => x.account_id === a,
      );
      expect(mine.map((x) => x.id)).toEqual([e.id]);
      expect(await store.renewDeliveryLease(e.id, 'p2', t + 1, LEASE)).toBe(false);
      expect(await store.renewDeliveryLease(e.id, 'p1', t + LEASE - 1, LEASE)).toBe(true);
      // Renewed: still p1's after the first lease would have run out.
      expect(
        (await store.claimDeliveries('p2', t + LEASE + 1, LEASE, 100)).filter(
          (x) => x.account_id === a,
        ),
      ).toEqual([]);
      // p1 died: its lease lapses and p2 takes the same event, with the same id.
      const later = t + 2 * LEASE;
      const taken = (await store.claimDeliveries('p2', later, LEASE, 100)).filter(
        (x) => x.account_id === a,
      );
      expect(taken.map((x) => [x.id, x.attempts])).toEqual([[e.id, 0]]);
      expect(await store.renewDeliveryLease(e.id, 'p1', later, LEASE)).toBe(false);
      expect(await store.recordAttempt(e.id, 'p1', { ok: true, at: later })).toBe(false);
      expect(await store.recordAttempt(e.id, 'p2', { ok: true, at: later })).toBe(true);
      expect(await store.renewDeliveryLease(e.id, 'p2', later, LEASE)).toBe(false);
      expect((await store.listEvents({ accountId: a, limit: 10 }))[0]).toMatchObject({
        status: 'delivered',
        attempts: 1,
      });
    });

    it('keeps events without a webhook URL as not_sent, never handed out', async () => {
      const a = await account();
      await store.insertEvents([event(a)], false);
      expect(
        (await store.claimDeliveries('p1', NOW * 2, LEASE, 100)).filter((e) => e.account_id === a),
      ).toEqual([]);
      expect((await store.listEvents({ accountId: a, limit: 10 }))[0]?.status).toBe('not_sent');
    });

    it('pages the feed by seq and filters by type; purges what is older than the retention', async () => {
      const a = await account();
      const old = event(a, 1_000);
      const fresh = [event(a), { ...event(a), type: 'user.removed' as const }];
      await store.insertEvents([old, ...fresh], false);
      const all = await store.listEvents({ accountId: a, limit: 10 });
      expect(all.map((e) => e.id)).toEqual([old.id, ...fresh.map((e) => e.id)]);
      const rest = await store.listEvents({ accountId: a, afterSeq: all[0]!.seq, limit: 10 });
      expect(rest.map((e) => e.id)).toEqual(fresh.map((e) => e.id));
      expect(
        (await store.listEvents({ accountId: a, type: 'user.removed', limit: 10 })).map(
          (e) => e.id,
        ),
      ).toEqual([fresh[1]!.id]);
      expect(await store.purgeEvents(2_000)).toBeGreaterThanOrEqual(1);
      expect((await store.listEvents({ accountId: a, limit: 10 })).map((e) => e.id)).toEqual(
        fresh.map((e) => e.id),
      );
    });

    it('never hands one event or one account to two claimants at once', async () => {
      const accounts = await Promise.all(Array.from({ length: 6 }, () => account()));
      const t = NOW + 9_000_000;
      for (const a of accounts) await store.insertEvents([event(a, t), event(a, t)], true);
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.claimDeliveries(`w${i}`, t, LEASE, 3)),
      );
      const mine = claims.flat().filter((e) => accounts.includes(e.account_id));
      expect(new Set(mine.map((e) => e.id)).size).toBe(mine.length);
      expect(new Set(mine.map((e) => e.account_id)).size).toBe(mine.length);
      expect(mine).toHaveLength(accounts.length);
    });
  });

  describe('account state changes write their events in the same transaction', () => {
    const write = (type: NewEvent['type']) => ({
      deliver: true,
      events: (row: { id: string; status: string }) => [
        { ...event(row.id), type, body: JSON.stringify({ id: row.id, status: row.status }) },
      ],
    });
    const types = async (id: string) =>
      (await store.listEvents({ accountId: id, limit: 10 })).map((e) => [
        e.type,
        JSON.parse(e.body).status,
      ]);

    it('connect, needs_reauth once (only from active), and disconnect', async () => {
      const id = randomUUID();
      await storeAccount(db.store, accountRow(id), write('integrated_account.connected'));
      const patch = {
        status: 'needs_reauth' as const,
        updated_at: NOW,
        ifStatus: 'active' as const,
        outbox: write('integrated_account.needs_reauth'),
      };
      expect((await db.store.updateAccount(id, patch))?.status).toBe('needs_reauth');
      expect(await db.store.updateAccount(id, patch)).toBeUndefined();
      expect(
        await db.store.disconnectAccount(id, NOW, write('integrated_account.disconnected')),
      ).toBe(true);
      expect(
        await db.store.disconnectAccount(id, NOW, write('integrated_account.disconnected')),
      ).toBe(false);
      expect(await types(id)).toEqual([
        ['integrated_account.connected', 'active'],
        ['integrated_account.needs_reauth', 'needs_reauth'],
        ['integrated_account.disconnected', 'disconnected'],
      ]);
    });

    it('writes nothing when the event cannot be written (the change rolls back with it)', async () => {
      const id = randomUUID();
      await storeAccount(db.store, accountRow(id));
      const broken = {
        deliver: true,
        events: () => [event(id), { ...event(id), id: 'evt_dup' }, { ...event(id), id: 'evt_dup' }],
      };
      await expect(
        db.store.updateAccount(id, { status: 'needs_reauth', updated_at: NOW, outbox: broken }),
      ).rejects.toThrow();
      expect((await db.store.getAccount(id))?.status).toBe('active');
      expect(await types(id)).toEqual([]);
    });
  });

  describe('sync hooks', () => {
    it('finds an account by its hook id, rotates it, and forgets it on disconnect', async () => {
      const row = accountRow(randomUUID());
      await storeAccount(db.store, row);
      expect((await db.store.getAccountBySyncHook(row.sync_hook_id!))?.id).toBe(row.id);
      const rotated = await db.store.setSyncHook(row.id, 'hk_new_one_for_test', NOW);
      expect(rotated?.sync_hook_id).toBe('hk_new_one_for_test');
      expect(await db.store.getAccountBySyncHook(row.sync_hook_id!)).toBeUndefined();
      await db.store.disconnectAccount(row.id, NOW);
      expect(await db.store.getAccountBySyncHook('hk_new_one_for_test')).toBeUndefined();
      expect((await db.store.getAccount(row.id))?.sync_hook_id).toBeNull();
      expect(await db.store.setSyncHook(row.id, 'hk_again', NOW)).toBeUndefined();
    });
  });

  describe('audit trail', () => {
    it('lists newest first, pages by seq, and refuses UPDATE and DELETE', async () => {
      const a = await account();
      for (const action of ['connect', 'verify', 'sync'])
        await store.appendAudit({
          account_id: a,
          at: NOW,
          actor: 'scheduler',
          action,
          detail: { n: action },
        });
      const all = await store.listAudit(a, undefined, 10);
      expect(all.map((r) => r.action)).toEqual(['sync', 'verify', 'connect']);
      expect(all[0]?.detail).toEqual({ n: 'sync' });
      expect((await store.listAudit(a, all[0]!.seq, 1)).map((r) => r.action)).toEqual(['verify']);
      await expect(db.exec(`UPDATE lifecycle_audit SET actor = 'x'`)).rejects.toThrow(
        /append-only/,
      );
      await expect(db.exec(`DELETE FROM lifecycle_audit`)).rejects.toThrow(/append-only/);
      expect(await store.listAudit(a, undefined, 10)).toHaveLength(3);
    });
  });
});
