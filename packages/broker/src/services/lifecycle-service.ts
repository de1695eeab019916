import type {
  Account,
  AuditEntry,
  FeedEvent,
  LifecycleEvent,
  ListEnvelope,
  SyncMode,
  SyncResult,
} from '@nerm-connect/shared';
import { stringify } from 'csv-stringify/sync';
import type { Logger } from 'pino';
import { scopeDigest, type CursorCodec } from '../crypto/cursor.ts';
import { BrokerError } from '../errors.ts';
import type { RateLimiter, WindowLimit } from '../http/rate-limit.ts';
import { DeliveryWorker } from '../lifecycle/delivery-worker.ts';
import { accountEvent, type AccountEventType } from '../lifecycle/events.ts';
import type { LifecycleStore, OutboxEvent } from '../lifecycle/lifecycle-store.ts';
import { NermPersonSource, type DirectoryParts } from '../lifecycle/nerm-person-source.ts';
import { SyncEngine } from '../lifecycle/sync-engine.ts';
import { SyncScheduler } from '../lifecycle/sync-scheduler.ts';
import type { WebhookSender } from '../lifecycle/webhook-sender.ts';
import { newSyncHookId } from '../store/lifecycle-schema.ts';
import type { StoredAccount, Store } from '../store/store.ts';
import { iso, type AccountService } from './account-service.ts';

/** The feed keeps 30 days (docs/lifecycle-events.md). */
export const EVENT_RETENTION_MS = 30 * 86_400_000;
/** A full reconcile every this many sync intervals (at least hourly by default). */
const FULL_EVERY_INTERVALS = 12;

export interface LifecycleConfig {
  /** Delivery is off without a URL: events are only kept in the feed. */
  sender: WebhookSender | undefined;
  syncIntervalMs: number;
  fullSyncIntervalMs?: number;
  contractWarningDays: number;
  leaseMs: number;
  hookLimit: WindowLimit;
  /** Accounts this process syncs at once (NERM_BROKER_SYNC_CONCURRENCY). */
  syncConcurrency?: number;
  /** How often the scheduler looks for due work when nothing woke it. */
  pollMs?: number;
}

export interface LifecycleDeps {
  store: Store;
  lifecycle: LifecycleStore;
  accounts: AccountService;
  directory: DirectoryParts;
  cursors: CursorCodec;
  limiter: RateLimiter;
  logger: Logger;
  now: () => number;
  /** This process, as lease owner. */
  owner: string;
  config: LifecycleConfig;
}

const AUDIT_COLUMNS = ['id', 'at', 'actor', 'action', 'detail'];

/**
 * Lifecycle events (docs/lifecycle-events.md): syncs now and on schedule, the event feed, the NERM
 * hook, account events and the audit trail. See docs/lifecycle-events.md.
 */
export class LifecycleService {
  readonly scheduler: SyncScheduler;
  readonly worker: DeliveryWorker | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: LifecycleDeps) {
    const { config } = deps;
    const worker = config.sender
      ? new DeliveryWorker({
          store: deps.lifecycle,
          sender: config.sender,
          owner: deps.owner,
          now: deps.now,
          logger: deps.logger,
          leaseMs: config.leaseMs,
        })
      : undefined;
    this.worker = worker;
    const engine = new SyncEngine({
      store: deps.lifecycle,
      now: deps.now,
      warningDays: config.contractWarningDays,
      deliver: config.sender !== undefined,
      leaseMs: config.leaseMs,
      onEvents: () => worker?.nudge(),
    });
    this.scheduler = new SyncScheduler({
      store: deps.lifecycle,
      engine,
      getAccount: (id) => deps.store.getAccount(id),
      sourceFor: (account) =>
        new NermPersonSource(
          deps.accounts.tenantFor(account, { background: true }),
          deps.directory,
        ),
      audit: (accountId, actor, action, detail) => this.audit(accountId, actor, action, detail),
      owner: deps.owner,
      now: deps.now,
      logger: deps.logger,
      intervalMs: config.syncIntervalMs,
      fullEveryMs:
        config.fullSyncIntervalMs ??
        Math.max(config.syncIntervalMs * FULL_EVERY_INTERVALS, 3_600_000),
      leaseMs: config.leaseMs,
      ...(config.syncConcurrency ? { concurrency: config.syncConcurrency } : {}),
      ...(config.pollMs ? { pollMs: config.pollMs } : {}),
    });
  }

  start(): void {
    this.scheduler.start();
    this.worker?.start();
    const purge = () =>
      void this.deps.lifecycle
        .purgeEvents(this.deps.now() - EVENT_RETENTION_MS)
        .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'event purge failed'));
    purge();
    this.purgeTimer = setInterval(purge, 3_600_000);
    this.purgeTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.purgeTimer);
    await Promise.all([this.scheduler.stop(), this.worker?.stop()]);
  }

  // ---- syncs -----------------------------------------------------------------------

  async sync(accountId: string, mode: SyncMode, actor: string): Promise<SyncResult> {
    const account = await this.deps.accounts.require(accountId);
    if (account.status === 'disconnected')
      throw new BrokerError('account_disconnected', 'This account is disconnected');
    if (account.status === 'needs_reauth')
      throw new BrokerError('account_needs_reauth', 'Reconnect this account before syncing it');
    return this.scheduler.syncNow(accountId, mode, actor);
  }

  /**
   * `POST /hooks/nerm/:hook_id`: the id is the only credential. Queues a sync (of one
   * profile when named) for whichever replica claims the account, and answers at once.
   */
  async hook(hookId: string, profileId: string | undefined): Promise<void> {
    const wait = await this.deps.limiter.hit(`nerm-hook:${hookId}`, this.deps.config.hookLimit);
    if (wait !== undefined)
      throw new BrokerError('rate_limited', `Too many hook calls; try again in ${wait} s`, {
        retryAfter: wait,
      });
    const account = await this.deps.store.getAccountBySyncHook(hookId);
    if (!account || account.status === 'disconnected')
      throw new BrokerError('not_found', 'No sync hook has this id');
    await this.deps.lifecycle.requestSync(account.id, profileId ?? null, this.deps.now());
    await this.audit(account.id, 'nerm_hook', 'hook_called', {
      ...(profileId ? { profile_id: profileId } : {}),
    });
    this.scheduler.nudge();
  }

  /** A new hook id; the old one answers 404 from now on. */
  async rotateHook(accountId: string, actor: string): Promise<Account> {
    await this.deps.accounts.require(accountId);
    const row = await this.deps.store.setSyncHook(accountId, newSyncHookId(), this.deps.now());
    if (!row) throw new BrokerError('not_found', 'No integrated account has this id');
    await this.audit(accountId, actor, 'sync_hook_rotated', {});
    return this.deps.accounts.get(accountId);
  }

  // ---- events ----------------------------------------------------------------------

  /** Writes an account event to the outbox and wakes delivery. */
  async emitAccountEvent(type: AccountEventType, account: Account): Promise<void> {
    await this.deps.lifecycle.insertEvents(
      [accountEvent(type, account, this.deps.now())],
      this.deps.config.sender !== undefined,
    );
    this.worker?.nudge();
  }

  async listEvents(query: {
    integrated_account_id?: string | undefined;
    type?: LifecycleEvent['type'] | undefined;
    limit: number;
    next_cursor?: string | undefined;
  }): Promise<ListEnvelope<FeedEvent>> {
    const scope = scopeDigest('events', {
      integrated_account_id: query.integrated_account_id,
      type: query.type,
    });
    const afterSeq = query.next_cursor
      ? this.deps.cursors.decode(query.next_cursor, 'events', scope).o
      : undefined;
    const rows = await this.deps.lifecycle.listEvents({
      ...(query.integrated_account_id ? { accountId: query.integrated_account_id } : {}),
      ...(query.type ? { type: query.type } : {}),
      ...(afterSeq !== undefined ? { afterSeq } : {}),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      result: page.map(toFeedEvent),
      next_cursor:
        rows.length > query.limit && last
          ? this.deps.cursors.encode('events', scope, { o: last.seq })
          : null,
      prev_cursor: null,
      result_count: page.length,
    };
  }

  // ---- audit -----------------------------------------------------------------------

  async audit(
    accountId: string,
    actor: string,
    action: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.lifecycle.appendAudit({
      account_id: accountId,
      at: this.deps.now(),
      actor,
      action,
      detail,
    });
  }

  async listAudit(
    accountId: string,
    query: { limit: number; next_cursor?: string | undefined },
  ): Promise<ListEnvelope<AuditEntry>> {
    await this.deps.accounts.require(accountId);
    const scope = scopeDigest('audit', {});
    const before = query.next_cursor
      ? this.deps.cursors.decode(query.next_cursor, accountId, scope).o
      : undefined;
    const rows = await this.deps.lifecycle.listAudit(accountId, before, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      result: page.map((r) => ({
        id: String(r.seq),
        at: iso(r.at),
        actor: r.actor,
        action: r.action,
        detail: r.detail,
      })),
      next_cursor:
        rows.length > query.limit && last
          ? this.deps.cursors.encode(accountId, scope, { o: last.seq })
          : null,
      prev_cursor: null,
      result_count: page.length,
    };
  }

  /** The page as CSV (RFC 4180, formulas escaped so a spreadsheet never runs a cell). */
  static auditCsv(entries: AuditEntry[]): string {
    return stringify(
      entries.map((e) => [e.id, e.at, e.actor, e.action, JSON.stringify(e.detail)]),
      { header: true, columns: AUDIT_COLUMNS, escape_formulas: true, record_delimiter: 'windows' },
    );
  }
}

function toFeedEvent(row: OutboxEvent): FeedEvent {
  const event = JSON.parse(row.body) as LifecycleEvent;
  return {
    ...event,
    delivery: {
      status: row.status,
      attempts: row.attempts,
      failures: row.failures,
      last_error: row.last_error,
      last_attempt_at: row.last_attempt_at === null ? null : iso(row.last_attempt_at),
      next_attempt_at:
        row.status === 'pending' && row.next_attempt_at !== null ? iso(row.next_attempt_at) : null,
      delivered_at: row.delivered_at === null ? null : iso(row.delivered_at),
    },
  };
}

export type { StoredAccount };
