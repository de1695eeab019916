/**
 * 200 callers at once on one tenant, through the real HTTP server (autocannon, loopback,
 * bounded by count): queued behind the tenant's budget, each gets its page or a 429 with
 * Retry-After, never a 5xx, a reset or a hang. Figures (req/s, p99) are `pnpm bench`'s.
 */
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, startStack, type Stack } from './helpers.ts';

describe('200 concurrent calls', () => {
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    // The default budget (16 in flight, 100 a second, 10 s wait) on one tenant.
    stack = await startStack({ sandbox: { persons: 300 } });
    ({ token } = await stack.connectAccount());
    await settled(stack.sandbox);
  });
  afterAll(async () => stack?.close());

  it.each([
    ['users', '/unified/user-directory/users?limit=20'],
    ['roles', '/unified/user-directory/roles?limit=20'],
  ])(
    '%s: every answer is 200 or 429 with Retry-After, none 5xx',
    async (_name, path) => {
      const statuses = new Map<number, number>();
      let retryAfterMissing = 0;
      stack.sandbox.stats.reset();
      const result = await autocannon({
        url: `${stack.url}${path}`,
        headers: { authorization: `Bearer ${token}` },
        connections: 200,
        amount: 400,
        timeout: 120,
        setupClient: (client) => {
          client.on('headers', (answer) => {
            const { statusCode, headers } = answer as unknown as {
              statusCode: number;
              headers: unknown;
            };
            statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
            // autocannon hands headers as a flat [name, value, …] list.
            const flat = headers as unknown as string[];
            const names = flat.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
            if (statusCode === 429 && !names.includes('retry-after')) retryAfterMissing++;
          });
        },
      });
      expect(result.errors).toBe(0);
      expect(result.timeouts).toBe(0);
      expect(result['5xx']).toBe(0);
      expect([...statuses.keys()].filter((s) => s !== 200 && s !== 429)).toEqual([]);
      expect((statuses.get(200) ?? 0) + (statuses.get(429) ?? 0)).toBe(400);
      expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
      expect(retryAfterMissing).toBe(0);
      expect(stack.sandbox.stats.maxInFlight).toBeLessThanOrEqual(16);
    },
    180_000,
  ); // a harness limit for a loaded machine, not an assertion
});
