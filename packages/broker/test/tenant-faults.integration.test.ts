/**
 * NERM failing in the ways the sandbox can inject (5xx bursts, slow answers), seen through
 * the unified API: a bounded number of attempts, the contract's codes (docs/errors.md), and
 * other tenants unaffected (docs/operations.md, "Faults"). The breaker's own behaviour is in
 * upstream-guard.integration.test.ts.
 */
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { settled, startStack, type Stack } from './helpers.ts';

const USERS = '/unified/user-directory/users?limit=5';
const stacks: Stack[] = [];
const sandboxes: Sandbox[] = [];

afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.close();
  for (const sandbox of sandboxes.splice(0)) await sandbox.close();
});

describe('NERM failing under the unified API', () => {
  it('a tenant failing every call: 502 upstream_error after a bounded number of attempts, then served again', async () => {
    // The breaker stays out of this: so many failures would open it (its own test).
    const stack = await startStack({
      sandbox: { persons: 20 },
      env: { NERM_BROKER_BREAKER_FAILURES: '1000' },
    });
    stacks.push(stack);
    const { token } = await stack.connectAccount();
    await settled(stack.sandbox);
    stack.sandbox.stats.reset();
    stack.sandbox.faults.set({ failNext: { count: 1_000, status: 503 } });
    const failed = await stack.call(USERS, { token });
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('upstream_error');
    // Bounded by count, not by a clock: each NERM resource a list reads (five at most) is
    // tried once and retried four times, then given up.
    await settled(stack.sandbox);
    expect(stack.sandbox.stats.injectedFailures).toBe(stack.sandbox.stats.api);
    expect(stack.sandbox.stats.api).toBeGreaterThanOrEqual(5);
    expect(stack.sandbox.stats.api).toBeLessThanOrEqual(25);
    stack.sandbox.faults.set({});
    const served = await stack.call(USERS, { token });
    expect(served.status).toBe(200);
  });

  it('a burst the retries outlast: answered 200, the caller never sees it', async () => {
    const stack = await startStack({ sandbox: { persons: 20 } });
    stacks.push(stack);
    const { token } = await stack.connectAccount();
    await settled(stack.sandbox);
    stack.sandbox.stats.reset();
    stack.sandbox.faults.set({ failNext: { count: 3, status: 502 } });
    const res = await stack.call(USERS, { token });
    expect(res.status).toBe(200);
    expect(stack.sandbox.stats.injectedFailures).toBe(3);
  });

  it('a slow tenant holds no one else up: another tenant is served while its calls are in flight', async () => {
    const [slow, healthy] = [
      await startSandbox({ persons: 10 }),
      await startSandbox({ persons: 10 }),
    ];
    sandboxes.push(slow, healthy);
    const stack = await startStack({
      sandbox: slow,
      env: { NERM_BROKER_ALLOWED_HOSTS: `${slow.url},${healthy.url}` },
    });
    stacks.push(stack);
    const { token: slowToken } = await stack.connectAccount();
    const connected = await stack.connect(await stack.linkToken('tenant-healthy'), {
      tenant_url: healthy.url,
      auth: { type: 'api_key', api_key: healthy.credentials.apiKey },
    });
    const exchanged = await stack.admin('/tokens/exchange', {
      method: 'POST',
      json: { public_token: connected.body.public_token },
    });
    const healthyToken = exchanged.body.integrated_account_token as string;
    await settled(slow);
    slow.faults.set({ latencyMs: 10_000 });
    // Eight slow calls parked at the slow tenant; their answers are not awaited.
    const pending = Array.from({ length: 8 }, () =>
      stack.call('/proxy/profiles?limit=1', { token: slowToken }).catch(() => undefined),
    );
    while (slow.stats.inFlight < 8) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 5; i++) {
      const served = await stack.call(USERS, { token: healthyToken });
      expect(served.status).toBe(200);
    }
    // Counted, not timed: every healthy answer came while all eight slow calls were held.
    expect(slow.stats.inFlight).toBe(8);
    void pending;
  }, 60_000);
});
