import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

// Issue 8, finding 1 (docs/security.md, "Findings and fixes"): ten connects whose
// credential could not travel in a header used to hang every call to that tenant.

let sandbox: Sandbox;
let stack: Stack;
let tokenServer: Server;
let tokenOrigin: string;
let tokenHits = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 40 });
  // A token endpoint that hands out an access token no header can carry.
  tokenServer = createServer((_req, res) => {
    tokenHits++;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(
        JSON.stringify({ access_token: 'tok\u2019en\r\nx', token_type: 'bearer', expires_in: 600 }),
      );
  });
  await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
  tokenOrigin = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}`;
  stack = await startStack({
    sandbox,
    env: { NERM_BROKER_ALLOWED_HOSTS: `${sandbox.url},${tokenOrigin}` },
    overrides: { limits: { connectPerIp: { limit: 1000, windowMs: 60_000 } } },
  });
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
  tokenServer.closeAllConnections();
  await new Promise((r) => tokenServer.close(r));
});

/** Everything another customer of the same tenant origin does must still answer. */
async function victimStillServed(victim: { token: string }) {
  const users = await stack.call('/unified/user-directory/users?limit=2', { token: victim.token });
  expect(users.status).toBe(200);
  expect(users.body.result).toHaveLength(2);
  const proxied = await stack.call('/proxy/profile_types', { token: victim.token });
  expect(proxied.status).toBe(200);
  const fresh = await stack.connect(await stack.linkToken());
  expect(fresh.status).toBe(201);
}

describe('one link token cannot hang a tenant', () => {
  it('ten connects with a key no header can carry, then every other customer still gets answers', async () => {
    const victim = await stack.connectAccount();
    const lt = await stack.linkToken();
    const key = sandbox.credentials.apiKey;
    const poisons = [
      '\u2019',
      '\n',
      '\u{1F600}',
      '\u0000',
      '\u0416',
      '\u00a0',
      '\u201c',
      '\t',
      '\u007f',
      '\u2028',
    ];
    for (const poison of poisons) {
      const res = await stack.connect(lt, {
        tenant_url: sandbox.url,
        auth: { type: 'api_key', api_key: `${key.slice(0, 6)}${poison}${key.slice(6)}` },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.issues[0].path).toEqual(['auth', 'api_key']);
    }
    await victimStillServed(victim);
  });

  it('an access token no header can carry is refused once, never sent, never retried', async () => {
    const victim = await stack.connectAccount();
    const before = sandbox.stats.recent.length;
    tokenHits = 0;
    for (let i = 0; i < 20; i++) {
      const res = await stack.connect(await stack.linkToken(), {
        tenant_url: sandbox.url,
        auth: {
          type: 'pat',
          client_id: 'attacker',
          client_secret: 'attacker-secret',
          token_url: `${tokenOrigin}/oauth/token`,
        },
      });
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('not_a_nerm_tenant');
    }
    expect(tokenHits).toBe(20);
    const sent = sandbox.stats.recent.slice(before);
    expect(sent.filter((r) => String(r.headers.authorization).includes('tok'))).toEqual([]);
    await victimStillServed(victim);
  });
});
