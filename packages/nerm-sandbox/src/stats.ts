export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Request counters, so tests and benchmarks can prove how many upstream calls happened. */
export class Stats {
  /** Every request received, whatever its outcome. */
  total = 0;
  /** Requests under `/api`, the ones faults apply to. */
  api = 0;
  rateLimited = 0;
  injectedFailures = 0;
  tokensIssued = 0;
  /** `/api` requests being answered right now, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;
  readonly byRoute = new Map<string, number>();
  /** The last requests, newest last (at most 100), for assertions on what was forwarded. */
  readonly recent: RecordedRequest[] = [];

  count(route: string): void {
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }

  record(request: RecordedRequest): void {
    this.recent.push(request);
    if (this.recent.length > 100) this.recent.shift();
  }

  route(route: string): number {
    return this.byRoute.get(route) ?? 0;
  }

  reset(): void {
    this.total = 0;
    this.api = 0;
    this.rateLimited = 0;
    this.injectedFailures = 0;
    this.tokensIssued = 0;
    this.maxInFlight = this.inFlight;
    this.byRoute.clear();
    this.recent.length = 0;
  }

  snapshot(): {
    total: number;
    api: number;
    rateLimited: number;
    injectedFailures: number;
    tokensIssued: number;
    maxInFlight: number;
    byRoute: Record<string, number>;
  } {
    return {
      total: this.total,
      api: this.api,
      rateLimited: this.rateLimited,
      injectedFailures: this.injectedFailures,
      tokensIssued: this.tokensIssued,
      maxInFlight: this.maxInFlight,
      byRoute: Object.fromEntries(this.byRoute),
    };
  }
}
