/** Faults a test or benchmark can switch on, at start or at any time. */
export interface FaultPlan {
  /** Every Nth `/api` request answers 429 with `Retry-After`. */
  rateLimitEvery?: number;
  /** Value of `Retry-After` on injected 429s, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Added latency on every `/api` response, in milliseconds. */
  latencyMs?: number;
  /** In every window of `every` requests, the last `burst` answer `status` (5xx). */
  failEvery?: { every: number; burst: number; status?: 500 | 502 | 503 | 504 };
  /**
   * The next N `/api` requests answer `status`, then service resumes. With `methods`,
   * only requests of those methods count (`['PATCH']`: the next write fails, reads pass).
   */
  failNext?: { count: number; status?: 500 | 502 | 503 | 504; methods?: string[] };
  /**
   * Every `/api` request waits, counted as arrived, until a plan without `hold` replaces
   * this one: a test can act while a request is certainly in flight (a fixed latency can be
   * outrun on a loaded machine).
   */
  hold?: boolean;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'rate_limited'; retryAfter: number }
  | { kind: 'fail'; status: number };

export class Faults {
  private plan: FaultPlan = {};
  private failNextLeft = 0;
  private held: { done: Promise<void>; release: () => void } | undefined;

  constructor(plan: FaultPlan = {}) {
    this.set(plan);
  }

  /** Replaces the whole plan; `set({})` switches every fault off. */
  set(plan: FaultPlan): void {
    this.plan = { ...plan };
    this.failNextLeft = plan.failNext?.count ?? 0;
    if (plan.hold && !this.held) {
      let release = () => {};
      const done = new Promise<void>((r) => (release = r));
      this.held = { done, release };
    } else if (!plan.hold && this.held) {
      this.held.release();
      this.held = undefined;
    }
  }

  /** Resolves when `/api` answers may go on (at once unless the plan holds them). */
  async released(): Promise<void> {
    await this.held?.done;
  }

  get latencyMs(): number {
    return this.plan.latencyMs ?? 0;
  }

  /** Decides the fate of the `n`th (1-based) `/api` request. */
  decide(n: number, method = 'GET'): FaultDecision {
    const { rateLimitEvery, failEvery, failNext } = this.plan;
    const counts = !failNext?.methods || failNext.methods.includes(method.toUpperCase());
    if (this.failNextLeft > 0 && counts) {
      this.failNextLeft--;
      return { kind: 'fail', status: failNext?.status ?? 503 };
    }
    if (rateLimitEvery && rateLimitEvery > 0 && n % rateLimitEvery === 0) {
      return { kind: 'rate_limited', retryAfter: this.plan.retryAfterSeconds ?? 1 };
    }
    if (
      failEvery &&
      failEvery.every > 0 &&
      (n - 1) % failEvery.every >= failEvery.every - failEvery.burst
    ) {
      return { kind: 'fail', status: failEvery.status ?? 503 };
    }
    return { kind: 'none' };
  }
}
