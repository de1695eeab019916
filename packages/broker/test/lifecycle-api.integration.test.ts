import type { Sandbox } from '@nerm-connect/nerm-sandbox';
import { createAdmin } from '@nerm-connect/shared/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './helpers.ts';
import { brokerStores } from './lifecycle-engines.ts';
import { startLifecycleStack, type LifecycleStack } from './lifecycle-stack.ts';
import type { ReadmeReceiver } from './readme-receiver.ts';
import { activeWorkers, NO_CHANGES, until as waitUntil } from './waiting.ts';

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;

describe.each(brokerStores('lifecycle_api'))(
  'lifecycle events through the broker on $name',
  ({ databaseUrl, drop }) => {
    let sandbox: Sandbox;
    let receiver: ReadmeReceiver;
    let stack: Stack;
    let lifecycle: LifecycleStack | undefined;
    let accountId: string;

    const until = <T>(check: Parameters<typeof waitUntil<T>>[0], what: string) =>
      waitUntil(check, what, { tries: 400, stepMs: 25 });

    async function feed(query = '') {
      const res = await stack.admin(`/events?integrated_account_id=${accountId}&limit=500${query}`);
      expect(res.status).toBe(200);
      return res.body.result as any[];
    }

    const activePerson = (i: number) => activeWorkers(sandbox)[i]!;

    beforeAll(async () => {
      lifecycle = await startLifecycleStack({
        persons: 200,
        secret: SECRET,
        databaseUrl,
        env: { NERM_BROKER_PUBLIC_URL: 'https://broker.example.com' },
      });
      ({ sandbox, receiver, stack } = lifecycle);
      ({ accountId } = await stack.connectAccount());
    });
    afterAll(async () => {
      await lifecycle?.close();
      await drop();
    });

    it('shows an unguessable sync_hook_url on the account and emits integrated_account.connected', async () => {
      const account = await stack.admin(`/integrated-accounts/${accountId}`);
      expect(account.body.sync_hook_url).toMatch(
        /^https:\/\/broker\.example\.com\/hooks\/nerm\/hk_[A-Za-z0-9_-]{27}$/,
      );
      const events = await feed();
      expect(events.map((e) => e.type)).toEqual(['integrated_account.connected']);
      expect(events[0].data.integrated_account).toMatchObject({ id: accountId, status: 'active' });
      await until(
        () => events[0] && receiver.answers.some((a) => a.id === events[0].id),
        'delivery',
      );
    });

    it('records a silent baseline, then delivers a termination verified and once', async () => {
      const baseline = await stack.admin(`/integrated-accounts/${accountId}/sync`, {
        method: 'POST',
      });
      expect(baseline.status).toBe(200);
      expect(baseline.body).toEqual(NO_CHANGES);
      expect((await feed()).filter((e) => e.type.startsWith('user.'))).toEqual([]);

      const p = activePerson(0);
      sandbox.admin.terminate(p.id);
      const synced = await stack.admin(`/integrated-accounts/${accountId}/sync`, {
        method: 'POST',
      });
      expect(synced.body).toMatchObject({ deactivated: 1, created: 0, updated: 0 });
      const [event] = (await feed('&type=user.deactivated')) as any[];
      expect(event).toMatchObject({
        type: 'user.deactivated',
        integrated_account_id: accountId,
        data: { user: { id: p.id, status: 'deleted' }, previous: { status: 'active' } },
      });
      await until(
        () => receiver.revoked.some((r) => r.id === p.id),
        'the README receiver to revoke',
      );
      const after = await until(async () => {
        const [e] = await feed('&type=user.deactivated');
        return e.delivery.status === 'delivered' && e;
      }, 'the feed to show the delivery');
      expect(after.delivery).toMatchObject({
        status: 'delivered',
        attempts: 1,
        failures: 0,
        last_error: null,
      });
      expect(receiver.revoked.filter((r) => r.id === p.id)).toHaveLength(1);
    });

    it('pages the feed with opaque cursors and refuses forged ones and unknown filters', async () => {
      const all = await feed();
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await stack.admin(
          `/events?integrated_account_id=${accountId}&limit=1${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        walked.push(...res.body.result.map((e: { id: string }) => e.id));
        cursor = res.body.next_cursor;
        if (cursor) expect(res.headers.get('link')).toContain('rel="next"');
      } while (cursor);
      expect(walked).toEqual(all.map((e) => e.id));
      const first = await stack.admin(`/events?integrated_account_id=${accountId}&limit=1`);
      const forged = `${first.body.next_cursor}x`;
      expect(
        (await stack.admin(`/events?next_cursor=${encodeURIComponent(forged)}`)).body.error.code,
      ).toBe('invalid_cursor');
      // A cursor of one filter is refused with another.
      expect(
        (
          await stack.admin(
            `/events?type=user.created&next_cursor=${encodeURIComponent(first.body.next_cursor)}`,
          )
        ).body.error.code,
      ).toBe('invalid_cursor');
      expect((await stack.admin('/events?type=user.exploded')).status).toBe(400);
      expect((await stack.call('/events')).status).toBe(401);
    });

    it('finds a deleted profile only with mode=full, through the SDK', async () => {
      const admin = createAdmin({ brokerUrl: stack.url, apiKey: stack.apiKey });
      const gone = activePerson(1);
      sandbox.admin.remove(gone.id);
      expect(await admin.accounts.sync(accountId)).toMatchObject({ removed: 0 });
      expect(await admin.accounts.sync(accountId, { mode: 'full' })).toMatchObject({ removed: 1 });
      const types: string[] = [];
      for await (const event of admin.events.list({ integrated_account_id: accountId, limit: 2 }))
        types.push(event.type);
      expect(types.filter((t) => t === 'user.removed')).toHaveLength(1);
    });

    it('syncs one profile at once from the NERM hook, and refuses unknown and rotated hooks', async () => {
      const hookUrl = (await stack.admin(`/integrated-accounts/${accountId}`)).body
        .sync_hook_url as string;
      const path = new URL(hookUrl).pathname;
      const p = activePerson(2);
      const oldName = p.name;
      sandbox.admin.rename(p.id, 'Hooked Person');
      const walks = sandbox.stats.route('GET /api/profiles');
      const accepted = await stack.call(path, { method: 'POST', json: { profile_id: p.id } });
      expect(accepted.status).toBe(202);
      expect(accepted.body).toEqual({ status: 'accepted' });
      const event = await until(async () => {
        const events = await feed('&type=user.updated');
        return events.find((e) => e.data.user.id === p.id && e.delivery.status === 'delivered');
      }, 'the hooked profile to be delivered');
      expect(event.data.previous.name).toBe(oldName);
      expect(event.data.user.name).toBe('Hooked Person');
      // That profile alone: no walk of the tenant (the scheduler is off here; with it on,
      // no sync is due either).
      const hooked = await until(async () => {
        const audit = await stack.admin(`/integrated-accounts/${accountId}/audit?limit=5`);
        return audit.body.result.find(
          (e: { action: string; actor: string }) => e.action === 'sync' && e.actor === 'nerm_hook',
        );
      }, 'the hook sync in the audit trail');
      expect(hooked.detail).toMatchObject({ mode: 'profiles', updated: 1 });
      expect(sandbox.stats.route('GET /api/profiles')).toBe(walks);
      expect((await stack.call(path, { method: 'POST' })).status).toBe(202);
      expect(
        (await stack.call('/hooks/nerm/hk_not_a_real_hook_id', { method: 'POST' })).status,
      ).toBe(404);
      expect((await stack.call(path, { method: 'POST', body: 'not json' })).status).toBe(400);

      const rotated = await stack.admin(`/integrated-accounts/${accountId}/sync-hook`, {
        method: 'POST',
      });
      expect(rotated.status).toBe(200);
      expect(rotated.body.sync_hook_url).not.toBe(hookUrl);
      expect((await stack.call(path, { method: 'POST' })).status).toBe(404);
      expect(
        (await stack.call(new URL(rotated.body.sync_hook_url).pathname, { method: 'POST' })).status,
      ).toBe(202);
    });

    it('rate-limits a hook with 429 and Retry-After, never a 5xx', async () => {
      const hookUrl = (await stack.admin(`/integrated-accounts/${accountId}`)).body
        .sync_hook_url as string;
      const path = new URL(hookUrl).pathname;
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 70; i++) {
        const res = await stack.call(path, { method: 'POST' });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    });

    it('keeps an append-only audit trail of who did what, without secrets, also as CSV', async () => {
      const res = await stack.admin(`/integrated-accounts/${accountId}/audit?limit=500`);
      expect(res.status).toBe(200);
      const entries = res.body.result as {
        id: string;
        at: string;
        actor: string;
        action: string;
      }[];
      const ids = entries.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      const seen = new Set(entries.map((e) => `${e.action} ${e.actor.replace(/:.*/, ':')}`));
      for (const expected of [
        'connected link_token',
        'token_minted api_key:',
        'sync api_key:',
        'hook_called nerm_hook',
        'sync_hook_rotated api_key:',
      ])
        expect(seen).toContain(expected);
      const apiKeyActor = entries.find((e) => e.actor.startsWith('api_key:'))!.actor;
      expect(apiKeyActor).toMatch(/^api_key:[0-9a-f]{6}$/);
      const sync = entries.find((e) => e.action === 'sync') as unknown as { detail: object };
      expect(sync.detail).toMatchObject({
        mode: expect.any(String),
        deactivated: expect.any(Number),
      });

      const csv = await stack.admin(`/integrated-accounts/${accountId}/audit?format=csv&limit=500`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).toBe('id,at,actor,action,detail');
      expect(lines).toHaveLength(entries.length + 1);
      for (const secret of [stack.apiKey, sandbox.credentials.apiKey])
        expect(res.text + csv.text).not.toContain(secret);
      expect((await stack.admin('/integrated-accounts/nope/audit')).status).toBe(404);
    });

    it('emits needs_reauth once when NERM refuses the credential, and reauthenticated after repair', async () => {
      sandbox.rotateCredentials();
      const first = await stack.admin(`/integrated-accounts/${accountId}/sync`, { method: 'POST' });
      expect(first.status).toBe(409);
      expect(first.body.error.code).toBe('account_needs_reauth');
      const again = await stack.admin(`/integrated-accounts/${accountId}/sync`, { method: 'POST' });
      expect(again.body.error.code).toBe('account_needs_reauth');
      await stack.admin(`/integrated-accounts/${accountId}/verify`, { method: 'POST' });
      const reauth = (await feed('&type=integrated_account.needs_reauth')) as any[];
      expect(reauth).toHaveLength(1);
      expect(reauth[0].data.integrated_account.status).toBe('needs_reauth');

      const { tenant_id } = (await stack.admin(`/integrated-accounts/${accountId}`)).body;
      const link = await stack.linkToken(tenant_id, accountId);
      const repaired = await stack.connect(link);
      expect(repaired.status).toBe(201);
      const back = (await feed('&type=integrated_account.reauthenticated')) as any[];
      expect(back.map((e) => e.data.integrated_account.status)).toEqual(['active']);
      const synced = await stack.admin(`/integrated-accounts/${accountId}/sync`, {
        method: 'POST',
      });
      expect(synced.status).toBe(200);
    });

    it('emits disconnected, after which the hook is gone and syncs are refused', async () => {
      // A fresh hook id: the one before is still inside its rate-limit window.
      const rotated = await stack.admin(`/integrated-accounts/${accountId}/sync-hook`, {
        method: 'POST',
      });
      const hookUrl = rotated.body.sync_hook_url as string;
      expect(
        (await stack.admin(`/integrated-accounts/${accountId}`, { method: 'DELETE' })).status,
      ).toBe(204);
      const gone = (await feed('&type=integrated_account.disconnected')) as any[];
      expect(gone).toHaveLength(1);
      expect(gone[0].data.integrated_account).toMatchObject({
        status: 'disconnected',
        sync_hook_url: null,
      });
      const dead = await stack.call(new URL(hookUrl).pathname, { method: 'POST' });
      expect([dead.status, dead.body.error.code]).toEqual([404, 'not_found']);
      const sync = await stack.admin(`/integrated-accounts/${accountId}/sync`, { method: 'POST' });
      expect(sync.body.error.code).toBe('account_disconnected');
      const audit = await stack.admin(`/integrated-accounts/${accountId}/audit?limit=1`);
      expect(audit.body.result[0].action).toBe('disconnected');
    });
  },
);
