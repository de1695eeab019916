import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAccount, Store } from '../src/store/store.ts';
import { ENGINES } from './store-engines.ts';
import { storedAccount } from './stored-account.ts';

const NOW = 1_800_000_000_000;

const account = (overrides: Partial<StoredAccount> = {}) => storedAccount(overrides, NOW);

async function link(
  store: Store,
  hash = randomUUID(),
  accountId: string | null = null,
  expiresAt = NOW + 60_000,
) {
  await store.insertLinkToken({
    token_hash: hash,
    tenant_id: 'tenant-a',
    account_id: accountId,
    expires_at: expiresAt,
    used_at: null,
    created_at: NOW,
  });
  return hash;
}

/** Stores an account the way a first connect does: fresh link token, public token. */
async function stored(store: Store, a: StoredAccount, pt = publicToken(a.id)) {
  return store.completeLink({
    linkTokenHash: await link(store),
    now: NOW,
    account: a,
    reauth: false,
    publicToken: pt,
  });
}

function publicToken(accountId: string, expiresAt = NOW + 60_000) {
  return {
    token_hash: randomUUID(),
    account_id: accountId,
    expires_at: expiresAt,
    created_at: NOW,
  };
}

describe.each(ENGINES)('Store contract: $name', ({ scratch }) => {
  const db = scratch();
  let store: Store;
  beforeAll(async () => {
    store = db.open();
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('migrates idempotently: a second run changes no schema, version or data', async () => {
    const a = account();
    await stored(store, a);
    const snapshot = async () => ({
      schema: await db.schema(),
      versions: await db.rows('SELECT name, timestamp FROM kysely_migration ORDER BY name'),
      accounts: await db.rows('SELECT id, status, updated_at FROM accounts ORDER BY id'),
      tokens: await db.rows('SELECT token_hash, used_at FROM link_tokens ORDER BY token_hash'),
    });
    const before = await snapshot();
    expect(before.versions.map((v) => v['name'])).toEqual([
      '0001_initial',
      '0002_token_generation',
      '0003_lifecycle_events',
      '0004_idempotency_lease',
    ]);
    expect(before.accounts.map((r) => r['id'])).toContain(a.id);
    await store.migrate();
    await store.migrate();
    expect(await snapshot()).toEqual(before);
    expect(await store.getAccount(a.id)).toMatchObject({ id: a.id, status: 'active' });
  });

  it('stores a link token and reads it back by hash', async () => {
    const hash = await link(store);
    expect(await store.getLinkToken(hash)).toMatchObject({
      tenant_id: 'tenant-a',
      used_at: null,
      account_id: null,
    });
    expect(await store.getLinkToken('nope')).toBeUndefined();
  });

  it('completes a link once: burns the token, creates the account, stores the public token', async () => {
    const hash = await link(store);
    const a = account();
    const pt = publicToken(a.id);
    const first = await store.completeLink({
      linkTokenHash: hash,
      now: NOW,
      account: a,
      reauth: false,
      publicToken: pt,
    });
    expect(first.ok).toBe(true);
    if (first.ok) {
      expect(first.account).toMatchObject({ id: a.id, status: 'active', credential_kid: 'k1' });
      expect(Buffer.compare(first.account.credential as Buffer, a.credential as Buffer)).toBe(0);
    }
    expect((await store.getLinkToken(hash))?.used_at).toBe(NOW);
    const second = await store.completeLink({
      linkTokenHash: hash,
      now: NOW,
      account: account(),
      reauth: false,
      publicToken: publicToken(a.id),
    });
    expect(second).toEqual({ ok: false, reason: 'link_token_invalid' });
  });

  it('lets exactly one of two concurrent completions win', async () => {
    const hash = await link(store);
    const results = await Promise.all(
      [account(), account()].map((a) =>
        store.completeLink({
          linkTokenHash: hash,
          now: NOW,
          account: a,
          reauth: false,
          publicToken: publicToken(a.id),
        }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('refuses an expired link token', async () => {
    const hash = await link(store, randomUUID(), null, NOW - 1);
    const a = account();
    expect(
      await store.completeLink({
        linkTokenHash: hash,
        now: NOW,
        account: a,
        reauth: false,
        publicToken: publicToken(a.id),
      }),
    ).toEqual({
      ok: false,
      reason: 'link_token_invalid',
    });
    expect(await store.getAccount(a.id)).toBeUndefined();
  });

  it('re-credentials an account in place and leaves nothing half-written when it is gone', async () => {
    const original = account({ status: 'needs_reauth' });
    const h1 = await link(store);
    await store.completeLink({
      linkTokenHash: h1,
      now: NOW,
      account: original,
      reauth: false,
      publicToken: publicToken(original.id),
    });
    const h2 = await link(store, randomUUID(), original.id);
    const fresh = {
      ...original,
      status: 'active' as const,
      credential: randomBytes(40),
      credential_hint: 'wxyz',
      updated_at: NOW + 5,
    };
    const done = await store.completeLink({
      linkTokenHash: h2,
      now: NOW + 5,
      account: fresh,
      reauth: true,
      publicToken: publicToken(original.id),
    });
    expect(done.ok && done.account).toMatchObject({
      id: original.id,
      status: 'active',
      credential_hint: 'wxyz',
      created_at: NOW,
    });

    const ghost = account();
    const h3 = await link(store);
    const missing = await store.completeLink({
      linkTokenHash: h3,
      now: NOW,
      account: ghost,
      reauth: true,
      publicToken: publicToken(ghost.id),
    });
    expect(missing).toEqual({ ok: false, reason: 'account_missing' });
    expect((await store.getLinkToken(h3))?.used_at).toBeNull();
  });

  it('redeems a public token once and never after expiry', async () => {
    const a = account();
    const pt = publicToken(a.id);
    await stored(store, a, pt);
    expect(await store.redeemPublicToken(pt.token_hash, NOW)).toBe(a.id);
    expect(await store.redeemPublicToken(pt.token_hash, NOW)).toBeUndefined();
    const late = publicToken(a.id, NOW + 10);
    await store.completeLink({
      linkTokenHash: await link(store, randomUUID(), a.id),
      now: NOW,
      account: a,
      reauth: true,
      publicToken: late,
    });
    expect(await store.redeemPublicToken(late.token_hash, NOW + 11)).toBeUndefined();
  });

  it('lists accounts by tenant with a keyset cursor', async () => {
    const tenant = `t-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const a = account({ tenant_id: tenant });
      ids.push(a.id);
      await store.insertLinkToken({
        token_hash: `lt-${a.id}`,
        tenant_id: tenant,
        account_id: null,
        expires_at: NOW + 1000,
        used_at: null,
        created_at: NOW,
      });
      await store.completeLink({
        linkTokenHash: `lt-${a.id}`,
        now: NOW,
        account: a,
        reauth: false,
        publicToken: publicToken(a.id),
      });
    }
    ids.sort();
    const first = await store.listAccounts({ tenantId: tenant, limit: 3 });
    expect(first.map((a) => a.id)).toEqual(ids.slice(0, 3));
    const rest = await store.listAccounts({
      tenantId: tenant,
      afterId: first.at(-1)!.id,
      limit: 3,
    });
    expect(rest.map((a) => a.id)).toEqual(ids.slice(3));
  });

  it('patches only the given account fields', async () => {
    const a = account();
    await stored(store, a, publicToken(a.id));
    const mapped = await store.updateAccount(a.id, {
      field_mapping: { title: 'role_title' },
      updated_at: NOW + 1,
    });
    expect(mapped).toMatchObject({
      status: 'active',
      last_verified_at: NOW,
      field_mapping: { title: 'role_title' },
      updated_at: NOW + 1,
    });
    const marked = await store.updateAccount(a.id, { status: 'needs_reauth', updated_at: NOW + 2 });
    expect(marked).toMatchObject({
      status: 'needs_reauth',
      field_mapping: { title: 'role_title' },
    });
    expect(await store.updateAccount('missing', { updated_at: NOW })).toBeUndefined();
  });

  it('disconnects: destroys the credential and its public tokens, once', async () => {
    const a = account();
    const pt = publicToken(a.id);
    await stored(store, a, pt);
    expect(await store.disconnectAccount(a.id, NOW + 1)).toBe(true);
    expect(await store.getAccount(a.id)).toMatchObject({
      status: 'disconnected',
      credential: null,
      credential_kid: null,
    });
    expect(await store.redeemPublicToken(pt.token_hash, NOW)).toBeUndefined();
    expect(await store.disconnectAccount(a.id, NOW + 2)).toBe(false);
  });

  it('moves the token generation on disconnect, and keeps it when the account is reconnected', async () => {
    const a = account();
    await stored(store, a);
    expect((await store.getAccount(a.id))?.token_generation).toBe(0);
    await store.disconnectAccount(a.id, NOW + 1);
    expect((await store.getAccount(a.id))?.token_generation).toBe(1);
    // A second DELETE of a disconnected account changes nothing.
    await store.disconnectAccount(a.id, NOW + 2);
    expect((await store.getAccount(a.id))?.token_generation).toBe(1);
    // Re-authentication brings the account back under the moved generation, whatever
    // generation the caller's row carried.
    const back = await store.completeLink({
      linkTokenHash: await link(store, randomUUID(), a.id),
      now: NOW + 3,
      account: { ...a, credential: randomBytes(40), updated_at: NOW + 3, token_generation: 0 },
      reauth: true,
      publicToken: publicToken(a.id),
    });
    expect(back.ok && back.account).toMatchObject({ status: 'active', token_generation: 1 });
    await store.disconnectAccount(a.id, NOW + 4);
    expect((await store.getAccount(a.id))?.token_generation).toBe(2);
  });

  it('lists credentials for rotation and swaps them only from the expected key', async () => {
    const a = account({ credential_kid: 'old-kid' });
    await stored(store, a, publicToken(a.id));
    const pending = await store.listCredentialsNotSealedWith('new-kid', '', 1000);
    expect(pending.map((r) => r.id)).toContain(a.id);
    expect(await store.credentialKeyIds()).toContain('old-kid');
    const blob = randomBytes(30);
    expect(
      await store.replaceCredential(a.id, 'wrong-kid', { kid: 'new-kid', credential: blob }),
    ).toBe(false);
    expect(
      await store.replaceCredential(a.id, 'old-kid', { kid: 'new-kid', credential: blob }),
    ).toBe(true);
    expect((await store.getAccount(a.id))?.credential_kid).toBe('new-kid');
    expect(
      (await store.listCredentialsNotSealedWith('new-kid', '', 1000)).map((r) => r.id),
    ).not.toContain(a.id);
  });

  it('reserves, completes and releases idempotency keys', async () => {
    const a = account();
    await stored(store, a, publicToken(a.id));
    const row = {
      account_id: a.id,
      key: 'k-1',
      request_hash: 'h1',
      created_at: NOW,
      holder: 'first',
      lease_until: NOW + 60_000,
    };
    expect(await store.reserveIdempotency(row, NOW)).toEqual({ claimed: true });
    expect(await store.reserveIdempotency({ ...row, holder: 'second' }, NOW)).toMatchObject({
      claimed: false,
      record: { status: 0, request_hash: 'h1', holder: 'first', sent_at: null },
    });
    // Another holder's answer is not stored over the holder's.
    await store.completeIdempotency(a.id, 'k-1', 500, '{}', 'second');
    expect(await store.getIdempotency(a.id, 'k-1')).toMatchObject({ status: 0 });
    await store.completeIdempotency(a.id, 'k-1', 201, '{"ok":true}', 'first');
    expect(await store.getIdempotency(a.id, 'k-1')).toMatchObject({
      status: 201,
      response: '{"ok":true}',
    });
    await store.releaseIdempotency(a.id, 'k-1');
    expect(await store.getIdempotency(a.id, 'k-1')).toBeDefined();
    await store.reserveIdempotency({ ...row, key: 'k-2' }, NOW);
    await store.releaseIdempotency(a.id, 'k-2', 'someone else');
    expect(await store.getIdempotency(a.id, 'k-2')).toBeDefined();
    await store.releaseIdempotency(a.id, 'k-2', 'first');
    expect(await store.getIdempotency(a.id, 'k-2')).toBeUndefined();
  });

  it('leases idempotency keys: renewed by the holder, taken over once lapsed, with when the write was sent', async () => {
    const a = account();
    await stored(store, a, publicToken(a.id));
    const row = {
      account_id: a.id,
      key: 'k-lease',
      request_hash: 'h1',
      created_at: NOW,
      holder: 'dead',
      lease_until: NOW + 100,
    };
    expect(await store.reserveIdempotency(row, NOW)).toEqual({ claimed: true });
    expect(
      await store.renewIdempotency(a.id, 'k-lease', 'dead', {
        lease_until: NOW + 200,
        sent_at: NOW + 5,
      }),
    ).toBe(true);
    expect(await store.renewIdempotency(a.id, 'k-lease', 'other', { lease_until: NOW + 999 })).toBe(
      false,
    );
    // Still leased at NOW + 150: not taken.
    expect(
      await store.reserveIdempotency(
        { ...row, holder: 'retry', lease_until: NOW + 400 },
        NOW + 150,
      ),
    ).toMatchObject({ claimed: false, record: { holder: 'dead' } });
    // A different request never takes the key over, lapsed or not.
    expect(
      await store.reserveIdempotency({ ...row, request_hash: 'h2', holder: 'x' }, NOW + 300),
    ).toMatchObject({ claimed: false, record: { holder: 'dead' } });
    // Lapsed: the retry takes it over and learns the write was sent; the dead holder is out.
    expect(
      await store.reserveIdempotency(
        { ...row, holder: 'retry', lease_until: NOW + 900 },
        NOW + 300,
      ),
    ).toMatchObject({ claimed: true, previous: { holder: 'dead', sent_at: NOW + 5 } });
    expect(await store.renewIdempotency(a.id, 'k-lease', 'dead', { lease_until: NOW + 999 })).toBe(
      false,
    );
    expect(
      await store.reserveIdempotency(
        { ...row, holder: 'third', lease_until: NOW + 999 },
        NOW + 300,
      ),
    ).toMatchObject({ claimed: false, record: { holder: 'retry', sent_at: NOW + 5 } });
    await store.completeIdempotency(a.id, 'k-lease', 201, '{}', 'retry');
    // An answered key is replayed, never taken over, however old.
    expect(
      await store.reserveIdempotency({ ...row, holder: 'late' }, NOW + 10_000_000),
    ).toMatchObject({ claimed: false, record: { status: 201 } });
  });

  it('purges expired link tokens, expired public tokens and old idempotency records', async () => {
    const a = account();
    const expiring = publicToken(a.id, NOW + 5);
    const lasting = publicToken(a.id, NOW + 60_000);
    await stored(store, a, expiring);
    await store.completeLink({
      linkTokenHash: await link(store, randomUUID(), a.id),
      now: NOW,
      account: a,
      reauth: true,
      publicToken: lasting,
    });
    const oldLink = await link(store, randomUUID(), null, NOW + 5);
    const newLink = await link(store, randomUUID(), null, NOW + 60_000);
    const key = {
      account_id: a.id,
      request_hash: 'h',
      created_at: NOW,
      holder: 'h',
      lease_until: 0,
    };
    await store.reserveIdempotency({ ...key, key: 'old' }, NOW);
    await store.reserveIdempotency({ ...key, key: 'new', created_at: NOW + 9 }, NOW);

    await store.purgeExpired(NOW + 10, 5);

    expect(await store.getLinkToken(oldLink)).toBeUndefined();
    expect(await store.getLinkToken(newLink)).toBeDefined();
    expect(await store.getIdempotency(a.id, 'old')).toBeUndefined();
    expect(await store.getIdempotency(a.id, 'new')).toBeDefined();
    // Redeeming reads past expiry too, so this proves the expired row is gone, not refused.
    expect(await store.redeemPublicToken(expiring.token_hash, NOW)).toBeUndefined();
    expect(await store.redeemPublicToken(lasting.token_hash, NOW)).toBe(a.id);
  });
});
