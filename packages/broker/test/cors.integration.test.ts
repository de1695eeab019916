import { PATHS } from '@nerm-connect/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

// The red-team class "CORS" (docs/security.md, "Findings and fixes"): only the widget's
// /link/* endpoints speak CORS, to NERM_BROKER_ALLOWED_ORIGINS; the server-to-server API
// (API key, account token, proxy) never lets a browser page of any origin read an answer
// or send a credentialed request.

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack({ sandbox: { persons: 10 } });
  ({ token } = await stack.connectAccount('api_key', 'tenant-cors'));
});
afterAll(async () => stack.close());

const SERVER_PATHS = [
  PATHS.accounts,
  PATHS.linkTokens,
  PATHS.tokenExchange,
  PATHS.users,
  PATHS.roles,
  PATHS.events,
  '/proxy/roles',
];

describe('CORS outside the widget endpoints', () => {
  it('answers no preflight and grants no origin, allowed or not', async () => {
    for (const origin of ['https://evil.example', 'http://widget.test', 'null']) {
      for (const path of SERVER_PATHS) {
        const preflight = await fetch(`${stack.url}${path}`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type',
          },
        });
        expect(
          preflight.headers.get('access-control-allow-origin'),
          `${origin} ${path}`,
        ).toBeNull();
        expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
        expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
      }
      const admin = await stack.admin(PATHS.accounts, { headers: { origin } });
      expect(admin.status).toBe(200);
      expect(admin.headers.get('access-control-allow-origin')).toBeNull();
      const read = await stack.call(`${PATHS.roles}?limit=1`, { token, headers: { origin } });
      expect(read.status).toBe(200);
      expect(read.headers.get('access-control-allow-origin')).toBeNull();
      const proxied = await stack.call('/proxy/roles', { token, headers: { origin } });
      expect(proxied.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('never grants credentials, even to an allowed origin on /link', async () => {
    const res = await stack.call(PATHS.linkSession, {
      token: await stack.linkToken('tenant-cors'),
      headers: { origin: 'http://widget.test' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://widget.test');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')?.toLowerCase()).toContain('origin');
  });
});
