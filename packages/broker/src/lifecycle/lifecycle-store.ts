import type { DeliveryStatus, EventType, EventUser } from '@nerm-connect/shared';
import type { NewEvent } from './events.ts';

/** Times are epoch milliseconds, as everywhere in the store. */
export interface PersonSnapshot {
  person_id: string;
  /** Digest of the tracked fields (see changes.ts). */
  digest: string;
  /** The last unified view of the person, without remote_data. */
  user: EventUser;
  /** The end date `user.contract_ending` was last sent for (or silently noted at baseline). */
  warned_end_date: string | null;
}

export interface SyncState {
  account_id: string;
  /** The first sync finished: later syncs emit events. */
  baseline_done: boolean;
  /** When the last finished sync started: the next incremental reads from a day before. */
  watermark: number | null;
  /** Counts full walks; a snapshot not marked with the current walk's number was not seen. */
  full_gen: number;
  next_run_at: number;
  next_full_at: number;
  /** A hook or the API asked for a sync at this time (cleared by the sync that follows). */
  requested_at: number | null;
  /**
   * Whether a hook named profiles to sync, as of the claim (scheduled claims say; unknown
   * otherwise, and then the sync looks).
   */
  profiles_requested?: boolean;
  lease_owner: string | null;
  lease_until: number | null;
  last_sync_at: number | null;
  last_error: string | null;
}

/** Proof of holding an account's sync lease; every write of the sync is fenced by it. */
export interface SyncLease {
  accountId: string;
  owner: string;
}

/** One transaction of a sync: snapshot changes and the events they cause, together. */
export interface SyncBatch {
  upserts: PersonSnapshot[];
  deletes: string[];
  /** Full walks: these persons were seen by walk number `gen`. */
  seen?: { gen: number; ids: string[] };
  /** `user.contract_ending` sent (or noted) for these end dates. */
  warned?: { person_id: string; end_date: string }[];
  events: NewEvent[];
  /** A webhook URL is configured: events start pending, else they are only kept in the feed. */
  deliver: boolean;
}

/** A sync (or delivery) lost its lease to another replica; it must stop writing. */
export class LeaseLost extends Error {
  constructor(what: string) {
    super(`${what}: the lease is held by another process`);
    this.name = 'LeaseLost';
  }
}

export interface FinishSync {
  /** Success: where the next incremental starts, and whether the baseline is now done. */
  watermark?: number;
  baseline_done?: boolean;
  next_run_at: number;
  next_full_at?: number;
  /** Requests at or before this time were served by the sync. */
  served_requests_until?: number;
  last_error: string | null;
  now: number;
}

export interface OutboxEvent {
  seq: number;
  id: string;
  account_id: string;
  type: EventType;
  created_at: number;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  failures: number;
  last_error: string | null;
  last_attempt_at: number | null;
  next_attempt_at: number | null;
  delivered_at: number | null;
}

export type AttemptResult =
  | { ok: true; at: number }
  | { ok: false; at: number; error: string; next_attempt_at: number | null };

export interface AuditRecord {
  seq: number;
  account_id: string;
  at: number;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

/** What lifecycle events need from the store: snapshots, sync leases, the outbox, the audit trail. */
export interface LifecycleStore {
  /**
   * Leases of active, unleased accounts with a requested sync (or requested profiles) or,
   * when `scheduled`, a due one; oldest first. Creates the state of accounts that have none.
   */
  claimDueSyncs(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
    options: { scheduled: boolean },
  ): Promise<SyncState[]>;
  /** The lease of one account, creating its state; undefined while another process holds it. */
  claimSync(
    accountId: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<SyncState | undefined>;
  renewSyncLease(lease: SyncLease, now: number, leaseMs: number): Promise<boolean>;
  /** Starts a full walk: the next walk number. */
  beginFullWalk(lease: SyncLease): Promise<number>;
  /** Records the outcome and releases the lease; false (nothing written) once another holds it. */
  finishSync(lease: SyncLease, finish: FinishSync): Promise<boolean>;
  getSyncState(accountId: string): Promise<SyncState | undefined>;
  /** A hook asked for a sync (of one profile when given). */
  requestSync(accountId: string, profileId: string | null, now: number): Promise<void>;
  requestedProfiles(accountId: string, limit: number): Promise<string[]>;
  forgetRequestedProfiles(accountId: string, ids: string[]): Promise<void>;

  snapshots(accountId: string, personIds: string[]): Promise<Map<string, PersonSnapshot>>;
  /** One transaction; throws LeaseLost (writing nothing) unless `lease` still holds. */
  applySyncBatch(lease: SyncLease, batch: SyncBatch, now: number, leaseMs: number): Promise<void>;
  /** Snapshots the walk `gen` did not see, a batch at a time. */
  unseenSnapshots(accountId: string, gen: number, limit: number): Promise<PersonSnapshot[]>;
  /** Active persons with an end date in [from, to] not yet warned for it. */
  contractsDue(
    accountId: string,
    from: string,
    to: string,
    limit: number,
  ): Promise<PersonSnapshot[]>;

  /** Events outside a sync (account lifecycle), each pending or not sent. */
  insertEvents(events: NewEvent[], deliver: boolean): Promise<void>;
  /** The oldest deliverable event of accounts whose earlier events are all settled. */
  claimDeliveries(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<OutboxEvent[]>;
  /** Extends a delivery lease while its attempt runs; false once another process holds it. */
  renewDeliveryLease(id: string, owner: string, now: number, leaseMs: number): Promise<boolean>;
  /** Records an attempt's outcome; false (nothing written) unless `owner` still holds the lease. */
  recordAttempt(id: string, owner: string, result: AttemptResult): Promise<boolean>;
  listEvents(query: {
    accountId?: string;
    type?: EventType;
    afterSeq?: number;
    limit: number;
  }): Promise<OutboxEvent[]>;
  purgeEvents(before: number): Promise<number>;

  appendAudit(row: Omit<AuditRecord, 'seq'>): Promise<void>;
  /** Newest first; `beforeSeq` is the keyset cursor. */
  listAudit(
    accountId: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<AuditRecord[]>;
}
