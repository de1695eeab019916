import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.close());

describe('secrets never leak', () => {
  it('keeps credentials, access tokens and link/public tokens out of the database, the log and every response', async () => {
    const { sandbox } = stack;
    const typo = 'nerm_typo_d3adb33f_c0ffee_0123456789';
    const wrongSecret = 'wrong-secret-8b1f0e7c5a6d4e3f2a1b';
    const linkTokens: string[] = [];
    const publicTokens: string[] = [];

    // Failures first: wrong key, wrong PAT secret, a key without rights, a bad URL.
    const lt = await stack.linkToken('tenant-secret');
    linkTokens.push(lt);
    await stack.connect(lt, { tenant_url: sandbox.url, auth: { type: 'api_key', api_key: typo } });
    await stack.connect(lt, {
      tenant_url: sandbox.url,
      auth: {
        type: 'pat',
        client_id: sandbox.credentials.client.clientId,
        client_secret: wrongSecret,
        token_url: sandbox.tokenUrl,
      },
    });
    await stack.connect(lt, {
      tenant_url: sandbox.url,
      auth: { type: 'api_key', api_key: sandbox.credentials.restrictedApiKey },
    });
    await stack.connect(lt, {
      tenant_url: `https://${typo}@evil.example`,
      auth: { type: 'api_key', api_key: typo },
    });
    await stack.connect(lt, {
      tenant_url: sandbox.url,
      auth: { type: 'api_key', api_key: typo },
      extra: wrongSecret,
    } as any);

    // Then successes with both auth modes, and real use of the tokens.
    for (const auth of [
      { type: 'api_key', api_key: sandbox.credentials.apiKey },
      {
        type: 'pat',
        client_id: sandbox.credentials.client.clientId,
        client_secret: sandbox.credentials.client.clientSecret,
        token_url: sandbox.tokenUrl,
      },
    ]) {
      const link = await stack.linkToken('tenant-secret');
      linkTokens.push(link);
      const connected = await stack.connect(link, { tenant_url: sandbox.url, auth });
      expect(connected.status).toBe(201);
      publicTokens.push(connected.body.public_token);
      const exchanged = await stack.admin('/tokens/exchange', {
        method: 'POST',
        json: { public_token: connected.body.public_token },
      });
      const token = exchanged.body.integrated_account_token;
      expect((await stack.call('/unified/user-directory/users?limit=5', { token })).status).toBe(
        200,
      );
      expect((await stack.call('/proxy/roles', { token })).status).toBe(200);
      await stack.admin(`/integrated-accounts/${exchanged.body.integrated_account_id}/verify`, {
        method: 'POST',
      });
    }

    const accessTokens = sandbox.stats.recent
      .map((r) => String(r.headers.authorization ?? ''))
      .filter((h) => h.startsWith('Bearer eyJ'))
      .map((h) => h.slice('Bearer '.length));
    expect(accessTokens.length).toBeGreaterThan(0);

    const secrets = [
      sandbox.credentials.apiKey,
      sandbox.credentials.client.clientSecret,
      sandbox.credentials.restrictedApiKey,
      typo,
      wrongSecret,
      ...accessTokens,
    ];
    const db = Buffer.concat(
      [stack.dbFile!, `${stack.dbFile}-wal`, `${stack.dbFile}-shm`].map((f) => {
        try {
          return readFileSync(f);
        } catch {
          return Buffer.alloc(0);
        }
      }),
    );
    const responses = stack.transcript.join('\n');
    const logs = stack.logs.text;
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(db.includes(Buffer.from(secret)), 'database').toBe(false);
      expect(responses.includes(secret), 'responses').toBe(false);
      expect(logs.includes(secret), 'log').toBe(false);
    }
    for (const token of [...linkTokens, ...publicTokens]) {
      expect(db.includes(Buffer.from(token)), 'tokens are stored hashed').toBe(false);
      expect(logs.includes(token)).toBe(false);
    }
    // The log has what operators need: request ids and outcomes, not bodies.
    expect(logs).toContain('"req_id"');
    expect(logs).not.toContain('"authorization"');
  });
});

describe('the request log', () => {
  it('has one line per answer: its id, method, path without the query, status and time, nothing else', async () => {
    const logged = stack.logs.lines.length;
    const res = await stack.call('/healthz?api_key=d3adb33f0c0ffee', {
      headers: { authorization: 'Bearer d3adb33f0c0ffee', 'x-request-id': 'req-log-line-1' },
    });
    const lines = stack.logs.lines
      .slice(logged)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['msg'] === 'request');
    expect(res.status).toBe(200);
    expect(lines).toEqual([
      {
        level: 30,
        time: expect.any(String),
        service: 'nerm-connect-broker',
        req_id: 'req-log-line-1',
        method: 'GET',
        path: '/healthz',
        status: 200,
        ms: expect.any(Number),
        msg: 'request',
      },
    ]);
  });
});

describe('a secret pasted into the tenant URL field', () => {
  it('is resolved at most, never echoed in the error or written to the log', async () => {
    const { sandbox } = stack;
    // A key that is one valid host label becomes <key>.nonemployee.com, which the allow
    // list admits, so the broker looks it up and fails to reach it.
    const pasted = 'd3adb33f0c0ffee0123456789abcdef0';
    const host = `${pasted}.nonemployee.com`;
    const logged = stack.logs.lines.length;
    for (const tenant_url of [pasted, `https://${host}/api`, `https://x.${pasted}.example`]) {
      const res = await stack.connect(await stack.linkToken('tenant-paste'), {
        tenant_url,
        auth: { type: 'api_key', api_key: sandbox.credentials.apiKey },
      });
      expect(res.status, tenant_url).toBeGreaterThanOrEqual(400);
      expect(res.text, tenant_url).not.toContain(pasted);
    }
    const res = await stack.connect(await stack.linkToken('tenant-paste'), {
      tenant_url: pasted,
      auth: { type: 'api_key', api_key: sandbox.credentials.apiKey },
    });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('tenant_unreachable');
    // The host is named by a digest and its registrable domain, which is no secret.
    expect(res.body.error.message).toMatch(/\bh_[0-9a-f]{8}\.nonemployee\.com\b/);
    const logs = stack.logs.lines.slice(logged).join('\n');
    expect(logs).toContain('tenant_unreachable');
    expect(logs).not.toContain(pasted);
  });
});
