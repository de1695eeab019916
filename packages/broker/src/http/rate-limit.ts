import type { RequestHandler } from 'express';
import { BrokerError } from '../errors.ts';

export interface WindowLimit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

/** Fixed-window counters in memory; per broker process (see docs/operations.md). */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts a hit; returns seconds to wait when over the limit. */
  hit(key: string, rule: WindowLimit): number | undefined {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= rule.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
      if (this.windows.size > 50_000) this.sweep(now, rule.windowMs);
    }
    window.count++;
    if (window.count <= rule.limit) return undefined;
    return Math.max(1, Math.ceil((window.start + rule.windowMs - now) / 1000));
  }

  private sweep(now: number, windowMs: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= windowMs) this.windows.delete(key);
  }
}

export function rateLimit(
  limiter: RateLimiter,
  rule: WindowLimit,
  keyOf: (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => string,
): RequestHandler {
  return (req, res, next) => {
    const wait = limiter.hit(keyOf(req, res), rule);
    if (wait === undefined) return next();
    next(
      new BrokerError('rate_limited', `Too many attempts; try again in ${wait} s`, {
        retryAfter: wait,
      }),
    );
  };
}
