/**
 * The per-tenant budget and breaker, through the broker's HTTP API against real sandbox
 * tenants: what a caller sees, and what the tenant sees.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { settled, startStack, type Stack } from './helpers.ts';

const stacks: Stack[] = [];
const sandboxes: Sandbox[] = [];

afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.close();
  for (const sandbox of sandboxes.splice(0)) await sandbox.close();
});

async function stackWith(env: Record<string, string>, sandbox?: Sandbox): Promise<Stack> {
  const stack = await startStack({
    env,
    ...(sandbox ? { sandbox } : { sandbox: { persons: 20 } }),
  });
  stacks.push(stack);
  return stack;
}

const one = (token: string) => (stack: Stack) => stack.call('/proxy/profiles?limit=1', { token });

describe('the per-tenant upstream budget', () => {
  it('never has more calls in flight at the tenant than the budget, and serves every caller', async () => {
    const stack = await stackWith({ NERM_BROKER_UPSTREAM_CONCURRENCY: '2' });
    const { token } = await stack.connectAccount();
    await settled(stack.sandbox);
    stack.sandbox.faults.set({ latencyMs: 80 });
    stack.sandbox.stats.reset();
    const answers = await Promise.all(Array.from({ length: 12 }, () => one(token)(stack)));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    expect(stack.sandbox.stats.api).toBe(12);
    expect(stack.sandbox.stats.maxInFlight).toBe(2);
  });

  it('answers 429 rate_limited with Retry-After (the broker own limit) when the budget stays taken', async () => {
    const stack = await stackWith({
      NERM_BROKER_UPSTREAM_CONCURRENCY: '1',
      NERM_BROKER_UPSTREAM_MAX_WAIT: '0',
    });
    const { token } = await stack.connectAccount();
    await settled(stack.sandbox);
    stack.sandbox.faults.set({ latencyMs: 1_500 });
    const [first, second] = await Promise.all([one(token)(stack), one(token)(stack)]);
    const statuses = [first!.status, second!.status].sort();
    expect(statuses).toEqual([200, 429]);
    const refused = first!.status === 429 ? first! : second!;
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-rate-limit-source')).toBe('broker');
  });

  it('limits starts per second across the tenant: a burst gets exactly the budget, the rest 429', async () => {
    const stack = await stackWith({
      NERM_BROKER_UPSTREAM_RPS: '3',
      NERM_BROKER_UPSTREAM_CONCURRENCY: '50',
      NERM_BROKER_UPSTREAM_MAX_WAIT: '0',
    });
    const { token } = await stack.connectAccount();
    await settled(stack.sandbox);
    // The connect's own starts fall in an earlier window: let it lapse (a wait, not a measure).
    await sleep(1_100);
    stack.sandbox.stats.reset();
    const burst = await Promise.all(Array.from({ length: 7 }, () => one(token)(stack)));
    const statuses = burst.map((a) => a.status).sort();
    // Counted, not timed: three starts in the window, four refused without reaching the tenant.
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429]);
    for (const refused of burst.filter((a) => a.status === 429)) {
      expect(refused.body.error.code).toBe('rate_limited');
      expect(refused.headers.get('x-rate-limit-source')).toBe('broker');
    }
    expect(stack.sandbox.stats.api).toBe(3);
  });

  it('leaves half of the budget to callers: a sync never holds more than half the slots', async () => {
    const sandbox = await startSandbox({ persons: 1_500 });
    sandboxes.push(sandbox);
    const stack = await stackWith(
      { NERM_BROKER_UPSTREAM_CONCURRENCY: '4', NERM_BROKER_SYNC_INTERVAL: '0' },
      sandbox,
    );
    const { accountId } = await stack.connectAccount();
    await settled(sandbox);
    // Answers that take a moment: the sync's role index asks for 16 pages at once.
    sandbox.faults.set({ latencyMs: 40 });
    sandbox.stats.reset();
    await stack.broker.lifecycle.sync(accountId, 'full', 'test');
    sandbox.faults.set({});
    expect(sandbox.stats.route('GET /api/role_profiles')).toBeGreaterThan(2);
    expect(sandbox.stats.maxInFlight).toBe(2);
  });
});

describe('the per-tenant breaker', () => {
  it('opens after consecutive gateway failures: later calls are refused at once with Retry-After, without reaching the tenant', async () => {
    const stack = await stackWith({
      NERM_BROKER_BREAKER_FAILURES: '5',
      NERM_BROKER_BREAKER_COOLDOWN: '30',
    });
    const { token } = await stack.connectAccount();
    await settled(stack.sandbox);
    // One call and its four retries all meet a 503.
    stack.sandbox.faults.set({ failNext: { count: 5, status: 503 } });
    const failed = await one(token)(stack);
    expect(failed.status).toBe(503);
    stack.sandbox.stats.reset();
    const refused = await one(token)(stack);
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe('tenant_unreachable');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    const users = await stack.call('/unified/user-directory/users?limit=5', { token });
    expect(users.status).toBe(502);
    expect(users.body.error.code).toBe('tenant_unreachable');
    expect(stack.sandbox.stats.api).toBe(0);
  });

  it('keeps other tenants served while one is broken', async () => {
    const [broken, healthy] = [
      await startSandbox({ persons: 10 }),
      await startSandbox({ persons: 10 }),
    ];
    sandboxes.push(broken, healthy);
    const stack = await stackWith(
      { NERM_BROKER_ALLOWED_HOSTS: `${broken.url},${healthy.url}` },
      broken,
    );
    const { token } = await stack.connectAccount();
    const connected = await stack.connect(await stack.linkToken('tenant-healthy'), {
      tenant_url: healthy.url,
      auth: { type: 'api_key', api_key: healthy.credentials.apiKey },
    });
    expect(connected.status).toBe(201);
    const exchanged = await stack.admin('/tokens/exchange', {
      method: 'POST',
      json: { public_token: connected.body.public_token },
    });
    const healthyToken = exchanged.body.integrated_account_token as string;
    await settled(broken);
    broken.faults.set({ failNext: { count: 5, status: 502 } });
    expect((await one(token)(stack)).status).toBe(502);
    expect((await one(token)(stack)).body.error.code).toBe('tenant_unreachable');
    const served = await stack.call('/unified/user-directory/users?limit=5', {
      token: healthyToken,
    });
    expect(served.status).toBe(200);
    expect(served.body.result.length).toBeGreaterThan(0);
  });

  it('rides out a short burst of 5xx without opening', async () => {
    const stack = await stackWith({ NERM_BROKER_BREAKER_FAILURES: '5' });
    const { token } = await stack.connectAccount();
    await settled(stack.sandbox);
    stack.sandbox.faults.set({ failEvery: { every: 6, burst: 3, status: 503 } });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await one(token)(stack)).status);
    expect(statuses).toEqual(Array(10).fill(200));
  });

  it('lets one trial call through after the cooldown, and closes when it succeeds', async () => {
    const stack = await stackWith({
      NERM_BROKER_BREAKER_FAILURES: '2',
      NERM_BROKER_BREAKER_COOLDOWN: '1',
    });
    const { token } = await stack.connectAccount();
    await settled(stack.sandbox);
    stack.sandbox.faults.set({ failNext: { count: 5, status: 504 } });
    await one(token)(stack);
    expect((await one(token)(stack)).body.error.code).toBe('tenant_unreachable');
    stack.sandbox.faults.set({});
    await sleep(1_200); // past the cooldown
    expect((await one(token)(stack)).status).toBe(200);
    expect((await one(token)(stack)).status).toBe(200);
  });

  it('counts a tenant that stops answering in time as failing', async () => {
    const stack = await startStack({
      sandbox: { persons: 10 },
      env: { NERM_BROKER_BREAKER_FAILURES: '3', NERM_BROKER_BREAKER_COOLDOWN: '30' },
      overrides: { outboundTimeoutMs: 150 },
    });
    stacks.push(stack);
    const { token } = await stack.connectAccount();
    await settled(stack.sandbox);
    stack.sandbox.faults.set({ latencyMs: 1_000 });
    const slow = await one(token)(stack);
    expect(slow.status).toBe(502);
    expect(slow.body.error.code).toBe('tenant_unreachable');
    stack.sandbox.stats.reset();
    const refused = await one(token)(stack);
    expect(refused.body.error.code).toBe('tenant_unreachable');
    expect(refused.headers.get('retry-after')).not.toBeNull();
    await settled(stack.sandbox);
    expect(stack.sandbox.stats.api).toBe(0);
  });
});
