import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAccount, Store } from '../src/store/store.ts';
import { ENGINES } from './store-engines.ts';
import { storedAccount } from './stored-account.ts';

// Issue 8, finding 4 (docs/security.md, "Findings and fixes"): after a re-authentication
// in place the previous credential's ciphertext stayed in the SQLite WAL and in a dead
// PostgreSQL tuple; a SQLite reader made the WAL checkpoint fail without a word.

const NOW = 1_800_000_000_000;

const account = () =>
  storedAccount({ tenant_id: 'tenant-residue', credential: randomBytes(64) }, NOW);

async function connect(store: Store, a: StoredAccount, reauth: boolean) {
  const hash = randomUUID();
  await store.insertLinkToken({
    token_hash: hash,
    tenant_id: a.tenant_id,
    account_id: reauth ? a.id : null,
    expires_at: NOW + 60_000,
    used_at: null,
    created_at: NOW,
  });
  const outcome = await store.completeLink({
    linkTokenHash: hash,
    now: NOW,
    account: a,
    reauth,
    publicToken: {
      token_hash: randomUUID(),
      account_id: a.id,
      expires_at: NOW + 60_000,
      created_at: NOW,
    },
  });
  expect(outcome.ok).toBe(true);
}

describe.each(ENGINES)('ciphertext residue: $name', ({ name, scratch }) => {
  // A database of its own: other suites' transactions in the shared one would keep the
  // dead row version visible to them, and VACUUM would rightly leave it.
  const db = scratch({ ownDatabase: true });
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  let store: Store;
  beforeAll(async () => {
    await db.ready();
    store = db.open({ log: { warn: (fields, message) => warnings.push({ fields, message }) } });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('re-authentication in place leaves no copy of the previous ciphertext', async () => {
    const first = account();
    await connect(store, first, false);
    const old = first.credential as Buffer;
    expect(await db.holds('accounts', old)).toBe(true);

    const replaced = { ...first, credential: randomBytes(64), updated_at: NOW + 1 };
    await connect(store, replaced, true);
    expect(await db.holds('accounts', replaced.credential as Buffer)).toBe(true);
    expect(await db.holds('accounts', old)).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('disconnect leaves no copy of the ciphertext', async () => {
    const a = account();
    await connect(store, a, false);
    expect(await store.disconnectAccount(a.id, NOW + 1)).toBe(true);
    expect(await db.holds('accounts', a.credential as Buffer)).toBe(false);
  });

  it.runIf(name === 'sqlite')(
    'says so when a reader keeps the WAL from being checkpointed, and scrubs at the next housekeeping',
    async () => {
      const a = account();
      await connect(store, a, false);
      const reader = db.reader!();
      try {
        expect(await store.disconnectAccount(a.id, NOW + 1)).toBe(true);
      } finally {
        reader.release();
      }
      // The write-ahead log still holds the ciphertext, and the log says why.
      expect(await db.holds('accounts', a.credential as Buffer)).toBe(true);
      expect(warnings).toEqual([
        {
          fields: expect.objectContaining({ store: 'sqlite', after: 'disconnect', attempts: 4 }),
          message: expect.stringContaining('WAL'),
        },
      ]);
      await store.purgeExpired(NOW + 2, 24 * 3600_000);
      expect(await db.holds('accounts', a.credential as Buffer)).toBe(false);
      expect(warnings).toHaveLength(1);
    },
  );
});
