import { setTimeout as sleep } from 'node:timers/promises';
import type { SyncMode, SyncResult } from '@nerm-connect/shared';
import type { Logger } from 'pino';
import { BrokerError, isBrokerError } from '../errors.ts';
import type { StoredAccount } from '../store/store.ts';
import { BackgroundLoop, keepLeased } from './background-loop.ts';
import {
  LeaseLost,
  type LifecycleStore,
  type SyncLease,
  type SyncState,
} from './lifecycle-store.ts';
import { emptyCounts, type PersonSource, type SyncEngine } from './sync-engine.ts';
import { nextRunAt } from './next-run.ts';

export interface SyncSchedulerDeps {
  store: LifecycleStore;
  engine: SyncEngine;
  getAccount(id: string): Promise<StoredAccount | undefined>;
  sourceFor(account: StoredAccount): PersonSource;
  /** Writes one audit entry (actor, action, detail) for the account. */
  audit(
    accountId: string,
    actor: string,
    action: string,
    detail: Record<string, unknown>,
  ): Promise<void>;
  owner: string;
  now: () => number;
  logger: Logger;
  /** NERM_BROKER_SYNC_INTERVAL in ms; 0 turns the scheduler off (manual syncs still run). */
  intervalMs: number;
  /** Full reconciles, on their own slower cadence. */
  fullEveryMs: number;
  leaseMs: number;
  /** Accounts this process syncs at once. */
  concurrency?: number;
  pollMs?: number;
}

/** After a failed sync, try again after this long (or the interval, if shorter). */
const RETRY_AFTER_FAILURE_MS = 60_000;
/** A manual sync waits this long for a running one to finish, then answers 429. */
const MANUAL_WAIT_MS = 120_000;
const MAX_PROFILES_PER_RUN = 100;

/**
 * The change-sync scheduler every broker process runs. Accounts are claimed under a
 * lease in the database (FOR UPDATE SKIP LOCKED on PostgreSQL), so with any number of
 * replicas each account is synced by one process at a time; a crashed process's lease
 * simply expires (docs/decisions/0053-sync-scheduling-across-replicas.md).
 */
export class SyncScheduler {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly loop: BackgroundLoop;

  constructor(private readonly deps: SyncSchedulerDeps) {
    this.loop = new BackgroundLoop(
      () => this.tick(),
      (error) => this.deps.logger.error({ err: error }, 'sync scheduling failed'),
      true,
    );
  }

  /** Runs even with the interval at 0: hook requests are still served, nothing else is scheduled. */
  start(): void {
    this.loop.start(this.deps.pollMs ?? 1_000);
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.allSettled([...this.inFlight]);
  }

  /** A hook asked for a sync: look for work now rather than at the next poll. */
  nudge(): void {
    this.loop.nudge();
  }

  /**
   * Claims what is due, up to the free slots, and starts it; each sync that ends looks for
   * more at once, so `concurrency` syncs stay in flight while work is due (not one batch
   * per poll: docs/operations.md, "Sizing").
   */
  async tick(): Promise<void> {
    const free = (this.deps.concurrency ?? 2) - this.inFlight.size;
    if (free <= 0 || this.loop.stopped) return;
    const claimed = await this.deps.store.claimDueSyncs(
      this.deps.owner,
      this.deps.now(),
      this.deps.leaseMs,
      free,
      {
        scheduled: this.deps.intervalMs > 0,
      },
    );
    for (const state of claimed) {
      this.track(this.runClaimed(state, undefined, 'scheduler'))
        .catch((error: unknown) => this.deps.logger.error({ err: error }, 'sync run failed'))
        .finally(() => this.nudge());
    }
  }

  /** `POST /integrated-accounts/:id/sync`: runs now, waiting for a sync already under way. */
  async syncNow(accountId: string, mode: SyncMode, actor: string): Promise<SyncResult> {
    const deadline = this.deps.now() + MANUAL_WAIT_MS;
    for (;;) {
      const state = await this.deps.store.claimSync(
        accountId,
        this.deps.owner,
        this.deps.now(),
        this.deps.leaseMs,
      );
      if (state) return this.track(this.runClaimed(state, mode, actor, true));
      if (this.deps.now() > deadline)
        throw new BrokerError('rate_limited', 'A sync of this account is already running', {
          retryAfter: 30,
        });
      await sleep(250);
    }
  }

  private track<T>(run: Promise<T>): Promise<T> {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run)).catch(() => undefined);
    return run;
  }

  private async runClaimed(
    state: SyncState,
    manualMode: SyncMode | undefined,
    actor: string,
    rethrow = false,
  ): Promise<SyncResult> {
    const lease: SyncLease = { accountId: state.account_id, owner: this.deps.owner };
    const claimedAt = this.deps.now();
    const release = keepLeased(
      () => this.deps.store.renewSyncLease(lease, this.deps.now(), this.deps.leaseMs),
      this.deps.leaseMs,
      1_000,
    );
    const mode =
      manualMode ??
      (state.baseline_done && claimedAt < state.next_full_at ? 'incremental' : 'full');
    try {
      const account = await this.deps.getAccount(state.account_id);
      if (account?.status !== 'active') {
        if (rethrow && account)
          throw new BrokerError(
            'account_needs_reauth',
            'The account must be reconnected before it can sync',
          );
        await this.finish(lease, {
          next_run_at: claimedAt + this.deps.intervalMs,
          last_error: null,
          now: claimedAt,
        });
        return emptyCounts();
      }
      const run = await this.sync(account, state, lease, mode, manualMode !== undefined);
      const scheduled = !manualMode && !state.requested_at;
      this.deps.logger.info(
        {
          account_id: account.id,
          mode,
          // How late the sync started against its schedule (0 for a manual or hook sync),
          // and when it was due: the fleet bench counts runs per interval by due time.
          lag_ms: scheduled ? Math.max(0, claimedAt - state.next_run_at) : 0,
          ...(scheduled ? { due_at: new Date(state.next_run_at).toISOString() } : {}),
          ms: run.finishedAt - claimedAt,
        },
        'sync finished',
      );
      // Which replica ran it, and when it held the account: the trail shows that no two
      // syncs of one account ever overlapped (docs/lifecycle-events.md).
      await this.deps.audit(
        account.id,
        actor === 'scheduler' && (state.requested_at || run.hooked) ? 'nerm_hook' : actor,
        'sync',
        {
          mode: run.profilesOnly ? 'profiles' : mode,
          ...run.counts,
          replica: this.deps.owner,
          started_at: new Date(claimedAt).toISOString(),
          finished_at: new Date(run.finishedAt).toISOString(),
        },
      );
      return run.counts;
    } catch (error) {
      if (error instanceof LeaseLost) {
        this.deps.logger.warn({ account_id: lease.accountId }, error.message);
        if (rethrow)
          throw new BrokerError('rate_limited', 'A sync of this account is already running', {
            retryAfter: 30,
          });
        return emptyCounts();
      }
      const now = this.deps.now();
      const message = error instanceof Error ? error.message : String(error);
      this.deps.logger.warn({ account_id: lease.accountId, err: error }, 'sync failed');
      const held = await this.deps.store.finishSync(lease, {
        next_run_at:
          now + Math.min(this.deps.intervalMs || RETRY_AFTER_FAILURE_MS, RETRY_AFTER_FAILURE_MS),
        last_error: isBrokerError(error) ? `${error.code}: ${message}` : message,
        now,
      });
      // Lost to another replica meanwhile: the account is that replica's to report on.
      if (!held) this.deps.logger.warn({ account_id: lease.accountId }, lost(lease));
      else
        await this.deps
          .audit(lease.accountId, actor, 'sync_failed', {
            mode,
            error: isBrokerError(error) ? error.code : 'internal',
          })
          .catch(() => undefined);
      if (rethrow) throw error;
      return emptyCounts();
    } finally {
      release();
    }
  }

  private async sync(
    account: StoredAccount,
    state: SyncState,
    lease: SyncLease,
    mode: SyncMode,
    manual: boolean,
  ): Promise<{ counts: SyncResult; finishedAt: number; profilesOnly?: boolean; hooked: boolean }> {
    const claimedAt = this.deps.now();
    const source = this.deps.sourceFor(account);
    const profiles =
      state.baseline_done && state.profiles_requested !== false
        ? await this.deps.store.requestedProfiles(account.id, MAX_PROFILES_PER_RUN)
        : [];
    const counts = emptyCounts();
    if (profiles.length > 0) {
      add(counts, await this.deps.engine.runProfiles(account, source, lease, profiles));
      await this.deps.store.forgetRequestedProfiles(account.id, profiles);
    }
    // Only the named profiles were asked for and no sync is due (or none is ever
    // scheduled, the interval being 0): that is all.
    const due = this.deps.intervalMs > 0 && state.next_run_at <= claimedAt;
    if (!manual && profiles.length > 0 && !due && state.requested_at === null) {
      const finishedAt = this.deps.now();
      await this.finish(lease, {
        next_run_at: state.next_run_at,
        last_error: null,
        now: finishedAt,
      });
      return { counts, finishedAt, profilesOnly: true, hooked: true };
    }
    const outcome = await this.deps.engine.run(account, source, state, lease, mode);
    add(counts, outcome.counts);
    const now = this.deps.now();
    await this.finish(lease, {
      watermark: outcome.startedAt,
      baseline_done: true,
      // Scheduled sync: from when it was due, not when it ended (./next-run.ts).
      next_run_at: nextRunAt(
        manual || state.requested_at !== null ? Infinity : state.next_run_at,
        claimedAt,
        now,
        this.deps.intervalMs,
      ),
      ...(outcome.full ? { next_full_at: now + this.deps.fullEveryMs } : {}),
      served_requests_until: claimedAt,
      last_error: null,
      now,
    });
    return { counts, finishedAt: now, hooked: profiles.length > 0 };
  }

  /** Releases the lease with the outcome; a lease lost meanwhile makes the whole sync void. */
  private async finish(
    lease: SyncLease,
    finish: Parameters<LifecycleStore['finishSync']>[1],
  ): Promise<void> {
    if (!(await this.deps.store.finishSync(lease, finish)))
      throw new LeaseLost(`sync of ${lease.accountId}`);
  }
}

const lost = (lease: SyncLease) => new LeaseLost(`sync of ${lease.accountId}`).message;

function add(into: SyncResult, more: SyncResult): void {
  for (const key of Object.keys(into) as (keyof SyncResult)[]) into[key] += more[key];
}
