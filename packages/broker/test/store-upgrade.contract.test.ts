import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/store/store.ts';
import { legacySchema } from './fixtures/legacy-schema.ts';
import { ENGINES, type ScratchDatabase } from './store-engines.ts';

const NOW = 1_800_000_000_000;

describe.each(ENGINES)('Store upgrade from the hand-written schema: $name', ({ name, scratch }) => {
  const open: { db: ScratchDatabase; store: Store }[] = [];
  afterEach(async () => {
    for (const { db, store } of open.splice(0)) {
      await store.close();
      await db.drop();
    }
  });
  function fresh() {
    const db = scratch();
    const store = db.open();
    open.push({ db, store });
    return { db, store };
  }

  it('adopts a version-1 database: data kept, schema identical to a new one', async () => {
    const { db: legacy, store } = fresh();
    await legacy.exec(legacySchema(name));
    await legacy.exec(
      `INSERT INTO accounts (id, tenant_id, tenant_host, tenant_origin, auth_type, status,
         credential_kid, credential, credential_hint, field_mapping, created_at, updated_at, last_verified_at)
       VALUES ('acc-1', 'tenant-a', 'acme.nonemployee.com', 'https://acme.nonemployee.com', 'pat', 'active',
         'k1', ${legacy.bytes('00ff10')}, 'abcd', '{"title":"role_title"}', ${NOW}, ${NOW}, NULL);
       INSERT INTO public_tokens (token_hash, account_id, expires_at, created_at)
       VALUES ('pt-1', 'acc-1', ${NOW + 60_000}, ${NOW});`,
    );

    await store.migrate();

    const account = await store.getAccount('acc-1');
    expect(account).toMatchObject({
      tenant_id: 'tenant-a',
      auth_type: 'pat',
      field_mapping: { title: 'role_title' },
      created_at: NOW,
      last_verified_at: null,
    });
    expect(account?.credential).toEqual(Buffer.from('00ff10', 'hex'));
    expect(await store.redeemPublicToken('pt-1', NOW)).toBe('acc-1');
    // 0001 is adopted (the legacy schema has it); later migrations run.
    expect(await legacy.rows('SELECT name FROM kysely_migration ORDER BY name')).toEqual([
      { name: '0001_initial' },
      { name: '0002_token_generation' },
      { name: '0003_lifecycle_events' },
      { name: '0004_idempotency_lease' },
    ]);
    expect(account?.token_generation).toBe(0);
    // Left as it was, so a replica still on the previous release keeps starting.
    expect(await legacy.rows('SELECT version FROM schema_migrations')).toEqual([{ version: 1 }]);

    const { db: reference, store: newStore } = fresh();
    await newStore.migrate();
    const tables = (rows: Record<string, unknown>[]) =>
      rows.filter((r) => !['schema_migrations'].includes(r['tbl'] as string));
    expect(tables(await legacy.schema())).toEqual(await reference.schema());
  });

  it('creates the whole schema on an empty database', async () => {
    const { db, store } = fresh();
    await store.migrate();
    const names = new Set((await db.schema()).map((r) => r['tbl']));
    for (const table of ['accounts', 'link_tokens', 'public_tokens', 'idempotency_keys'])
      expect(names).toContain(table);
    expect(names).not.toContain('schema_migrations');
  });
});
