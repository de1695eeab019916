import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../src/lifecycle/events.ts';
import { accountRow, LIFECYCLE_ENGINES, storeAccount } from './lifecycle-engines.ts';
import { LEASE, NOW, event, useLifecycleScratch } from './lifecycle-fixtures.ts';

// The outbox, account events written with their state change, sync hooks and the audit
// trail; sync leases and snapshots: lifecycle-store.contract.test.ts.
describe.each(LIFECYCLE_ENGINES)('lifecycle outbox and audit on $name', ({ scratch }) => {
  const suite = useLifecycleScratch(scratch);

  describe('outbox', () => {
    it('hands out only the oldest unsettled event of each account, one claimant at a time', async () => {
      const a = await suite.account();
      const b = await suite.account();
      const t = NOW + 1_000_000;
      const [a1, a2, b1] = [event(a, t), event(a, t), event(b, t)];
      await suite.store.insertEvents([a1, a2], true);
      await suite.store.insertEvents([b1], true);
      const first = await suite.store.claimDeliveries('p1', t, LEASE, 10);
      const mine = first.filter((e) => e.account_id === a || e.account_id === b).map((e) => e.id);
      expect(mine).toEqual([a1.id, b1.id]);
      expect(
        (await suite.store.claimDeliveries('p2', t, LEASE, 10)).filter((e) =>
          [a, b].includes(e.account_id),
        ),
      ).toEqual([]);

      // a1 fails and is due again in 5 s: a2 waits behind it.
      expect(
        await suite.store.recordAttempt(a1.id, 'p1', {
          ok: false,
          at: t,
          error: 'HTTP 500',
          next_attempt_at: t + 5_000,
        }),
      ).toBe(true);
      expect(await suite.store.recordAttempt(b1.id, 'p2', { ok: true, at: t })).toBe(false);
      expect(await suite.store.recordAttempt(b1.id, 'p1', { ok: true, at: t })).toBe(true);
      expect(
        (await suite.store.claimDeliveries('p1', t + 1, LEASE, 10)).filter(
          (e) => e.account_id === a,
        ),
      ).toEqual([]);
      const retry = (await suite.store.claimDeliveries('p1', t + 5_000, LEASE, 10)).filter(
        (e) => e.account_id === a,
      );
      expect(retry.map((e) => [e.id, e.attempts, e.failures, e.last_error])).toEqual([
        [a1.id, 1, 1, 'HTTP 500'],
      ]);
      await suite.store.recordAttempt(a1.id, 'p1', {
        ok: false,
        at: t + 5_000,
        error: 'timeout',
        next_attempt_at: null,
      });
      const after = (await suite.store.claimDeliveries('p1', t + 5_001, LEASE, 10)).filter(
        (e) => e.account_id === a,
      );
      expect(after.map((e) => e.id)).toEqual([a2.id]);

      const feed = await suite.store.listEvents({ accountId: a, limit: 10 });
      expect(feed.map((e) => [e.id, e.status, e.attempts, e.failures])).toEqual([
        [a1.id, 'failed', 2, 2],
        [a2.id, 'pending', 0, 0],
      ]);
    });

    it('renews a delivery lease for its owner only; once it lapses another claims the event', async () => {
      const a = await suite.account();
      const t = NOW + 2_000_000;
      const e = event(a, t);
      await suite.store.insertEvents([e], true);
      const mine = (await suite.store.claimDeliveries('p1', t, LEASE, 100)).filter(
        (x) => x.account_id === a,
      );
      expect(mine.map((x) => x.id)).toEqual([e.id]);
      expect(await suite.store.renewDeliveryLease(e.id, 'p2', t + 1, LEASE)).toBe(false);
      expect(await suite.store.renewDeliveryLease(e.id, 'p1', t + LEASE - 1, LEASE)).toBe(true);
      // Renewed: still p1's after the first lease would have run out.
      expect(
        (await suite.store.claimDeliveries('p2', t + LEASE + 1, LEASE, 100)).filter(
          (x) => x.account_id === a,
        ),
      ).toEqual([]);
      // p1 died: its lease lapses and p2 takes the same event, with the same id.
      const later = t + 2 * LEASE;
      const taken = (await suite.store.claimDeliveries('p2', later, LEASE, 100)).filter(
        (x) => x.account_id === a,
      );
      expect(taken.map((x) => [x.id, x.attempts])).toEqual([[e.id, 0]]);
      expect(await suite.store.renewDeliveryLease(e.id, 'p1', later, LEASE)).toBe(false);
      expect(await suite.store.recordAttempt(e.id, 'p1', { ok: true, at: later })).toBe(false);
      expect(await suite.store.recordAttempt(e.id, 'p2', { ok: true, at: later })).toBe(true);
      expect(await suite.store.renewDeliveryLease(e.id, 'p2', later, LEASE)).toBe(false);
      expect((await suite.store.listEvents({ accountId: a, limit: 10 }))[0]).toMatchObject({
        status: 'delivered',
        attempts: 1,
      });
    });

    it('keeps events without a webhook URL as not_sent, never handed out', async () => {
      const a = await suite.account();
      await suite.store.insertEvents([event(a)], false);
      expect(
        (await suite.store.claimDeliveries('p1', NOW * 2, LEASE, 100)).filter(
          (e) => e.account_id === a,
        ),
      ).toEqual([]);
      expect((await suite.store.listEvents({ accountId: a, limit: 10 }))[0]?.status).toBe(
        'not_sent',
      );
    });

    it('pages the feed by seq and filters by type; purges what is older than the retention', async () => {
      const a = await suite.account();
      const old = event(a, 1_000);
      const fresh = [event(a), { ...event(a), type: 'user.removed' as const }];
      await suite.store.insertEvents([old, ...fresh], false);
      const all = await suite.store.listEvents({ accountId: a, limit: 10 });
      expect(all.map((e) => e.id)).toEqual([old.id, ...fresh.map((e) => e.id)]);
      const rest = await suite.store.listEvents({ accountId: a, afterSeq: all[0]!.seq, limit: 10 });
      expect(rest.map((e) => e.id)).toEqual(fresh.map((e) => e.id));
      expect(
        (await suite.store.listEvents({ accountId: a, type: 'user.removed', limit: 10 })).map(
          (e) => e.id,
        ),
      ).toEqual([fresh[1]!.id]);
      expect(await suite.store.purgeEvents(2_000)).toBeGreaterThanOrEqual(1);
      expect((await suite.store.listEvents({ accountId: a, limit: 10 })).map((e) => e.id)).toEqual(
        fresh.map((e) => e.id),
      );
    });

    it('never hands one event or one account to two claimants at once', async () => {
      const accounts = await Promise.all(Array.from({ length: 6 }, () => suite.account()));
      const t = NOW + 9_000_000;
      for (const a of accounts) await suite.store.insertEvents([event(a, t), event(a, t)], true);
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => suite.store.claimDeliveries(`w${i}`, t, LEASE, 3)),
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
      (await suite.store.listEvents({ accountId: id, limit: 10 })).map((e) => [
        e.type,
        JSON.parse(e.body).status,
      ]);

    it('connect, needs_reauth once (only from active), and disconnect', async () => {
      const id = randomUUID();
      await storeAccount(suite.db.store, accountRow(id), write('integrated_account.connected'));
      const patch = {
        status: 'needs_reauth' as const,
        updated_at: NOW,
        ifStatus: 'active' as const,
        outbox: write('integrated_account.needs_reauth'),
      };
      expect((await suite.db.store.updateAccount(id, patch))?.status).toBe('needs_reauth');
      expect(await suite.db.store.updateAccount(id, patch)).toBeUndefined();
      expect(
        await suite.db.store.disconnectAccount(id, NOW, write('integrated_account.disconnected')),
      ).toBe(true);
      expect(
        await suite.db.store.disconnectAccount(id, NOW, write('integrated_account.disconnected')),
      ).toBe(false);
      expect(await types(id)).toEqual([
        ['integrated_account.connected', 'active'],
        ['integrated_account.needs_reauth', 'needs_reauth'],
        ['integrated_account.disconnected', 'disconnected'],
      ]);
    });

    it('writes nothing when the event cannot be written (the change rolls back with it)', async () => {
      const id = randomUUID();
      await storeAccount(suite.db.store, accountRow(id));
      const broken = {
        deliver: true,
        events: () => [event(id), { ...event(id), id: 'evt_dup' }, { ...event(id), id: 'evt_dup' }],
      };
      await expect(
        suite.db.store.updateAccount(id, {
          status: 'needs_reauth',
          updated_at: NOW,
          outbox: broken,
        }),
      ).rejects.toThrow();
      expect((await suite.db.store.getAccount(id))?.status).toBe('active');
      expect(await types(id)).toEqual([]);
    });
  });

  describe('sync hooks', () => {
    it('finds an account by its hook id, rotates it, and forgets it on disconnect', async () => {
      const row = accountRow(randomUUID());
      await storeAccount(suite.db.store, row);
      expect((await suite.db.store.getAccountBySyncHook(row.sync_hook_id!))?.id).toBe(row.id);
      const rotated = await suite.db.store.setSyncHook(row.id, 'hk_new_one_for_test', NOW);
      expect(rotated?.sync_hook_id).toBe('hk_new_one_for_test');
      expect(await suite.db.store.getAccountBySyncHook(row.sync_hook_id!)).toBeUndefined();
      await suite.db.store.disconnectAccount(row.id, NOW);
      expect(await suite.db.store.getAccountBySyncHook('hk_new_one_for_test')).toBeUndefined();
      expect((await suite.db.store.getAccount(row.id))?.sync_hook_id).toBeNull();
      expect(await suite.db.store.setSyncHook(row.id, 'hk_again', NOW)).toBeUndefined();
    });
  });

  describe('audit trail', () => {
    it('lists newest first, pages by seq, and refuses UPDATE and DELETE', async () => {
      const a = await suite.account();
      for (const action of ['connect', 'verify', 'sync'])
        await suite.store.appendAudit({
          account_id: a,
          at: NOW,
          actor: 'scheduler',
          action,
          detail: { n: action },
        });
      const all = await suite.store.listAudit(a, undefined, 10);
      expect(all.map((r) => r.action)).toEqual(['sync', 'verify', 'connect']);
      expect(all[0]?.detail).toEqual({ n: 'sync' });
      expect((await suite.store.listAudit(a, all[0]!.seq, 1)).map((r) => r.action)).toEqual([
        'verify',
      ]);
      await expect(suite.db.exec(`UPDATE lifecycle_audit SET actor = 'x'`)).rejects.toThrow(
        /append-only/,
      );
      await expect(suite.db.exec(`DELETE FROM lifecycle_audit`)).rejects.toThrow(/append-only/);
      expect(await suite.store.listAudit(a, undefined, 10)).toHaveLength(3);
    });
  });
});
