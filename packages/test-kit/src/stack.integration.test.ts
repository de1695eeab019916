import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startStack } from './stack.ts';

/** Whether anything still answers at `url`. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url);
    return true;
  } catch {
    return false;
  }
}

describe('startStack: the NERM sandbox and the broker as processes', () => {
  it('starts both, wired together: a link token, a connect with the sandbox key, an exchange; close stops both', async () => {
    const steps: string[] = [];
    const stack = await startStack({
      sandbox: { persons: 20, apiKey: 'nerm_kit_fixed_key' },
      broker: { env: (sandbox) => ({ NERM_BROKER_ALLOWED_ORIGINS: new URL(sandbox.url).origin }) },
      progress: (line) => steps.push(line),
    });
    try {
      expect(stack.sandbox.api_key).toBe('nerm_kit_fixed_key');
      expect(stack.sandbox.token_url).toBe(`${stack.sandbox.url}/oauth/token`);
      expect(existsSync(join(stack.dataDir, 'broker.db'))).toBe(true);
      const admin = (path: string, body: unknown) =>
        fetch(`${stack.brokerUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const link = await admin('/link-tokens', { tenant_id: 'kit' });
      expect(link.status).toBe(201);
      const { link_token } = (await link.json()) as { link_token: string };
      const connect = await fetch(`${stack.brokerUrl}/link/connect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${link_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          tenant_url: stack.sandbox.url,
          auth: { type: 'api_key', api_key: stack.sandbox.api_key },
        }),
      });
      expect(connect.status).toBe(201);
      const { public_token } = (await connect.json()) as { public_token: string };
      expect((await admin('/tokens/exchange', { public_token })).status).toBe(200);
      // The extra environment reached the broker: the sandbox's origin may call it.
      const preflight = await fetch(`${stack.brokerUrl}/link/session`, {
        method: 'OPTIONS',
        headers: {
          origin: stack.sandbox.url,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe(stack.sandbox.url);
    } finally {
      await stack.close();
    }
    expect(await answers(stack.sandbox.url)).toBe(false);
    expect(await answers(stack.brokerUrl)).toBe(false);
    expect(steps).toEqual([
      'Starting the NERM sandbox (20 people)…',
      `  NERM sandbox ready at ${stack.sandbox.url}`,
      'Starting the broker…',
      `  broker ready at ${stack.brokerUrl}`,
    ]);
  });

  it('fails with the broker’s exit code when it cannot start, and leaves no sandbox running', async () => {
    let sandboxUrl = '';
    const failed = startStack({
      sandbox: { persons: 5 },
      broker: {
        env: (sandbox) => {
          sandboxUrl = sandbox.url;
          return { NERM_BROKER_ALLOWED_ORIGINS: 'not an origin' };
        },
      },
    });
    await expect(failed).rejects.toThrow('The broker stopped before it was ready (exit code 78)');
    expect(sandboxUrl).not.toBe('');
    expect(await answers(sandboxUrl)).toBe(false);
  });

  it('refuses a broker log level that would hide its ready line', async () => {
    await expect(
      startStack({ sandbox: { persons: 5 }, broker: { env: { NERM_BROKER_LOG_LEVEL: 'warn' } } }),
    ).rejects.toThrow(/NERM_BROKER_LOG_LEVEL/);
  });
});
