import type { Logger } from 'pino';
import { BackgroundLoop, keepLeased } from './background-loop.ts';
import type { LifecycleStore, OutboxEvent } from './lifecycle-store.ts';
import {
  nextAttemptAt,
  RETRY_SCHEDULE_MS,
  type SendOutcome,
  type WebhookSender,
} from './webhook-sender.ts';

export interface DeliveryWorkerDeps {
  store: LifecycleStore;
  sender: WebhookSender;
  /** This process, as lease owner. */
  owner: string;
  now: () => number;
  logger: Logger;
  /**
   * NERM_BROKER_SYNC_LEASE_SECONDS: renewed while an attempt runs, so a killed process's
   * event is attempted again (same id) by another after at most this long.
   */
  leaseMs?: number;
  /** Accounts delivered to in parallel; each account's events go one at a time, in order. */
  concurrency?: number;
  schedule?: readonly number[];
  /** How often to look for due retries when nothing wakes the worker. */
  pollMs?: number;
}

/**
 * Drains the outbox: the oldest unsettled event of each account, claimed under a lease
 * (FOR UPDATE SKIP LOCKED on PostgreSQL) so exactly one replica attempts it, retried on
 * Svix's schedule. An account's next event waits until the one before it is delivered or
 * has failed for good, so receivers see each account's events in order.
 */
export class DeliveryWorker {
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly schedule: readonly number[];
  private readonly loop: BackgroundLoop;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.leaseMs = deps.leaseMs ?? 60_000;
    this.concurrency = deps.concurrency ?? 4;
    this.schedule = deps.schedule ?? RETRY_SCHEDULE_MS;
    this.loop = new BackgroundLoop(
      () => this.drain(),
      (error) => this.deps.logger.error({ err: error }, 'webhook delivery failed'),
      false,
    );
  }

  start(): void {
    this.loop.start(this.deps.pollMs ?? 1_000);
  }

  /** Finishes the attempts in flight, then stops. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Something was written to the outbox: deliver it now rather than at the next poll. */
  nudge(): void {
    this.loop.nudge();
  }

  /** Attempts everything due now until nothing is; returns the number of attempts. */
  async drain(): Promise<number> {
    let attempts = 0;
    while (!this.loop.stopped) {
      const claimed = await this.deps.store.claimDeliveries(
        this.deps.owner,
        this.deps.now(),
        this.leaseMs,
        this.concurrency,
      );
      if (claimed.length === 0) return attempts;
      await Promise.all(claimed.map((event) => this.attempt(event)));
      attempts += claimed.length;
    }
    return attempts;
  }

  private async attempt(event: OutboxEvent): Promise<void> {
    const release = keepLeased(
      () =>
        this.deps.store.renewDeliveryLease(
          event.id,
          this.deps.owner,
          this.deps.now(),
          this.leaseMs,
        ),
      this.leaseMs,
      500,
    );
    let outcome: SendOutcome;
    try {
      outcome = await this.deps.sender.send(event);
    } finally {
      release();
    }
    const at = this.deps.now();
    const result = outcome.ok
      ? ({ ok: true, at } as const)
      : {
          ok: false as const,
          at,
          error: outcome.error,
          next_attempt_at: nextAttemptAt(event.attempts + 1, at, this.schedule),
        };
    const recorded = await this.deps.store.recordAttempt(event.id, this.deps.owner, result);
    if (!recorded)
      this.deps.logger.warn({ event_id: event.id }, 'webhook lease expired during the attempt');
    if (!outcome.ok)
      this.deps.logger.info(
        { event_id: event.id, attempt: event.attempts + 1, error: outcome.error },
        result.ok || result.next_attempt_at !== null ? 'webhook attempt failed' : 'webhook gave up',
      );
  }
}
