import type { EventUser, SyncResult } from '@nerm-connect/shared';
import {
  classifyChange,
  contractEndingDue,
  digestOf,
  eventUser,
  isoDay,
  windowEnd,
  type UserChangeType,
} from './changes.ts';
import { contractEndingEvent, userChangeEvent, type EventAccount } from './events.ts';
import type {
  LifecycleStore,
  PersonSnapshot,
  SyncBatch,
  SyncLease,
  SyncState,
} from './lifecycle-store.ts';

/** A profile as a sync walks it: its user, or null when it is not (or no longer) a person. */
export interface WalkedPerson {
  id: string;
  user: EventUser | null;
}

/** Where a sync reads people from: one account's NERM tenant (see nerm-person-source.ts). */
export interface PersonSource {
  /**
   * Every profile updated on or after `updatedSince` (a `yyyy-mm-dd` date), or every
   * profile, a page at a time. Users carry their roles only when `withRoles` is set.
   */
  pages(options: { updatedSince?: string; withRoles: boolean }): AsyncIterable<WalkedPerson[]>;
  /** One profile with its roles; null when NERM no longer has it as a person. */
  person(profileId: string): Promise<EventUser | null>;
  rolesOf(profileId: string): Promise<EventUser['roles']>;
}

export interface SyncEngineDeps {
  store: LifecycleStore;
  now: () => number;
  /** NERM_BROKER_CONTRACT_WARNING_DAYS. */
  warningDays: number;
  /** A webhook URL is configured. */
  deliver: boolean;
  leaseMs: number;
  /** Called after a batch with events commits (wakes the delivery worker). */
  onEvents?: () => void;
}

export interface SyncOutcome {
  counts: SyncResult;
  /** When this sync started: the next incremental reads from a day before it. */
  startedAt: number;
  full: boolean;
}

/**
 * NERM's `updated_after` is a date in the tenant's zone, maybe exclusive: start two days
 * before the last sync started; the digests drop what did not change.
 */
const OVERLAP_MS = 2 * 86_400_000;
const BATCH = 500;
/** Accounts whose contract-warning check this process remembers (a day each). */
const CHECKED_ACCOUNTS = 100_000;

export function emptyCounts(): SyncResult {
  return { created: 0, updated: 0, deactivated: 0, reactivated: 0, removed: 0 };
}

const COUNTER: Record<UserChangeType, keyof SyncResult> = {
  'user.created': 'created',
  'user.updated': 'updated',
  'user.deactivated': 'deactivated',
  'user.reactivated': 'reactivated',
  'user.removed': 'removed',
};

function snapshotOf(user: EventUser, warned: string | null): PersonSnapshot {
  return { person_id: user.id, digest: digestOf(user), user, warned_end_date: warned };
}

/**
 * One sync of one account, under its lease: walk what NERM says changed (or everything),
 * diff against the stored snapshots, and write snapshot changes and their events in one
 * transaction per page, so a crash anywhere loses and duplicates nothing
 * (docs/decisions/0051-lifecycle-sync-and-outbox.md).
 */
export class SyncEngine {
  /**
   * The day this process last found an account's contract warnings all sent. A sync that
   * changes no snapshot, after a sync that did not fail, skips the check again that day:
   * only a changed snapshot or a new day can make a warning due.
   */
  private readonly warningsCheckedOn = new Map<string, string>();

  constructor(private readonly deps: SyncEngineDeps) {}

  async run(
    account: EventAccount,
    source: PersonSource,
    state: SyncState,
    lease: SyncLease,
    mode: 'incremental' | 'full',
  ): Promise<SyncOutcome> {
    const startedAt = this.deps.now();
    const silent = !state.baseline_done;
    const full = mode === 'full' || silent || state.watermark === null;
    const counts = emptyCounts();
    let changed = false;
    const gen = full ? await this.deps.store.beginFullWalk(lease) : 0;
    const since = full ? undefined : isoDay((state.watermark as number) - OVERLAP_MS);

    for await (const page of source.pages({
      withRoles: full,
      ...(since ? { updatedSince: since } : {}),
    })) {
      const batch = await this.diffPage(account, source, page, { full, silent, counts });
      if (full) batch.seen = { gen, ids: page.map((p) => p.id) };
      changed ||= batch.upserts.length + batch.deletes.length > 0;
      await this.apply(lease, batch);
    }
    if (full) changed = (await this.removeUnseen(account, lease, gen, silent, counts)) || changed;
    const today = isoDay(this.deps.now());
    const unchanged =
      !changed && state.last_error === null && this.warningsCheckedOn.get(account.id) === today;
    if (!unchanged) await this.contractWarnings(account, lease, silent);
    return { counts, startedAt, full };
  }

  /** A hook named these profiles: fetch each and diff it alone. Needs a finished baseline. */
  async runProfiles(
    account: EventAccount,
    source: PersonSource,
    lease: SyncLease,
    ids: string[],
  ): Promise<SyncResult> {
    const counts = emptyCounts();
    const snapshots = await this.deps.store.snapshots(account.id, ids);
    const batch = this.emptyBatch();
    for (const id of ids) {
      const before = snapshots.get(id);
      const after = await source.person(id);
      this.record(account, batch, before, after, false, counts);
    }
    await this.apply(lease, batch);
    await this.contractWarnings(account, lease, false);
    return counts;
  }

  private emptyBatch(): SyncBatch {
    return { upserts: [], deletes: [], events: [], deliver: this.deps.deliver };
  }

  private async diffPage(
    account: EventAccount,
    source: PersonSource,
    page: { id: string; user: EventUser | null }[],
    run: { full: boolean; silent: boolean; counts: SyncResult },
  ): Promise<SyncBatch> {
    const batch = this.emptyBatch();
    const snapshots = await this.deps.store.snapshots(
      account.id,
      page.map((p) => p.id),
    );
    for (const walked of page) {
      const before = snapshots.get(walked.id);
      let after = walked.user;
      // An incremental walk reads no role links: the stored roles stand in, and only a
      // person who changed otherwise (or is new) costs one role lookup.
      if (after && !run.full) {
        after = { ...after, roles: before?.user.roles ?? [] };
        if (!before || digestOf(after) !== before.digest)
          after = eventUser({ ...after, roles: await source.rolesOf(walked.id) });
      }
      this.record(account, batch, before, after, run.silent, run.counts);
    }
    return batch;
  }

  private record(
    account: EventAccount,
    batch: SyncBatch,
    before: PersonSnapshot | undefined,
    after: EventUser | null,
    silent: boolean,
    counts: SyncResult,
  ): void {
    const change = classifyChange(before?.user, after ?? undefined);
    if (!change) return;
    if (change.type === 'user.removed') batch.deletes.push(change.user.id);
    else batch.upserts.push(snapshotOf(change.user, before?.warned_end_date ?? null));
    if (silent) return;
    counts[COUNTER[change.type]]++;
    batch.events.push(userChangeEvent(account, change, this.deps.now()));
  }

  /** Whether any snapshot was unseen (and so removed). */
  private async removeUnseen(
    account: EventAccount,
    lease: SyncLease,
    gen: number,
    silent: boolean,
    counts: SyncResult,
  ): Promise<boolean> {
    for (let removed = false; ; removed = true) {
      const gone = await this.deps.store.unseenSnapshots(account.id, gen, BATCH);
      if (gone.length === 0) return removed;
      const batch = this.emptyBatch();
      for (const snapshot of gone) this.record(account, batch, snapshot, null, silent, counts);
      await this.apply(lease, batch);
    }
  }

  /**
   * Runs over the stored snapshots, not NERM: a window that moved over an end date set
   * long ago is found without reading the tenant. At baseline the dates already inside
   * the window are noted silently.
   */
  private async contractWarnings(
    account: EventAccount,
    lease: SyncLease,
    silent: boolean,
  ): Promise<void> {
    const today = isoDay(this.deps.now());
    const last = windowEnd(today, this.deps.warningDays);
    for (;;) {
      const due = await this.deps.store.contractsDue(account.id, today, last, BATCH);
      if (due.length === 0) {
        if (this.warningsCheckedOn.size >= CHECKED_ACCOUNTS) this.warningsCheckedOn.clear();
        this.warningsCheckedOn.set(account.id, today);
        return;
      }
      const batch = {
        ...this.emptyBatch(),
        warned: [] as { person_id: string; end_date: string }[],
      };
      for (const { user, warned_end_date } of due) {
        const left = contractEndingDue(user, warned_end_date, today, this.deps.warningDays);
        batch.warned.push({ person_id: user.id, end_date: user.end_date as string });
        if (left !== null && !silent)
          batch.events.push(contractEndingEvent(account, user, left, this.deps.now()));
      }
      await this.apply(lease, batch);
    }
  }

  private async apply(lease: SyncLease, batch: SyncBatch): Promise<void> {
    if (
      batch.upserts.length + batch.deletes.length + batch.events.length === 0 &&
      !batch.seen?.ids.length &&
      !batch.warned?.length
    )
      return;
    await this.deps.store.applySyncBatch(lease, batch, this.deps.now(), this.deps.leaseMs);
    if (batch.events.length > 0) this.deps.onEvents?.();
  }
}
