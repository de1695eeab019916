import type { Request, RequestHandler, Response } from 'express';
import {
  RateLimiterMemory,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { BrokerError } from '../errors.ts';
import { serviceUnavailable } from '../store/unavailable.ts';

export interface WindowLimit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

/**
 * Where every limit is counted: one call, so the counters can live in this process
 * (memory) or be shared by all replicas (PostgreSQL, Redis) behind the same seam
 * (docs/decisions/0031-rate-limits-over-rate-limiter-flexible.md).
 */
export interface RateLimiter {
  /**
   * Counts one hit on `key` under `rule`: undefined while within it, else the whole
   * seconds (at least 1) until the window frees up. Rejects when the backend fails.
   */
  hit(key: string, rule: WindowLimit): Promise<number | undefined>;
}

/** What a backend gets to build one rate-limiter-flexible limiter for one rule. */
export type LimiterOptions = Required<
  Pick<IRateLimiterOptions, 'points' | 'duration' | 'keyPrefix'>
>;

/**
 * A RateLimiter over rate-limiter-flexible: `create` makes one of its limiters per rule
 * (memory, `RateLimiterPostgres`, `RateLimiterRedis`…); the rule is in the key prefix, so
 * one key under two rules is counted twice, apart.
 */
export function flexibleRateLimiter(
  create: (options: LimiterOptions) => RateLimiterAbstract,
): RateLimiter {
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (rule: WindowLimit): RateLimiterAbstract => {
    const id = `${rule.limit}/${rule.windowMs}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = create({
        points: rule.limit,
        duration: rule.windowMs / 1000,
        keyPrefix: `rl:${id}`,
      });
      limiters.set(id, limiter);
    }
    return limiter;
  };
  return {
    async hit(key, rule) {
      try {
        await limiterFor(rule).consume(key);
        return undefined;
      } catch (outcome) {
        // The library rejects with a RateLimiterRes when over the limit, an Error when its store fails.
        if (outcome instanceof RateLimiterRes)
          return Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
        // A counter that cannot count is a 503, never a 500 (docs/errors.md).
        throw serviceUnavailable(outcome, 'shared counter');
      }
    },
  };
}

/** Fixed windows in this process's memory (one replica; docs/operations.md). */
export function memoryRateLimiter(): RateLimiter {
  return flexibleRateLimiter((options) => new RateLimiterMemory(options));
}

/** Express middleware: 429 `rate_limited` with Retry-After once `keyOf` is over `rule`. */
export function rateLimit(
  limiter: RateLimiter,
  rule: WindowLimit,
  keyOf: (req: Request, res: Response) => string,
): RequestHandler {
  return (req, res, next) => {
    limiter.hit(keyOf(req, res), rule).then((wait) => {
      if (wait === undefined) return next();
      next(
        new BrokerError('rate_limited', `Too many attempts; try again in ${wait} s`, {
          retryAfter: wait,
        }),
      );
    }, next);
  };
}
