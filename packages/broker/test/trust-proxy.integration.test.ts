import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from './helpers.ts';

// Issue 8, finding 3 (docs/security.md, "Findings and fixes"): behind a proxy that
// appends to X-Forwarded-For, the left-most entry is whatever the client wrote.

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ persons: 5 });
});
afterAll(async () => {
  await sandbox.close();
});

/**
 * Session reads through a proxy that appends to X-Forwarded-For, as nginx does:
 * `<whatever the client wrote>, <inner hop>, <the client the proxy saw>`.
 */
async function statusesBehind(trustProxy: string, realClients: string[]) {
  const stack = await startStack({
    sandbox,
    env: { NERM_BROKER_TRUST_PROXY: trustProxy },
    overrides: { limits: { connectPerIp: { limit: 3, windowMs: 60_000 } } },
  });
  try {
    const lt = await stack.linkToken();
    const statuses: Record<string, number[]> = {};
    for (const client of realClients) {
      for (let i = 0; i < 6; i++) {
        const res = await stack.call('/link/session', {
          token: lt,
          headers: { 'x-forwarded-for': `198.51.100.${i}, 10.1.2.3, ${client}` },
        });
        (statuses[client] ??= []).push(res.status);
      }
    }
    return statuses;
  } finally {
    await stack.close();
  }
}

const LIMITED = [200, 200, 200, 429, 429, 429];

describe('NERM_BROKER_TRUST_PROXY', () => {
  it('as a hop count, keys the rate limit on the client the proxy saw, not on what it wrote', async () => {
    expect(await statusesBehind('1', ['203.0.113.7', '203.0.113.8'])).toEqual({
      '203.0.113.7': LIMITED,
      '203.0.113.8': LIMITED,
    });
  });

  it('as the proxies’ addresses and CIDRs, skips exactly those hops', async () => {
    // The test client is 127.0.0.1 (the outer proxy); 10.0.0.0/8 holds an inner hop.
    expect(await statusesBehind('loopback, 10.0.0.0/8', ['203.0.113.7', '203.0.113.8'])).toEqual({
      '203.0.113.7': LIMITED,
      '203.0.113.8': LIMITED,
    });
  });

  it('unset, keys on the connection and ignores X-Forwarded-For', async () => {
    expect(await statusesBehind('', ['203.0.113.7', '203.0.113.8'])).toEqual({
      '203.0.113.7': LIMITED,
      '203.0.113.8': [429, 429, 429, 429, 429, 429],
    });
  });
});
