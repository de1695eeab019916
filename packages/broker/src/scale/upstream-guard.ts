import { setTimeout as sleep } from 'node:timers/promises';
import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { Logger } from 'pino';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { BrokerError } from '../errors.ts';
import { OutboundError } from '../nerm/outbound.ts';
import type { Counters } from './counters.ts';
import type { SlotLease } from './slot-leases.ts';
import { redactHost, redactOrigin } from '../nerm/redact-host.ts';
import { serviceUnavailable } from '../store/unavailable.ts';

/** How hard all replicas together may call one NERM tenant (docs/operations.md). */
export interface UpstreamBudget {
  /** Requests in flight to one tenant origin at once, across every replica. */
  concurrency: number;
  /** Requests started per second to one tenant origin, across every replica; 0 = no limit. */
  perSecond: number;
  /** How long a call waits for the budget before the broker answers 429. */
  maxWaitMs: number;
  /** A slot not given back (its replica died) is free again after this long. */
  leaseMs: number;
}

export interface BreakerSettings {
  /** Consecutive failed calls (unreachable, timed out, 502/503/504) that open the breaker. */
  failures: number;
  /** How long an open breaker refuses calls before one trial call may pass. */
  cooldownMs: number;
}

export interface UpstreamGuardDeps {
  counters: Counters;
  budget: UpstreamBudget;
  breaker: BreakerSettings;
  logger?: Logger;
  now?: () => number;
}

/** Gateway answers that say the tenant is down or overloaded (a 500 can be the caller's doing). */
const UNAVAILABLE = new Set([502, 503, 504]);
const MAX_BREAKERS = 10_000;

interface Breaker {
  policy: CircuitBreakerPolicy;
  openedAt: number | undefined;
}

/**
 * Every call to a tenant passes here: a per-origin circuit breaker (cockatiel) in this
 * process, then a budget shared by all replicas (slots and a per-second window in the
 * shared counters). An open breaker answers `tenant_unreachable` at once with Retry-After;
 * a budget not free within `maxWaitMs` answers `rate_limited` (docs/operations.md).
 */
export class UpstreamGuard {
  private readonly breakers = new Map<string, Breaker>();
  private readonly perSecond: RateLimiterAbstract | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: UpstreamGuardDeps) {
    this.now = deps.now ?? Date.now;
    const { perSecond } = deps.budget;
    this.perSecond =
      perSecond > 0
        ? deps.counters.limiter({ points: perSecond, duration: 1, keyPrefix: 'upstream-rps' })
        : undefined;
  }

  /**
   * Runs one call to `origin` under its breaker and budget. A `background` call (a sync)
   * takes a slot only while fewer than half are in use, so callers always find the other
   * half free (docs/decisions/0083-background-calls-half-the-budget.md). With `wait: false`
   * a call finding no slot (or this second's starts spent) is refused at once instead of
   * waiting for one: a read ahead that nobody waits on yet.
   */
  async run<T extends { status: number }>(
    origin: string,
    call: () => Promise<T>,
    options: { background?: boolean; wait?: boolean } = {},
  ): Promise<T> {
    const breaker = this.breakerFor(origin);
    this.refuseIfOpen(origin, breaker);
    const lease = await this.acquire(origin, options.background === true, options.wait !== false);
    try {
      return (await breaker.policy.execute(call)) as T;
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.openError(origin, breaker);
      throw error;
    } finally {
      await lease.release().catch(() => undefined);
    }
  }

  /** Whether calls to `origin` are refused right now (for logs and tests). */
  isOpen(origin: string): boolean {
    const breaker = this.breakers.get(origin);
    return breaker?.openedAt !== undefined && this.remainingMs(breaker) > 0;
  }

  private refuseIfOpen(origin: string, breaker: Breaker): void {
    if (breaker.openedAt !== undefined && this.remainingMs(breaker) > 0)
      throw this.openError(origin, breaker);
  }

  private remainingMs(breaker: Breaker): number {
    if (breaker.openedAt === undefined) return 0;
    return breaker.openedAt + this.deps.breaker.cooldownMs - this.now();
  }

  private openError(origin: string, breaker: Breaker): BrokerError {
    const seconds = Math.max(1, Math.ceil(this.remainingMs(breaker) / 1000));
    return new BrokerError(
      'tenant_unreachable',
      `The tenant ${redactHost(new URL(origin).host)} failed repeatedly; the broker stops calling it for ${seconds} s`,
      { retryAfter: seconds },
    );
  }

  private breakerFor(origin: string): Breaker {
    const breaker = this.breakers.get(origin);
    if (breaker) return breaker;
    if (this.breakers.size >= MAX_BREAKERS) this.forgetClosed();
    const policy = circuitBreaker(
      handleWhen(
        (error) =>
          error instanceof OutboundError &&
          (error.kind === 'unreachable' || error.kind === 'timeout'),
      ).orWhenResult((result) => UNAVAILABLE.has((result as { status: number }).status)),
      {
        halfOpenAfter: this.deps.breaker.cooldownMs,
        breaker: new ConsecutiveBreaker(this.deps.breaker.failures),
      },
    );
    const made: Breaker = { policy, openedAt: undefined };
    policy.onBreak(() => {
      made.openedAt = this.now();
      this.deps.logger?.warn(
        { origin: redactOrigin(origin), cooldown_ms: this.deps.breaker.cooldownMs },
        'tenant breaker open: calls refused until the cooldown ends',
      );
    });
    policy.onReset(() => {
      made.openedAt = undefined;
      this.deps.logger?.info(
        { origin: redactOrigin(origin) },
        'tenant breaker closed: the tenant answers again',
      );
    });
    this.breakers.set(origin, made);
    return made;
  }

  private forgetClosed(): void {
    for (const [origin, breaker] of this.breakers)
      if (breaker.openedAt === undefined) this.breakers.delete(origin);
  }

  /** A slot, then a start in this second's window; waits for both up to `maxWaitMs` (or not). */
  private async acquire(origin: string, background: boolean, wait: boolean): Promise<SlotLease> {
    const { maxWaitMs, leaseMs } = this.deps.budget;
    const concurrency = background
      ? backgroundShare(this.deps.budget.concurrency)
      : this.deps.budget.concurrency;
    const deadline = this.now() + (wait ? maxWaitMs : 0);
    let pause = 5;
    let lease: SlotLease | undefined;
    for (;;) {
      lease = await this.deps.counters.slots
        .tryAcquire(origin, concurrency, leaseMs)
        .catch((error: unknown) => {
          throw serviceUnavailable(error, 'shared counter');
        });
      if (lease) break;
      if (this.now() >= deadline) throw budgetSpent();
      await sleep(Math.min(deadline - this.now(), pause * (0.5 + Math.random())));
      pause = Math.min(pause * 2, 200);
    }
    if (!this.perSecond) return lease;
    try {
      for (;;) {
        try {
          await this.perSecond.consume(origin);
          return lease;
        } catch (refusal) {
          // A counter that cannot count is a 503, never a 500 (docs/errors.md).
          if (!(refusal instanceof RateLimiterRes))
            throw serviceUnavailable(refusal, 'shared counter');
          const wait = refusal.msBeforeNext;
          if (this.now() + wait > deadline) throw budgetSpent();
          await sleep(wait + Math.random() * 20);
        }
      }
    } catch (error) {
      await lease.release().catch(() => undefined);
      throw error;
    }
  }
}

/** The slots background calls may hold: half, at least one. */
export function backgroundShare(concurrency: number): number {
  return Math.max(1, Math.floor(concurrency / 2));
}

function budgetSpent(): BrokerError {
  return new BrokerError(
    'rate_limited',
    "This tenant's request budget is in use; try again shortly",
    { retryAfter: 1 },
  );
}
