import { randomBytes } from 'node:crypto';
import { sql, type ColumnDefinitionBuilder, type Generated, type Kysely } from 'kysely';

/** Tables of lifecycle events, as Kysely sees them. Times are epoch ms; booleans are 0/1. */
export interface LifecycleDatabase {
  lifecycle_sync: {
    account_id: string;
    baseline_done: Generated<number>;
    watermark: number | null;
    full_gen: Generated<number>;
    next_run_at: number;
    next_full_at: number;
    requested_at: number | null;
    lease_owner: string | null;
    lease_until: number | null;
    last_sync_at: number | null;
    last_error: string | null;
  };
  lifecycle_requested_profiles: { account_id: string; profile_id: string; requested_at: number };
  lifecycle_snapshots: {
    account_id: string;
    person_id: string;
    digest: string;
    user_json: string;
    status: string;
    end_date: string | null;
    warned_end_date: string | null;
    seen_gen: Generated<number>;
  };
  lifecycle_events: {
    seq: Generated<number>;
    id: string;
    account_id: string;
    type: string;
    created_at: number;
    body: string;
    status: string;
    attempts: Generated<number>;
    failures: Generated<number>;
    last_error: string | null;
    last_attempt_at: number | null;
    next_attempt_at: number | null;
    delivered_at: number | null;
    lease_owner: string | null;
    lease_until: number | null;
  };
  lifecycle_audit: {
    seq: Generated<number>;
    account_id: string;
    at: number;
    actor: string;
    action: string;
    detail: string;
  };
  accounts: { id: string; status: string; sync_hook_id: string | null };
}

type Engine = 'sqlite' | 'postgres';

/** A sync hook id: `hk_` + 160 random bits (the contract asks for at least 128). */
export function newSyncHookId(): string {
  return `hk_${randomBytes(20).toString('base64url')}`;
}

/**
 * Snapshots, sync leases, the outbox and the audit trail; accounts gain their sync hook
 * id (existing accounts get one here). See docs/decisions/0051-lifecycle-sync-and-outbox.md.
 */
export async function createLifecycleTables(
  db: Kysely<LifecycleDatabase>,
  engine: Engine,
): Promise<void> {
  const time = sql.raw(engine === 'sqlite' ? 'integer' : 'bigint');
  const serial = (c: ColumnDefinitionBuilder) =>
    engine === 'sqlite'
      ? c.primaryKey().autoIncrement()
      : c.primaryKey().generatedAlwaysAsIdentity();

  await db.schema
    .createTable('lifecycle_sync')
    .addColumn('account_id', 'text', (c) =>
      c.primaryKey().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('baseline_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('watermark', time)
    .addColumn('full_gen', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_run_at', time, (c) => c.notNull())
    .addColumn('next_full_at', time, (c) => c.notNull())
    .addColumn('requested_at', time)
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', time)
    .addColumn('last_sync_at', time)
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('lifecycle_sync_due')
    .on('lifecycle_sync')
    .column('next_run_at')
    .execute();

  await db.schema
    .createTable('lifecycle_requested_profiles')
    .addColumn('account_id', 'text', (c) =>
      c.notNull().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('requested_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('lifecycle_requested_profiles_pkey', ['account_id', 'profile_id'])
    .execute();

  await db.schema
    .createTable('lifecycle_snapshots')
    .addColumn('account_id', 'text', (c) =>
      c.notNull().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('user_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text')
    .addColumn('warned_end_date', 'text')
    .addColumn('seen_gen', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('lifecycle_snapshots_pkey', ['account_id', 'person_id'])
    .execute();
  await db.schema
    .createIndex('lifecycle_snapshots_by_end_date')
    .on('lifecycle_snapshots')
    .columns(['account_id', 'end_date'])
    .where(sql.ref('end_date'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('lifecycle_snapshots_by_seen')
    .on('lifecycle_snapshots')
    .columns(['account_id', 'seen_gen'])
    .execute();

  // No foreign key: the feed outlives what it reports on (30 days, then purged).
  await db.schema
    .createTable('lifecycle_events')
    .addColumn('seq', engine === 'sqlite' ? 'integer' : 'bigint', serial)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status IN ('pending', 'delivered', 'failed', 'not_sent')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('last_attempt_at', time)
    .addColumn('next_attempt_at', time)
    .addColumn('delivered_at', time)
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', time)
    .execute();
  await db.schema
    .createIndex('lifecycle_events_pending')
    .on('lifecycle_events')
    .columns(['account_id', 'seq'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('lifecycle_events_by_account')
    .on('lifecycle_events')
    .columns(['account_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('lifecycle_events_by_type')
    .on('lifecycle_events')
    .columns(['type', 'seq'])
    .execute();
  await db.schema
    .createIndex('lifecycle_events_by_created_at')
    .on('lifecycle_events')
    .column('created_at')
    .execute();

  await db.schema
    .createTable('lifecycle_audit')
    .addColumn('seq', engine === 'sqlite' ? 'integer' : 'bigint', serial)
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('at', time, (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('lifecycle_audit_by_account')
    .on('lifecycle_audit')
    .columns(['account_id', 'seq'])
    .execute();
  await appendOnly(db, engine);

  await db.schema.alterTable('accounts').addColumn('sync_hook_id', 'text').execute();
  await db.schema
    .createIndex('accounts_by_sync_hook')
    .on('accounts')
    .column('sync_hook_id')
    .unique()
    .execute();
  const accounts = await db
    .selectFrom('accounts')
    .select('id')
    .where('sync_hook_id', 'is', null)
    .execute();
  for (const { id } of accounts)
    await db
      .updateTable('accounts')
      .set({ sync_hook_id: newSyncHookId() })
      .where('id', '=', id)
      .execute();
}

/** The audit trail refuses UPDATE and DELETE in the database itself. */
async function appendOnly(db: Kysely<LifecycleDatabase>, engine: Engine): Promise<void> {
  if (engine === 'sqlite') {
    for (const op of ['UPDATE', 'DELETE'])
      await sql
        .raw(
          `CREATE TRIGGER lifecycle_audit_no_${op.toLowerCase()} BEFORE ${op} ON lifecycle_audit
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`,
        )
        .execute(db);
    return;
  }
  await sql
    .raw(
      `CREATE FUNCTION lifecycle_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER lifecycle_audit_append_only BEFORE UPDATE OR DELETE ON lifecycle_audit
       FOR EACH ROW EXECUTE FUNCTION lifecycle_audit_append_only()`,
    )
    .execute(db);
}
