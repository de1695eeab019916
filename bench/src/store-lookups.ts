/**
 * The store's hot reads (every account-token request reads its account; every write
 * with an Idempotency-Key reads its key) through the broker's SqliteStore, against the
 * same SELECT on a raw, already-prepared better-sqlite3 statement: the cost of the
 * query builder and the async interface. See docs/decisions/0030-one-store-over-kysely.md.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '@nerm-connect/broker';

const ACCOUNTS = 200;

async function perSecond(rounds: number, fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < rounds / 10; i++) await fn(i);
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await fn(i);
  return rounds / ((performance.now() - start) / 1000);
}

export async function storeLookups(rounds = 20_000): Promise<string[][]> {
  const file = join(mkdtempSync(join(tmpdir(), 'nerm-bench-store-')), 'store.db');
  const store = new SqliteStore(file);
  await store.migrate();
  const ids: string[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const id = randomUUID();
    const linkTokenHash = randomUUID();
    ids.push(id);
    await store.insertLinkToken({
      token_hash: linkTokenHash,
      tenant_id: 'bench',
      account_id: null,
      expires_at: Date.now() + 60_000,
      used_at: null,
      created_at: Date.now(),
    });
    await store.completeLink({
      linkTokenHash,
      now: Date.now(),
      reauth: false,
      account: {
        id,
        tenant_id: 'bench',
        tenant_host: 'acme.nonemployee.com',
        tenant_origin: 'https://acme.nonemployee.com',
        auth_type: 'api_key',
        status: 'active',
        credential_kid: 'k1',
        credential: randomBytes(64),
        credential_hint: 'abcd',
        field_mapping: { title: 'role_title' },
        created_at: Date.now(),
        updated_at: Date.now(),
        last_verified_at: Date.now(),
        token_generation: 0,
        sync_hook_id: `hk_${randomUUID()}`,
      },
      publicToken: {
        token_hash: randomUUID(),
        account_id: id,
        expires_at: Date.now() + 60_000,
        created_at: Date.now(),
      },
    });
  }
  const raw = new Database(file, { readonly: true });
  const account = raw.prepare('SELECT * FROM accounts WHERE id = ?');
  const key = raw.prepare('SELECT * FROM idempotency_keys WHERE account_id = ? AND key = ?');
  const id = (i: number) => ids[i % ACCOUNTS] as string;
  const rawAccount = await perSecond(rounds, (i) => {
    const row = account.get(id(i)) as { field_mapping: string };
    return JSON.parse(row.field_mapping);
  });
  const storeAccount = await perSecond(rounds, (i) => store.getAccount(id(i)));
  const rawKey = await perSecond(rounds, (i) => key.get(id(i), 'missing'));
  const storeKey = await perSecond(rounds, (i) => store.getIdempotency(id(i), 'missing'));
  raw.close();
  await store.close();
  const n = (v: number) => Math.round(v).toLocaleString('en');
  const µs = (v: number) => `${(1e6 / v).toFixed(1)} µs`;
  return [
    ['lookup', 'raw prepared (per s)', 'SqliteStore (per s)', 'store cost vs raw', 'per call'],
    [
      'account by id',
      n(rawAccount),
      n(storeAccount),
      `${(rawAccount / storeAccount).toFixed(2)}×`,
      µs(storeAccount),
    ],
    ['idempotency key', n(rawKey), n(storeKey), `${(rawKey / storeKey).toFixed(2)}×`, µs(storeKey)],
  ];
}
