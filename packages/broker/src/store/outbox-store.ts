import type { DeliveryStatus, EventType } from '@nerm-connect/shared';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { NewEvent } from '../lifecycle/events.ts';
import type { AttemptResult, AuditRecord, OutboxEvent } from '../lifecycle/lifecycle-store.ts';
import { compiledOnce } from './compiled-once.ts';
import type { LifecycleDatabase } from './lifecycle-schema.ts';

type EventRow = Selectable<LifecycleDatabase['lifecycle_events']>;

/** An event as the outbox inserts it. */
interface NewEventRow {
  id: string;
  account_id: string;
  type: string;
  created_at: number;
  body: string;
  status: 'pending' | 'not_sent';
  next_attempt_at: number | null;
}

function eventRow(e: NewEvent, deliver: boolean): NewEventRow {
  return {
    id: e.id,
    account_id: e.account_id,
    type: e.type,
    created_at: e.created_at,
    body: e.body,
    status: deliver ? 'pending' : 'not_sent',
    next_attempt_at: deliver ? e.created_at : null,
  };
}

type AuditRow = Omit<AuditRecord, 'seq' | 'detail'> & { detail: string };

/**
 * Any number for PostgreSQL's transaction-level advisory lock that orders outbox writes:
 * held from the event insert to commit, it makes `seq` order equal commit order, so a
 * feed reader paging by `seq` never skips an event committed late.
 */
const OUTBOX_LOCK = 0x6e65726d;

function toOutbox(row: EventRow): OutboxEvent {
  const { lease_owner: _o, lease_until: _u, ...rest } = row;
  return {
    ...rest,
    seq: Number(row.seq),
    type: row.type as EventType,
    status: row.status as DeliveryStatus,
  };
}

/**
 * The outbox (the event feed and its deliveries) and the audit trail, over Kysely.
 * `write` puts events into any transaction, so they commit with the change that caused them.
 */
export class KyselyOutbox {
  /**
   * A connect's (or any state change's) one event and every audit entry, compiled once
   * (docs/decisions/0107-statements-compiled-once.md).
   */
  private readonly insertEvent;
  private readonly insertAudit;

  constructor(
    protected readonly db: Kysely<LifecycleDatabase>,
    protected readonly engine: 'sqlite' | 'postgres',
  ) {
    this.insertEvent = compiledOnce<LifecycleDatabase, NewEventRow, never>(
      db,
      ['id', 'account_id', 'type', 'created_at', 'body', 'status', 'next_attempt_at'],
      (s) => db.insertInto('lifecycle_events').values(s),
    );
    this.insertAudit = compiledOnce<LifecycleDatabase, AuditRow, never>(
      db,
      ['account_id', 'at', 'actor', 'action', 'detail'],
      (s) => db.insertInto('lifecycle_audit').values(s),
    );
  }

  /** `FOR UPDATE SKIP LOCKED` where the engine has it; SQLite serialises writers anyway. */
  protected get skipLocked() {
    return sql.raw(this.engine === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '');
  }

  /** Writes events inside the caller's transaction (pending, or kept for the feed only). */
  async write(
    tx: Transaction<LifecycleDatabase>,
    events: NewEvent[],
    deliver: boolean,
  ): Promise<void> {
    if (events.length === 0) return;
    if (this.engine === 'postgres')
      await sql`SELECT pg_advisory_xact_lock(${OUTBOX_LOCK})`.execute(tx);
    const [only] = events;
    if (events.length === 1 && only) await this.insertEvent.run(tx, eventRow(only, deliver));
    else
      await tx
        .insertInto('lifecycle_events')
        .values(events.map((e) => eventRow(e, deliver)))
        .execute();
  }

  async insertEvents(events: NewEvent[], deliver: boolean): Promise<void> {
    await this.db.transaction().execute((tx) => this.write(tx, events, deliver));
  }

  async claimDeliveries(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<OutboxEvent[]> {
    const { rows } = await this.db.transaction().execute((tx) =>
      sql<EventRow>`
        UPDATE lifecycle_events SET lease_owner = ${owner}, lease_until = ${now + leaseMs}
        WHERE seq IN (
          SELECT e.seq FROM lifecycle_events e
          WHERE e.status = 'pending' AND e.next_attempt_at <= ${now}
            AND (e.lease_until IS NULL OR e.lease_until < ${now})
            AND NOT EXISTS (
              SELECT 1 FROM lifecycle_events p
              WHERE p.account_id = e.account_id AND p.status = 'pending' AND p.seq < e.seq)
          ORDER BY e.seq LIMIT ${limit} ${this.skipLocked})
        RETURNING *`.execute(tx),
    );
    return rows.map(toOutbox).sort((a, b) => a.seq - b.seq);
  }

  async renewDeliveryLease(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<boolean> {
    const done = await this.db
      .updateTable('lifecycle_events')
      .set({ lease_until: now + leaseMs })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return done.numUpdatedRows === 1n;
  }

  async recordAttempt(id: string, owner: string, result: AttemptResult): Promise<boolean> {
    const update = result.ok
      ? { status: 'delivered', delivered_at: result.at, next_attempt_at: null }
      : {
          status: result.next_attempt_at === null ? 'failed' : 'pending',
          last_error: result.error.slice(0, 500),
          next_attempt_at: result.next_attempt_at,
        };
    const done = await this.db
      .updateTable('lifecycle_events')
      .set((eb) => ({
        ...update,
        attempts: eb('attempts', '+', 1),
        failures: eb('failures', '+', result.ok ? 0 : 1),
        last_attempt_at: result.at,
        lease_owner: null,
        lease_until: null,
      }))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return done.numUpdatedRows === 1n;
  }

  async listEvents(query: {
    accountId?: string;
    type?: EventType;
    afterSeq?: number;
    limit: number;
  }): Promise<OutboxEvent[]> {
    const { accountId, type, afterSeq } = query;
    const rows = await this.db
      .selectFrom('lifecycle_events')
      .selectAll()
      .$if(accountId !== undefined, (q) => q.where('account_id', '=', accountId as string))
      .$if(type !== undefined, (q) => q.where('type', '=', type as string))
      .$if(afterSeq !== undefined, (q) => q.where('seq', '>', afterSeq as number))
      .orderBy('seq')
      .limit(query.limit)
      .execute();
    return rows.map(toOutbox);
  }

  async purgeEvents(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('lifecycle_events')
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // ---- audit -----------------------------------------------------------------------

  async appendAudit(row: Omit<AuditRecord, 'seq'>): Promise<void> {
    await this.insertAudit.run(this.db, { ...row, detail: JSON.stringify(row.detail) });
  }

  async listAudit(
    accountId: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<AuditRecord[]> {
    const rows = await this.db
      .selectFrom('lifecycle_audit')
      .selectAll()
      .where('account_id', '=', accountId)
      .$if(beforeSeq !== undefined, (q) => q.where('seq', '<', beforeSeq as number))
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      ...r,
      seq: Number(r.seq),
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }
}
