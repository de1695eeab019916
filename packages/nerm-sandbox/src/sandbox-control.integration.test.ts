// Authentication, faults, rotation, the /__sandbox controls and quirks; the NERM API's
// paging, filters and objects: sandbox.integration.test.ts.
import { describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index.ts';
import { accessToken, sandboxCall, useSandbox } from '../test/sandbox-calls.ts';

let sandbox: Sandbox;
const call = (path: string, init?: Parameters<typeof sandboxCall>[2]) =>
  sandboxCall(sandbox, path, init);

useSandbox((started) => (sandbox = started));

describe('authentication', () => {
  it('refuses a call without credentials or with a wrong key', async () => {
    expect((await call('/api/profiles', { auth: null })).status).toBe(401);
    const wrong = await call('/api/profiles', { auth: 'not-the-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: expect.any(String) });
  });

  it('accepts the legacy key as Bearer and in the historical Token form', async () => {
    expect((await call('/api/roles')).status).toBe(200);
    const res = await fetch(`${sandbox.url}/api/roles`, {
      headers: { authorization: `Token token=${sandbox.credentials.apiKey}` },
    });
    expect(res.status).toBe(200);
  });

  it('exchanges PAT client credentials for a bearer access token', async () => {
    const { clientId, clientSecret } = sandbox.credentials.client;
    const { status, body } = await accessToken(sandbox, clientId, clientSecret);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      token_type: 'bearer',
      expires_in: 749,
      access_token: expect.any(String),
    });
    expect((await call('/api/profiles?limit=1', { auth: body.access_token })).status).toBe(200);
    expect(sandbox.stats.tokensIssued).toBe(1);
  });

  it('refuses a wrong client secret and an unsupported grant', async () => {
    const bad = await accessToken(sandbox, sandbox.credentials.client.clientId, 'wrong');
    expect(bad).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const res = await fetch(sandbox.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password' }),
    });
    expect(res.status).toBe(400);
  });

  it('refuses an access token once it has expired', async () => {
    const { clientId, clientSecret } = sandbox.credentials.client;
    const { body } = await accessToken(sandbox, clientId, clientSecret);
    sandbox.expireTokens();
    const { status } = await call('/api/profiles?limit=1', { auth: body.access_token });
    expect(status).toBe(401);
  });

  it('expires tokens after the configured lifetime', async () => {
    const short = await startSandbox({ persons: 10, tokenTtlSeconds: 0 });
    try {
      const res = await fetch(short.tokenUrl, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: short.credentials.client.clientId,
          client_secret: short.credentials.client.clientSecret,
        }),
      });
      const { access_token, expires_in } = (await res.json()) as any;
      expect(expires_in).toBe(0);
      const api = await fetch(`${short.url}/api/profiles`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(api.status).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('answers 403 to valid credentials of a non-admin identity', async () => {
    expect(
      (await call('/api/profiles', { auth: sandbox.credentials.restrictedApiKey })).status,
    ).toBe(403);
    const { clientId, clientSecret } = sandbox.credentials.restrictedClient;
    const { body } = await accessToken(sandbox, clientId, clientSecret);
    expect((await call('/api/profiles', { auth: body.access_token })).status).toBe(403);
  });
});

describe('fault injection and counters', () => {
  it('answers every Nth request with 429 and Retry-After', async () => {
    sandbox.faults.set({ rateLimitEvery: 3, retryAfterSeconds: 2 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const res = await call('/api/roles');
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 429, 200, 200, 429]);
    expect(retryAfter).toBe('2');
    expect(sandbox.stats.rateLimited).toBe(2);
  });

  it('injects 5xx bursts, gateway style (not JSON)', async () => {
    sandbox.faults.set({ failEvery: { every: 4, burst: 2, status: 502 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await call('/api/roles')).status);
    expect(statuses).toEqual([200, 200, 502, 502, 200, 200, 502, 502]);
    sandbox.faults.set({ failNext: { count: 1, status: 503 } });
    const failed = await call('/api/roles');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('content-type')).toContain('text/html');
    expect((await call('/api/roles')).status).toBe(200);
  });

  it('fails only the next write when failNext names methods, leaving reads alone', async () => {
    sandbox.faults.set({ failNext: { count: 1, status: 500, methods: ['PATCH'] } });
    expect((await call('/api/roles')).status).toBe(200);
    const id = sandbox.data.profiles[0]!.id;
    const patch = () =>
      fetch(`${sandbox.url}/api/profiles/${id}`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${sandbox.credentials.apiKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ profile: { status: 'Active' } }),
      });
    expect((await patch()).status).toBe(500);
    expect((await patch()).status).toBe(200);
  });

  it('adds latency to /api responses', async () => {
    sandbox.faults.set({ latencyMs: 120 });
    const started = performance.now();
    await call('/api/roles');
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('holds /api answers, counted as arrived, until a plan without hold replaces it', async () => {
    sandbox.faults.set({ hold: true });
    const before = sandbox.stats.api;
    let answered = false;
    const pending = call('/api/roles').then((res) => ((answered = true), res));
    while (sandbox.stats.api === before) await new Promise((r) => setTimeout(r, 5));
    expect(sandbox.stats.inFlight).toBe(1);
    // Another plan that still holds keeps it waiting.
    sandbox.faults.set({ hold: true, latencyMs: 0 });
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    sandbox.faults.set({});
    expect((await pending).status).toBe(200);
    expect(sandbox.stats.inFlight).toBe(0);
  });

  it('counts requests per route', async () => {
    await call('/api/profiles?limit=1');
    await call('/api/profiles?limit=1&offset=1');
    await call(`/api/profiles/${sandbox.data.profiles[0]!.id}`);
    expect(sandbox.stats.route('GET /api/profiles')).toBe(2);
    expect(sandbox.stats.route('GET /api/profiles/:id')).toBe(1);
    expect(sandbox.stats.api).toBe(3);
  });
});

describe('credential rotation', () => {
  it('revokes the old legacy key and PAT secret and issues new ones', async () => {
    const oldKey = sandbox.credentials.apiKey;
    const oldSecret = sandbox.credentials.client.clientSecret;
    const { body } = await accessToken(sandbox, sandbox.credentials.client.clientId, oldSecret);
    sandbox.rotateCredentials();
    expect((await call('/api/roles', { auth: oldKey })).status).toBe(401);
    expect((await call('/api/roles', { auth: body.access_token })).status).toBe(401);
    expect(
      (await accessToken(sandbox, sandbox.credentials.client.clientId, oldSecret)).status,
    ).toBe(401);
    expect((await call('/api/roles')).status).toBe(200);
    expect(sandbox.credentials.apiKey).not.toBe(oldKey);
  });
});

describe('sandbox control', () => {
  it('reports its counters at /__sandbox/stats, outside the NERM API', async () => {
    await call('/api/roles');
    const res = await fetch(`${sandbox.url}/__sandbox/stats`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ api: 1, byRoute: { 'GET /api/roles': 1 } });
  });

  it('tells a host its demo credentials at /__sandbox/credentials: the ones that work now', async () => {
    const read = async () => {
      const res = await fetch(`${sandbox.url}/__sandbox/credentials`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      // Read by a host's backend, never by another site's page.
      expect(res.headers.get('access-control-allow-origin')).toBe(null);
      return (await res.json()) as Record<string, any>;
    };
    const before = await read();
    expect(before).toEqual({
      url: sandbox.url,
      token_url: sandbox.tokenUrl,
      api_key: sandbox.credentials.apiKey,
      client_id: sandbox.credentials.client.clientId,
      client_secret: sandbox.credentials.client.clientSecret,
      restricted: {
        api_key: sandbox.credentials.restrictedApiKey,
        client_id: sandbox.credentials.restrictedClient.clientId,
        client_secret: sandbox.credentials.restrictedClient.clientSecret,
      },
    });
    expect((await call('/api/roles', { auth: before.api_key })).status).toBe(200);
    expect((await accessToken(sandbox, before.client_id, before.client_secret)).status).toBe(200);
    expect((await call('/api/roles', { auth: before.restricted.api_key })).status).toBe(403);

    // The tenant admin revokes them: the endpoint gives the new ones, which work.
    sandbox.rotateCredentials();
    const after = await read();
    expect(after.api_key).not.toBe(before.api_key);
    expect(after.client_secret).not.toBe(before.client_secret);
    expect((await call('/api/roles', { auth: after.api_key })).status).toBe(200);
    expect((await accessToken(sandbox, after.client_id, after.client_secret)).status).toBe(200);
  });

  it('answers only GET there, and nothing of it under /api', async () => {
    expect((await fetch(`${sandbox.url}/__sandbox/credentials`, { method: 'PUT' })).status).toBe(
      404,
    );
    expect((await call('/api/credentials')).status).not.toBe(200);
  });
});

describe('quirks (spec-legal variations)', () => {
  it('can leave out _metadata and cap limit lower than 500', async () => {
    const odd = await startSandbox({ persons: 30, quirks: { noMetadata: true, maxLimit: 7 } });
    try {
      const res = await fetch(`${odd.url}/api/profiles?limit=500&metadata=true`, {
        headers: { authorization: `Bearer ${odd.credentials.apiKey}` },
      });
      const body = (await res.json()) as any;
      expect(body.profiles).toHaveLength(7);
      expect(body).not.toHaveProperty('_metadata');
    } finally {
      await odd.close();
    }
  });
});
