import { describe, expect, it } from 'vitest';
import { LeaseLost } from '../src/lifecycle/lifecycle-store.ts';
import { LIFECYCLE_ENGINES } from './lifecycle-engines.ts';
import { LEASE, NOW, event, snapshot, useLifecycleScratch, user } from './lifecycle-fixtures.ts';

// Sync leases and snapshots; the outbox, account events, hooks and audit:
// lifecycle-outbox.contract.test.ts.
describe.each(LIFECYCLE_ENGINES)('lifecycle store on $name', ({ scratch }) => {
  const suite = useLifecycleScratch(scratch);

  describe('sync leases', () => {
    it('claims due active accounts once, until the lease expires', async () => {
      const a = await suite.account();
      const parked = await suite.account('needs_reauth');
      const first = await suite.store.claimDueSyncs('p1', NOW, LEASE, 1000, { scheduled: true });
      const ids = first.map((s) => s.account_id);
      expect(ids).toContain(a);
      expect(ids).not.toContain(parked);
      expect(first.find((s) => s.account_id === a)).toMatchObject({
        baseline_done: false,
        watermark: null,
        lease_owner: 'p1',
      });
      expect(
        await suite.store.claimDueSyncs('p2', NOW + 1, LEASE, 1000, { scheduled: true }),
      ).toEqual([]);
      expect(await suite.store.claimSync(a, 'p2', NOW + 1, LEASE)).toBeUndefined();
      const later = await suite.store.claimDueSyncs('p2', NOW + LEASE + 1, LEASE, 1000, {
        scheduled: true,
      });
      expect(later.map((s) => s.account_id)).toContain(a);
    });

    it('without scheduling claims only accounts a hook asked for', async () => {
      const a = await suite.account();
      const b = await suite.account();
      const t = NOW + 10 * LEASE;
      await suite.store.requestSync(b, 'profile-1', t);
      const claimed = await suite.store.claimDueSyncs('p1', t, LEASE, 1000, { scheduled: false });
      expect(claimed.map((s) => s.account_id)).toEqual([b]);
      expect(await suite.store.requestedProfiles(b, 10)).toEqual(['profile-1']);
      await suite.store.forgetRequestedProfiles(b, ['profile-1']);
      expect(await suite.store.requestedProfiles(b, 10)).toEqual([]);
      await suite.store.finishSync(
        { accountId: b, owner: 'p1' },
        { next_run_at: t + 1, last_error: null, now: t },
      );
      await suite.store.requestSync(a, null, t);
      expect(
        (await suite.store.claimDueSyncs('p1', t, LEASE, 1000, { scheduled: false })).map(
          (s) => s.account_id,
        ),
      ).toEqual([a]);
    });

    it('a scheduled claim says whether profiles were requested; new accounts join within a second', async () => {
      const t = NOW + 40 * LEASE;
      const a = await suite.account();
      const b = await suite.account();
      await suite.store.requestSync(b, 'profile-2', t);
      const claimed = await suite.store.claimDueSyncs('p1', t, LEASE, 1000, { scheduled: true });
      const flags = new Map(claimed.map((s) => [s.account_id, s.profiles_requested]));
      expect(flags.get(a)).toBe(false);
      expect(flags.get(b)).toBe(true);
      // A sync state is made for a new account by the next claim a second later, not by every claim.
      const c = await suite.account();
      const soon = await suite.store.claimDueSyncs('p1', t + 1, LEASE, 1000, { scheduled: true });
      expect(soon.map((s) => s.account_id)).not.toContain(c);
      const later = await suite.store.claimDueSyncs('p1', t + 1_000, LEASE, 1000, {
        scheduled: true,
      });
      expect(later.map((s) => s.account_id)).toContain(c);
      await suite.store.forgetRequestedProfiles(b, ['profile-2']);
    });

    it('finishing records the watermark, the baseline and serves requests made before the sync', async () => {
      const a = await suite.account();
      const lease = { accountId: a, owner: 'p1' };
      await suite.store.requestSync(a, null, NOW);
      const state = await suite.store.claimSync(a, 'p1', NOW, LEASE);
      expect(state?.requested_at).toBe(NOW);
      await suite.store.requestSync(a, null, NOW + 5);
      await suite.store.finishSync(lease, {
        watermark: NOW,
        baseline_done: true,
        next_run_at: NOW + 300_000,
        next_full_at: NOW + 3_600_000,
        served_requests_until: NOW + 1,
        last_error: null,
        now: NOW + 10,
      });
      expect(await suite.store.getSyncState(a)).toMatchObject({
        baseline_done: true,
        watermark: NOW,
        next_run_at: NOW + 300_000,
        requested_at: null,
        lease_owner: null,
      });
    });

    it('fences every write: a batch under a lost lease writes nothing', async () => {
      const a = await suite.account();
      await suite.store.claimSync(a, 'p1', NOW, LEASE);
      await suite.store.claimSync(a, 'p2', NOW + LEASE + 1, LEASE);
      const batch = {
        upserts: [snapshot(user('x'))],
        deletes: [],
        events: [event(a)],
        deliver: true,
      };
      await expect(
        suite.store.applySyncBatch({ accountId: a, owner: 'p1' }, batch, NOW + LEASE + 2, LEASE),
      ).rejects.toThrow(LeaseLost);
      await expect(suite.store.beginFullWalk({ accountId: a, owner: 'p1' })).rejects.toThrow(
        LeaseLost,
      );
      expect((await suite.store.snapshots(a, ['x'])).size).toBe(0);
      expect(await suite.store.listEvents({ accountId: a, limit: 10 })).toEqual([]);
      expect(await suite.store.renewSyncLease({ accountId: a, owner: 'p1' }, NOW, LEASE)).toBe(
        false,
      );
      expect(await suite.store.renewSyncLease({ accountId: a, owner: 'p2' }, NOW, LEASE)).toBe(
        true,
      );
      // p1 finishing late neither moves the state nor releases p2's lease: it is told so.
      const late = { watermark: NOW, baseline_done: true, next_run_at: NOW * 2, last_error: null };
      expect(
        await suite.store.finishSync({ accountId: a, owner: 'p1' }, { ...late, now: NOW }),
      ).toBe(false);
      expect(await suite.store.getSyncState(a)).toMatchObject({
        lease_owner: 'p2',
        baseline_done: false,
        watermark: null,
      });
      expect(
        await suite.store.finishSync({ accountId: a, owner: 'p2' }, { ...late, now: NOW }),
      ).toBe(true);
    });
  });

  describe('snapshots', () => {
    it('stores, updates, finds unseen and deletes snapshots with their events in one batch', async () => {
      const a = await suite.account();
      const lease = { accountId: a, owner: 'p1' };
      await suite.store.claimSync(a, 'p1', NOW, LEASE);
      const gen = await suite.store.beginFullWalk(lease);
      const [x, y, z] = [user('x'), user('y', { end_date: '2030-01-05' }), user('z')];
      const created = [event(a), event(a), event(a)];
      await suite.store.applySyncBatch(
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
      const stored = await suite.store.snapshots(a, ['x', 'y', 'nobody']);
      expect([...stored.keys()].sort()).toEqual(['x', 'y']);
      expect(stored.get('y')?.user).toEqual(y);

      const next = await suite.store.beginFullWalk(lease);
      expect(next).toBe(gen + 1);
      const renamed = user('x', { name: 'Renamed' });
      await suite.store.applySyncBatch(
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
      expect((await suite.store.unseenSnapshots(a, next, 10)).map((s) => s.person_id)).toEqual([
        'z',
      ]);
      expect((await suite.store.snapshots(a, ['x'])).get('x')?.user.name).toBe('Renamed');
      await suite.store.applySyncBatch(
        lease,
        { upserts: [], deletes: ['z'], events: [], deliver: true },
        NOW,
        LEASE,
      );
      expect(await suite.store.unseenSnapshots(a, next, 10)).toEqual([]);
      expect((await suite.store.listEvents({ accountId: a, limit: 10 })).map((e) => e.id)).toEqual(
        created.map((e) => e.id),
      );
    });

    it('finds active persons whose end date is inside the window and not yet warned', async () => {
      const a = await suite.account();
      const lease = { accountId: a, owner: 'p1' };
      await suite.store.claimSync(a, 'p1', NOW, LEASE);
      const rows = [
        snapshot(user('due', { end_date: '2030-01-10' })),
        snapshot(user('warned', { end_date: '2030-01-10' }), '2030-01-10'),
        snapshot(user('moved', { end_date: '2030-01-12' }), '2030-01-10'),
        snapshot(user('later', { end_date: '2030-02-10' })),
        snapshot(user('past', { end_date: '2029-12-31' })),
        snapshot(user('gone', { end_date: '2030-01-10', status: 'deleted' })),
      ];
      await suite.store.applySyncBatch(
        lease,
        { upserts: rows, deletes: [], events: [], deliver: false },
        NOW,
        LEASE,
      );
      const due = await suite.store.contractsDue(a, '2030-01-01', '2030-01-15', 10);
      expect(due.map((s) => s.person_id).sort()).toEqual(['due', 'moved']);
      await suite.store.applySyncBatch(
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
        (await suite.store.contractsDue(a, '2030-01-01', '2030-01-15', 10)).map((s) => s.person_id),
      ).toEqual(['moved']);
    });
  });
});
