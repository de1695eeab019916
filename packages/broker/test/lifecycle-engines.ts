import { randomBytes, randomUUID } from 'node:crypto';
import type { AccountStatus } from '@nerm-connect/shared';
import type { LifecycleStore } from '../src/lifecycle/lifecycle-store.ts';
import type { StoredAccount, Store } from '../src/store/store.ts';
import pg from 'pg';
import { POSTGRES_URL } from './helpers.ts';
import { ENGINES } from './store-engines.ts';
import { storedAccount } from './stored-account.ts';

/** A migrated store of one engine, for the lifecycle suites. */
export interface LifecycleScratch {
  store: Store;
  lifecycle: LifecycleStore;
  /** Stores an account as a first connect does, then gives it `status`. */
  addAccount(id?: string, status?: AccountStatus): Promise<string>;
  exec(text: string): Promise<void>;
  rows(text: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export const accountRow = (id: string, now = Date.now()): StoredAccount =>
  storedAccount({ id }, now);

export async function storeAccount(
  store: Store,
  account: StoredAccount,
  outbox?: Parameters<Store['completeLink']>[0]['outbox'],
): Promise<StoredAccount> {
  const now = Date.now();
  const linkTokenHash = randomUUID();
  await store.insertLinkToken({
    token_hash: linkTokenHash,
    tenant_id: account.tenant_id,
    account_id: null,
    expires_at: now + 60_000,
    used_at: null,
    created_at: now,
  });
  const outcome = await store.completeLink({
    linkTokenHash,
    now,
    account,
    reauth: false,
    publicToken: {
      token_hash: randomUUID(),
      account_id: account.id,
      expires_at: now + 60_000,
      created_at: now,
    },
    ...(outbox ? { outbox } : {}),
  });
  if (!outcome.ok) throw new Error(`could not store the account: ${outcome.reason}`);
  return outcome.account;
}

/** SQLite always; PostgreSQL when NERM_CONNECT_TEST_POSTGRES_URL is set (see store-engines.ts). */
export const LIFECYCLE_ENGINES = ENGINES.map(({ name, scratch }) => ({
  name,
  scratch: async (): Promise<LifecycleScratch> => {
    const db = scratch();
    const store = db.open();
    await store.migrate();
    return {
      store,
      lifecycle: store.lifecycle,
      addAccount: async (id = randomUUID(), status = 'active') => {
        await storeAccount(store, accountRow(id));
        if (status !== 'active') await store.updateAccount(id, { status, updated_at: Date.now() });
        return id;
      },
      exec: (text) => db.exec(text),
      rows: (text) => db.rows(text),
      close: async () => {
        await store.close();
        await db.drop();
      },
    };
  },
}));

/**
 * Database URLs for a whole broker (startStack's `databaseUrl`): SQLite (the default) and,
 * when NERM_CONNECT_TEST_POSTGRES_URL is set, a fresh PostgreSQL schema; `drop` removes it.
 */
export function brokerStores(prefix: string): {
  name: 'sqlite' | 'postgres';
  databaseUrl: string | undefined;
  drop: () => Promise<void>;
}[] {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  return [
    { name: 'sqlite', databaseUrl: undefined, drop: async () => undefined },
    ...(POSTGRES_URL
      ? [
          {
            name: 'postgres' as const,
            databaseUrl: `${POSTGRES_URL}?schema=${schema}`,
            drop: async () => {
              const client = new pg.Client({ connectionString: POSTGRES_URL });
              await client.connect();
              await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
              await client.end();
            },
          },
        ]
      : []),
  ];
}
