import { createHash } from 'node:crypto';
import type { Sandbox } from '@nerm-connect/nerm-sandbox';
import { createAdmin, NermConnectError } from '@nerm-connect/shared/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './helpers.ts';
import { brokerStores } from './lifecycle-engines.ts';
import { startLifecycleStack, type LifecycleStack } from './lifecycle-stack.ts';
import type { ReadmeReceiver } from './readme-receiver.ts';
import { activeWorkers, NO_CHANGES, until as waitUntil } from './waiting.ts';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

const until = <T>(check: Parameters<typeof waitUntil<T>>[0], what: string) =>
  waitUntil(check, what, { tries: 1_500 });

describe.each(brokerStores('lifecycle_feed'))(
  'the event feed and the audit trail on $name',
  ({ databaseUrl, drop }) => {
    let sandbox: Sandbox;
    let receiver: ReadmeReceiver;
    let stack: Stack;
    let lifecycle: LifecycleStack | undefined;
    let one: { accountId: string; token: string };
    let two: { accountId: string; token: string };

    const sync = (id: string, mode = '') =>
      stack.admin(`/integrated-accounts/${id}/sync${mode ? `?mode=${mode}` : ''}`, {
        method: 'POST',
      });
    const events = async (query: string) => {
      const res = await stack.admin(`/events?limit=500&${query}`);
      expect(res.status).toBe(200);
      return res.body.result as {
        id: string;
        type: string;
        integrated_account_id: string;
        data: { user?: { id: string } };
        delivery: Record<string, unknown>;
      }[];
    };
    const active = () => activeWorkers(sandbox);

    beforeAll(async () => {
      lifecycle = await startLifecycleStack({ persons: 80, secret: SECRET, databaseUrl });
      ({ sandbox, receiver, stack } = lifecycle);
      one = await stack.connectAccount();
      two = await stack.connectAccount();
      for (const { accountId } of [one, two])
        expect((await sync(accountId)).body).toEqual(NO_CHANGES);
    });
    afterAll(async () => {
      await lifecycle?.close();
      await drop();
    });

    it('filters the feed by account and by type, and refuses what it cannot answer', async () => {
      const person = active()[0]!;
      sandbox.admin.terminate(person.id);
      for (const { accountId } of [one, two])
        expect((await sync(accountId)).body).toEqual({ ...NO_CHANGES, deactivated: 1 });

      const ofOne = await events(`integrated_account_id=${one.accountId}`);
      expect(ofOne.map((e) => e.type)).toEqual([
        'integrated_account.connected',
        'user.deactivated',
      ]);
      expect(new Set(ofOne.map((e) => e.integrated_account_id))).toEqual(new Set([one.accountId]));
      const deactivations = await events('type=user.deactivated');
      expect(deactivations.map((e) => [e.integrated_account_id, e.data.user!.id])).toEqual([
        [one.accountId, person.id],
        [two.accountId, person.id],
      ]);
      const both = await events(`integrated_account_id=${two.accountId}&type=user.deactivated`);
      expect(both.map((e) => e.id)).toEqual([deactivations[1]!.id]);
      const none = await stack.admin('/events?integrated_account_id=acc_nobody');
      expect([none.status, none.body.result, none.body.next_cursor]).toEqual([200, [], null]);

      for (const query of ['limit=501', 'limit=0', 'type=user.exploded', 'colour=red'])
        expect([query, (await stack.admin(`/events?${query}`)).body.error?.code]).toEqual([
          query,
          'invalid_request',
        ]);
      expect((await stack.call('/events', { token: one.token })).status).toBe(401);
      expect((await stack.call('/events', { token: 'nbk_not_a_key' })).status).toBe(401);
    });

    it('shows failed attempts and the last error per event while the receiver is down, then delivers it under the same id', async () => {
      receiver.down = true;
      const person = active()[0]!;
      sandbox.admin.terminate(person.id);
      expect((await sync(one.accountId)).body).toEqual({ ...NO_CHANGES, deactivated: 1 });
      const failing = await until(async () => {
        const [e] = (
          await events(`integrated_account_id=${one.accountId}&type=user.deactivated`)
        ).filter((x) => x.data.user!.id === person.id);
        return e && (e.delivery.failures as number) >= 1 && e;
      }, 'a failed attempt in the feed');
      expect(failing.delivery).toMatchObject({
        status: 'pending',
        last_error: 'HTTP 503',
        next_attempt_at: expect.any(String),
        delivered_at: null,
      });
      receiver.down = false;
      const delivered = await until(async () => {
        const [e] = await events(
          `integrated_account_id=${one.accountId}&type=user.deactivated`,
        ).then((all) => all.filter((x) => x.id === failing.id));
        return e?.delivery.status === 'delivered' && e;
      }, 'the retry to be delivered');
      expect(delivered.delivery).toMatchObject({
        failures: (delivered.delivery.attempts as number) - 1,
        last_error: 'HTTP 503',
        next_attempt_at: null,
        delivered_at: expect.any(String),
      });
      const statuses = receiver.answers.filter((a) => a.id === failing.id).map((a) => a.status);
      expect(statuses.at(-1)).toBe(204);
      expect(statuses.slice(0, -1).every((s) => s === 503)).toBe(true);
      expect(statuses.length).toBe(delivered.delivery.attempts);
    }, 60_000);

    it('records who did what to a connection, naming fields but never values or secrets', async () => {
      const { accountId, token } = one;
      const person = active()[0]!;
      expect(
        (await stack.admin(`/integrated-accounts/${accountId}/verify`, { method: 'POST' })).status,
      ).toBe(200);
      const minted = await stack.admin(`/integrated-accounts/${accountId}/tokens`, {
        method: 'POST',
      });
      const jti = JSON.parse(
        Buffer.from(minted.body.integrated_account_token.split('.')[1], 'base64url').toString(),
      ).jti as string;
      const patched = await stack.call(`/unified/user-directory/users/${person.id}`, {
        method: 'PATCH',
        token: minted.body.integrated_account_token,
        json: { title: 'Quartermaster-Secret-Title' },
      });
      expect(patched.status).toBe(200);
      const proxied = await stack.call(`/proxy/profiles/${person.id}`, {
        method: 'PATCH',
        token,
        json: { profile: { name: person.name } },
      });
      expect(proxied.status).toBe(200);
      await stack.admin(`/integrated-accounts/${two.accountId}/verify`, { method: 'POST' });
      // A failed sync, then a repair through a re-authentication link (of both accounts).
      sandbox.rotateCredentials();
      expect((await sync(accountId)).body.error.code).toBe('account_needs_reauth');
      const reauthLink = async (id: string) =>
        stack.linkToken((await stack.admin(`/integrated-accounts/${id}`)).body.tenant_id, id);
      const link = await reauthLink(accountId);
      expect((await stack.connect(link)).status).toBe(201);
      expect((await stack.connect(await reauthLink(two.accountId))).status).toBe(201);

      const res = await stack.admin(`/integrated-accounts/${accountId}/audit?limit=500`);
      const entries = res.body.result as {
        actor: string;
        action: string;
        detail: Record<string, unknown>;
      }[];
      const apiKey = `api_key:${createHash('sha256').update(stack.apiKey).digest('hex').slice(0, 6)}`;
      const find = (action: string) => entries.find((e) => e.action === action);
      expect(find('verified')).toMatchObject({ actor: apiKey, detail: { status: 'active' } });
      expect(find('token_minted')).toMatchObject({
        actor: apiKey,
        detail: { via: 'api_key', jti },
      });
      expect(find('user_updated')).toMatchObject({
        actor: `account_token:${jti}`,
        detail: { user_id: person.id, fields: ['title'] },
      });
      expect(find('proxy_write')).toMatchObject({
        detail: { method: 'PATCH', path: `/profiles/${person.id}`, status: 200 },
      });
      expect(find('proxy_write')!.actor).toMatch(/^account_token:/);
      expect(find('sync_failed')).toMatchObject({
        actor: apiKey,
        detail: { mode: 'incremental', error: 'account_needs_reauth' },
      });
      expect(find('reauth_link_created')).toMatchObject({ actor: apiKey });
      expect(find('reauthenticated')).toMatchObject({ actor: 'link_token' });
      // The other account's verify is not in this account's trail.
      expect(entries.filter((e) => e.action === 'verified')).toHaveLength(1);

      const csv = await stack.admin(`/integrated-accounts/${accountId}/audit?limit=500&format=csv`);
      const everything = res.text + csv.text;
      for (const secret of [
        stack.apiKey,
        token,
        minted.body.integrated_account_token,
        link,
        sandbox.credentials.apiKey,
        'Quartermaster-Secret-Title',
      ])
        expect(everything).not.toContain(secret);
    });

    it('pages the audit trail newest first with cursors bound to the account, through the SDK too', async () => {
      const admin = createAdmin({ brokerUrl: stack.url, apiKey: stack.apiKey });
      const all = (await stack.admin(`/integrated-accounts/${one.accountId}/audit?limit=500`)).body
        .result as { id: string }[];
      expect(all.length).toBeGreaterThan(4);
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await stack.admin(
          `/integrated-accounts/${one.accountId}/audit?limit=2${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.status).toBe(200);
        walked.push(...page.body.result.map((e: { id: string }) => e.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(walked).toEqual(all.map((e) => e.id));
      const viaSdk: string[] = [];
      for await (const entry of admin.accounts.audit(one.accountId, { limit: 3 }))
        viaSdk.push(entry.id);
      expect(viaSdk).toEqual(walked);

      const first = await stack.admin(`/integrated-accounts/${one.accountId}/audit?limit=1`);
      const next = encodeURIComponent(first.body.next_cursor);
      const elsewhere = await stack.admin(
        `/integrated-accounts/${two.accountId}/audit?next_cursor=${next}`,
      );
      expect([elsewhere.status, elsewhere.body.error.code]).toEqual([400, 'invalid_cursor']);
      const forged = await stack.admin(
        `/integrated-accounts/${one.accountId}/audit?next_cursor=${next}x`,
      );
      expect(forged.body.error.code).toBe('invalid_cursor');
      expect(
        (await stack.admin(`/integrated-accounts/${one.accountId}/audit?limit=501`)).status,
      ).toBe(400);
      expect(
        (await stack.admin(`/integrated-accounts/${one.accountId}/audit?format=xml`)).status,
      ).toBe(400);
      expect((await stack.call(`/integrated-accounts/${one.accountId}/audit`)).status).toBe(401);
      const missing = await admin.accounts
        .audit('acc_missing')
        .toArray()
        .catch((e: unknown) => e);
      expect((missing as NermConnectError).code).toBe('not_found');
    });

    it('rotates the sync hook through the SDK: the old URL is gone at once, the new one works', async () => {
      const admin = createAdmin({ brokerUrl: stack.url, apiKey: stack.apiKey });
      const before = await admin.accounts.get(two.accountId);
      const after = await admin.accounts.rotateSyncHook(two.accountId);
      expect(after.sync_hook_url).not.toBe(before.sync_hook_url);
      expect(after.sync_hook_url).toMatch(/\/hooks\/nerm\/hk_[A-Za-z0-9_-]{27}$/);
      const old = await stack.call(new URL(before.sync_hook_url!).pathname, { method: 'POST' });
      expect([old.status, old.body.error.code]).toEqual([404, 'not_found']);
      const fresh = await stack.call(new URL(after.sync_hook_url!).pathname, {
        method: 'POST',
        json: { profile_id: active()[0]!.id },
      });
      expect(fresh.status).toBe(202);
      const unknown = await admin.accounts.rotateSyncHook('acc_missing').catch((e: unknown) => e);
      expect((unknown as NermConnectError).code).toBe('not_found');
      const bad = await stack.call(new URL(after.sync_hook_url!).pathname, {
        method: 'POST',
        json: { profile_id: 42 },
      });
      expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
      const huge = await stack.call(new URL(after.sync_hook_url!).pathname, {
        method: 'POST',
        json: { profile_id: 'x'.repeat(10_000) },
      });
      expect([huge.status, huge.body.error.code]).toEqual([413, 'payload_too_large']);
    });

    it('answers a sync of an unknown account, a bad mode and a disconnected account with their codes, also through the SDK', async () => {
      const admin = createAdmin({ brokerUrl: stack.url, apiKey: stack.apiKey });
      expect((await sync('acc_missing')).status).toBe(404);
      expect((await sync(two.accountId, 'everything')).body.error.code).toBe('invalid_request');
      expect(await admin.accounts.sync(two.accountId, { mode: 'full' })).toEqual(
        expect.objectContaining({ removed: 0 }),
      );
      await admin.accounts.delete(two.accountId);
      const gone = await admin.accounts.sync(two.accountId).catch((e: unknown) => e);
      expect(gone).toBeInstanceOf(NermConnectError);
      expect([(gone as NermConnectError).code, (gone as NermConnectError).status]).toEqual([
        'account_disconnected',
        410,
      ]);
    });
  },
);
