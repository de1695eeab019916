import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { createLifecycleTables, type LifecycleDatabase } from './lifecycle-schema.ts';

export type Engine = 'sqlite' | 'postgres';

/** Column types that differ between the engines; everything else is written once. */
function types(engine: Engine) {
  return engine === 'sqlite'
    ? { time: 'integer', bytes: 'blob', json: 'text', emptyJson: sql`'{}'` }
    : { time: 'bigint', bytes: 'bytea', json: 'jsonb', emptyJson: sql`'{}'::jsonb` };
}

interface StoreMigration {
  /** Sorted by name; applied in order and recorded in Kysely's `kysely_migration` table. */
  name: string;
  /**
   * The number this migration had in the `schema_migrations` table of earlier releases.
   * A database that already recorded it has the schema, so the migration is adopted
   * without running. See docs/decisions/0030-one-store-over-kysely.md.
   */
  legacyVersion?: number;
  up(db: Kysely<unknown>, engine: Engine): Promise<void>;
}

/** The one schema, both engines. Append only: a released migration is never edited. */
export const MIGRATIONS: StoreMigration[] = [
  {
    name: '0001_initial',
    legacyVersion: 1,
    async up(db, engine) {
      const t = types(engine);
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('tenant_host', 'text', (c) => c.notNull())
        .addColumn('tenant_origin', 'text', (c) => c.notNull())
        .addColumn('auth_type', 'text', (c) =>
          c.notNull().check(sql`auth_type IN ('pat', 'api_key')`),
        )
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status IN ('active', 'needs_reauth', 'disconnected')`),
        )
        .addColumn('credential_kid', 'text')
        .addColumn('credential', sql.raw(t.bytes))
        .addColumn('credential_hint', 'text')
        .addColumn('field_mapping', sql.raw(t.json), (c) => c.notNull().defaultTo(t.emptyJson))
        .addColumn('created_at', sql.raw(t.time), (c) => c.notNull())
        .addColumn('updated_at', sql.raw(t.time), (c) => c.notNull())
        .addColumn('last_verified_at', sql.raw(t.time))
        .execute();
      // Kept out of TOAST, so a destroyed credential has no compressed copy elsewhere.
      if (engine === 'postgres')
        await sql`ALTER TABLE accounts ALTER COLUMN credential SET STORAGE PLAIN`.execute(db);
      await db.schema
        .createIndex('accounts_by_tenant')
        .on('accounts')
        .columns(['tenant_id', 'id'])
        .execute();
      await db.schema
        .createIndex('accounts_by_kid')
        .on('accounts')
        .column('credential_kid')
        .execute();
      await db.schema
        .createTable('link_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
        .addColumn('expires_at', sql.raw(t.time), (c) => c.notNull())
        .addColumn('used_at', sql.raw(t.time))
        .addColumn('created_at', sql.raw(t.time), (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('public_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) =>
          c.notNull().references('accounts.id').onDelete('cascade'),
        )
        .addColumn('expires_at', sql.raw(t.time), (c) => c.notNull())
        .addColumn('created_at', sql.raw(t.time), (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('account_id', 'text', (c) =>
          c.notNull().references('accounts.id').onDelete('cascade'),
        )
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('created_at', sql.raw(t.time), (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pkey', ['account_id', 'key'])
        .execute();
    },
  },
  {
    name: '0002_token_generation',
    async up(db) {
      // Account tokens minted before a disconnect never work again (issue 8, finding 2).
      await db.schema
        .alterTable('accounts')
        .addColumn('token_generation', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  {
    // Snapshots, sync leases, the outbox, the audit trail, sync hook ids (issue 11).
    name: '0003_lifecycle_events',
    async up(db, engine) {
      await createLifecycleTables(db as Kysely<LifecycleDatabase>, engine);
    },
  },
  {
    // An Idempotency-Key reservation is a lease: who holds it, until when, and whether
    // its NERM write was sent (docs/architecture.md, "Idempotency"; issue 13).
    name: '0004_idempotency_lease',
    async up(db, engine) {
      const t = types(engine);
      await db.schema
        .alterTable('idempotency_keys')
        .addColumn('holder', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('idempotency_keys')
        .addColumn('lease_until', sql.raw(t.time), (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('idempotency_keys')
        .addColumn('sent_at', sql.raw(t.time))
        .execute();
    },
  },
];

/** Versions recorded by the migration table of earlier releases (empty on a new database). */
async function legacyVersions(
  db: Kysely<{ schema_migrations: { version: number } }>,
  engine: Engine,
): Promise<Set<number>> {
  const table =
    engine === 'sqlite'
      ? sql<{ found: number }>`SELECT 1 AS found FROM sqlite_master
          WHERE type = 'table' AND name = 'schema_migrations'`
      : sql<{
          found: number;
        }>`SELECT 1 AS found WHERE to_regclass('schema_migrations') IS NOT NULL`;
  if ((await table.execute(db)).rows.length === 0) return new Set();
  const rows = await db.selectFrom('schema_migrations').select('version').execute();
  return new Set(rows.map((r) => Number(r.version)));
}

/** The list above, for Kysely's Migrator, adopting what a legacy database already has. */
export function migrationProvider(engine: Engine): MigrationProvider {
  const entries = MIGRATIONS.map((m): [string, Migration] => [
    m.name,
    {
      async up(db) {
        if (
          m.legacyVersion !== undefined &&
          (await legacyVersions(db, engine)).has(m.legacyVersion)
        )
          return;
        await m.up(db, engine);
      },
    },
  ]);
  return { getMigrations: async () => Object.fromEntries(entries) };
}
