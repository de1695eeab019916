import type { EventUser } from '@nerm-connect/shared';
import { sql, type Selectable } from 'kysely';
import {
  LeaseLost,
  type FinishSync,
  type LifecycleStore,
  type PersonSnapshot,
  type SyncBatch,
  type SyncLease,
  type SyncState,
} from '../lifecycle/lifecycle-store.ts';
import type { LifecycleDatabase } from './lifecycle-schema.ts';
import { KyselyOutbox } from './outbox-store.ts';

type SyncRow = Selectable<LifecycleDatabase['lifecycle_sync']>;

function toSyncState(row: SyncRow & { profiles_requested?: unknown }): SyncState {
  const { profiles_requested, ...state } = row;
  return {
    ...state,
    baseline_done: Number(row.baseline_done) === 1,
    ...(profiles_requested === undefined
      ? {}
      : { profiles_requested: profiles_requested === true || Number(profiles_requested) === 1 }),
  };
}

/**
 * How often one process looks for accounts without a sync state (new ones, made by any
 * replica): once a second rather than before every claim, which at fleet scale came after
 * every finished sync (docs/operations.md, "Sizing").
 */
const ENSURE_STATES_EVERY_MS = 1_000;

function toSnapshot(row: {
  person_id: string;
  digest: string;
  user_json: string;
  warned_end_date: string | null;
}): PersonSnapshot {
  return {
    person_id: row.person_id,
    digest: row.digest,
    user: JSON.parse(row.user_json) as EventUser,
    warned_end_date: row.warned_end_date,
  };
}

export class KyselyLifecycleStore extends KyselyOutbox implements LifecycleStore {
  private statesEnsuredAt: number | undefined;

  // ---- sync state and leases -------------------------------------------------------

  private async ensureStates(now: number, accountId?: string): Promise<void> {
    await sql`
      INSERT INTO lifecycle_sync (account_id, next_run_at, next_full_at)
      SELECT a.id, ${now}, ${now} FROM accounts a
      WHERE a.status = 'active' ${accountId ? sql`AND a.id = ${accountId}` : sql``}
        AND NOT EXISTS (SELECT 1 FROM lifecycle_sync s WHERE s.account_id = a.id)
      ON CONFLICT DO NOTHING`.execute(this.db);
  }

  async claimDueSyncs(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
    options: { scheduled: boolean },
  ): Promise<SyncState[]> {
    const ensured = this.statesEnsuredAt;
    if (ensured === undefined || now < ensured || now - ensured >= ENSURE_STATES_EVERY_MS) {
      await this.ensureStates(now);
      this.statesEnsuredAt = now;
    }
    const due = options.scheduled ? sql`s.next_run_at <= ${now} OR` : sql``;
    const requested = (account: string) =>
      sql`EXISTS (SELECT 1 FROM lifecycle_requested_profiles r WHERE r.account_id = ${sql.ref(account)})`;
    // One statement, atomic alone: no transaction around it.
    const { rows } = await sql<SyncRow & { profiles_requested: unknown }>`
      UPDATE lifecycle_sync SET lease_owner = ${owner}, lease_until = ${now + leaseMs}
      WHERE account_id IN (
        SELECT s.account_id FROM lifecycle_sync s JOIN accounts a ON a.id = s.account_id
        WHERE a.status = 'active'
          AND (s.lease_until IS NULL OR s.lease_until < ${now})
          AND (${due} s.requested_at IS NOT NULL OR ${requested('s.account_id')})
        ORDER BY s.next_run_at LIMIT ${limit}
        ${this.engine === 'postgres' ? sql.raw('FOR UPDATE OF s SKIP LOCKED') : sql``})
      RETURNING *, ${requested('lifecycle_sync.account_id')} AS profiles_requested`.execute(
      this.db,
    );
    return rows.map(toSyncState);
  }

  async claimSync(
    accountId: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<SyncState | undefined> {
    await this.ensureStates(now, accountId);
    const row = await this.db
      .updateTable('lifecycle_sync')
      .set({ lease_owner: owner, lease_until: now + leaseMs })
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .returningAll()
      .executeTakeFirst();
    return row && toSyncState(row);
  }

  async renewSyncLease(lease: SyncLease, now: number, leaseMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('lifecycle_sync')
      .set({ lease_until: now + leaseMs })
      .where('account_id', '=', lease.accountId)
      .where('lease_owner', '=', lease.owner)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async beginFullWalk(lease: SyncLease): Promise<number> {
    const row = await this.db
      .updateTable('lifecycle_sync')
      .set((eb) => ({ full_gen: eb('full_gen', '+', 1) }))
      .where('account_id', '=', lease.accountId)
      .where('lease_owner', '=', lease.owner)
      .returning('full_gen')
      .executeTakeFirst();
    if (!row) throw new LeaseLost(`sync of ${lease.accountId}`);
    return Number(row.full_gen);
  }

  async finishSync(lease: SyncLease, finish: FinishSync): Promise<boolean> {
    const served = finish.served_requests_until;
    const done = await this.db
      .updateTable('lifecycle_sync')
      .set((eb) => ({
        lease_owner: null,
        lease_until: null,
        next_run_at: finish.next_run_at,
        last_error: finish.last_error,
        last_sync_at: finish.now,
        ...(finish.watermark !== undefined ? { watermark: finish.watermark } : {}),
        ...(finish.baseline_done ? { baseline_done: 1 } : {}),
        ...(finish.next_full_at !== undefined ? { next_full_at: finish.next_full_at } : {}),
        ...(served !== undefined
          ? {
              requested_at: eb
                .case()
                .when('requested_at', '<=', served)
                .then(sql<null>`NULL`)
                .else(eb.ref('requested_at'))
                .end(),
            }
          : {}),
      }))
      .where('account_id', '=', lease.accountId)
      .where('lease_owner', '=', lease.owner)
      .executeTakeFirst();
    return done.numUpdatedRows === 1n;
  }

  async getSyncState(accountId: string): Promise<SyncState | undefined> {
    const row = await this.db
      .selectFrom('lifecycle_sync')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return row && toSyncState(row);
  }

  async requestSync(accountId: string, profileId: string | null, now: number): Promise<void> {
    await this.ensureStates(now, accountId);
    if (profileId === null) {
      await this.db
        .updateTable('lifecycle_sync')
        .set({ requested_at: now })
        .where('account_id', '=', accountId)
        .where('requested_at', 'is', null)
        .execute();
      return;
    }
    await this.db
      .insertInto('lifecycle_requested_profiles')
      .values({ account_id: accountId, profile_id: profileId, requested_at: now })
      .onConflict((oc) => oc.columns(['account_id', 'profile_id']).doNothing())
      .execute();
  }

  async requestedProfiles(accountId: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('lifecycle_requested_profiles')
      .select('profile_id')
      .where('account_id', '=', accountId)
      .orderBy('requested_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.profile_id);
  }

  async forgetRequestedProfiles(accountId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .deleteFrom('lifecycle_requested_profiles')
      .where('account_id', '=', accountId)
      .where('profile_id', 'in', ids)
      .execute();
  }

  // ---- snapshots -------------------------------------------------------------------

  async snapshots(accountId: string, personIds: string[]): Promise<Map<string, PersonSnapshot>> {
    if (personIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('lifecycle_snapshots')
      .select(['person_id', 'digest', 'user_json', 'warned_end_date'])
      .where('account_id', '=', accountId)
      .where('person_id', 'in', personIds)
      .execute();
    return new Map(rows.map((r) => [r.person_id, toSnapshot(r)]));
  }

  async applySyncBatch(
    lease: SyncLease,
    batch: SyncBatch,
    now: number,
    leaseMs: number,
  ): Promise<void> {
    const account = lease.accountId;
    await this.db.transaction().execute(async (tx) => {
      const fenced = await tx
        .updateTable('lifecycle_sync')
        .set({ lease_until: now + leaseMs })
        .where('account_id', '=', account)
        .where('lease_owner', '=', lease.owner)
        .executeTakeFirst();
      if (fenced.numUpdatedRows !== 1n) throw new LeaseLost(`sync of ${account}`);
      if (batch.upserts.length > 0) {
        const gen = batch.seen?.gen;
        await tx
          .insertInto('lifecycle_snapshots')
          .values(
            batch.upserts.map((s) => ({
              account_id: account,
              person_id: s.person_id,
              digest: s.digest,
              user_json: JSON.stringify(s.user),
              status: s.user.status,
              end_date: s.user.end_date,
              warned_end_date: s.warned_end_date,
              seen_gen: gen ?? 0,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['account_id', 'person_id']).doUpdateSet((eb) => ({
              digest: eb.ref('excluded.digest'),
              user_json: eb.ref('excluded.user_json'),
              status: eb.ref('excluded.status'),
              end_date: eb.ref('excluded.end_date'),
              warned_end_date: eb.ref('excluded.warned_end_date'),
              ...(gen !== undefined ? { seen_gen: eb.ref('excluded.seen_gen') } : {}),
            })),
          )
          .execute();
      }
      if (batch.deletes.length > 0)
        await tx
          .deleteFrom('lifecycle_snapshots')
          .where('account_id', '=', account)
          .where('person_id', 'in', batch.deletes)
          .execute();
      if (batch.seen && batch.seen.ids.length > 0)
        await tx
          .updateTable('lifecycle_snapshots')
          .set({ seen_gen: batch.seen.gen })
          .where('account_id', '=', account)
          .where('person_id', 'in', batch.seen.ids)
          .execute();
      for (const warned of batch.warned ?? [])
        await tx
          .updateTable('lifecycle_snapshots')
          .set({ warned_end_date: warned.end_date })
          .where('account_id', '=', account)
          .where('person_id', '=', warned.person_id)
          .execute();
      await this.write(tx, batch.events, batch.deliver);
    });
  }

  async unseenSnapshots(accountId: string, gen: number, limit: number): Promise<PersonSnapshot[]> {
    const rows = await this.db
      .selectFrom('lifecycle_snapshots')
      .select(['person_id', 'digest', 'user_json', 'warned_end_date'])
      .where('account_id', '=', accountId)
      .where('seen_gen', '<', gen)
      .orderBy('person_id')
      .limit(limit)
      .execute();
    return rows.map(toSnapshot);
  }

  async contractsDue(
    accountId: string,
    from: string,
    to: string,
    limit: number,
  ): Promise<PersonSnapshot[]> {
    const rows = await this.db
      .selectFrom('lifecycle_snapshots')
      .select(['person_id', 'digest', 'user_json', 'warned_end_date'])
      .where('account_id', '=', accountId)
      .where('end_date', '>=', from)
      .where('end_date', '<=', to)
      .where('status', '=', 'active')
      .where((eb) =>
        eb.or([eb('warned_end_date', 'is', null), eb('warned_end_date', '<>', eb.ref('end_date'))]),
      )
      .orderBy('person_id')
      .limit(limit)
      .execute();
    return rows.map(toSnapshot);
  }
}
