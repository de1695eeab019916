import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index.ts';

let sandbox: Sandbox;

async function call(path: string, init: RequestInit & { auth?: string | null } = {}) {
  const { auth, ...rest } = init;
  const headers = new Headers(rest.headers);
  const credential = auth === undefined ? sandbox.credentials.apiKey : auth;
  if (credential !== null) headers.set('authorization', `Bearer ${credential}`);
  if (rest.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const res = await fetch(`${sandbox.url}${path}`, { ...rest, headers });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body };
}

async function accessToken(clientId: string, clientSecret: string) {
  const res = await fetch(sandbox.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.faults.set({});
  sandbox.stats.reset();
});

describe('paging', () => {
  it('returns 100 records by default, wrapped under the plural key, without _metadata', async () => {
    const { status, body } = await call('/api/profiles');
    expect(status).toBe(200);
    expect(body.profiles).toHaveLength(100);
    expect(body).not.toHaveProperty('_metadata');
  });

  it('silently caps limit at 500', async () => {
    const { status, body } = await call('/api/profiles?limit=1000&metadata=true');
    expect(status).toBe(200);
    expect(body.profiles).toHaveLength(500);
    expect(body._metadata.limit).toBe(500);
  });

  it('counts offset in records from 0', async () => {
    const all = (await call('/api/profiles?limit=5')).body.profiles;
    const shifted = (await call('/api/profiles?limit=2&offset=1')).body.profiles;
    expect(shifted.map((p: any) => p.id)).toEqual(all.slice(1, 3).map((p: any) => p.id));
  });

  it('adds _metadata {limit, offset, total, next, previous} with metadata=true', async () => {
    const total = sandbox.data.profiles.filter((p) => !p.archived).length;
    const first = (await call('/api/profiles?limit=10&metadata=true')).body._metadata;
    expect(first).toEqual({
      limit: 10,
      offset: 0,
      total,
      next: expect.stringContaining('offset=10'),
      previous: null,
    });
    const last = (await call(`/api/profiles?limit=10&offset=${total - 3}&metadata=true`)).body;
    expect(last.profiles).toHaveLength(3);
    expect(last._metadata.next).toBeNull();
    expect(last._metadata.previous).toContain(`offset=${total - 13}`);
  });

  it('refuses a limit that is not a positive integer with a NERM error body', async () => {
    for (const bad of ['0', '-1', 'ten']) {
      const { status, body } = await call(`/api/profiles?limit=${bad}`);
      expect(status).toBe(400);
      expect(body).toEqual({ error: expect.any(String) });
    }
  });

  it('pages every resource the same way', async () => {
    for (const key of [
      'profile_types',
      'roles',
      'role_profiles',
      'users',
      'user_roles',
      'workflow_sessions',
      'ne_attributes',
    ]) {
      const { status, body } = await call(`/api/${key}?limit=2&metadata=true`);
      expect(status, key).toBe(200);
      expect(body[key].length, key).toBeLessThanOrEqual(2);
      expect(body._metadata.total, key).toBeGreaterThan(0);
    }
  });

  it('walks profiles in keyset mode with after_id, ending with after_id null', async () => {
    let after = '';
    const seen = new Set<string>();
    for (;;) {
      const { status, body } = await call(
        `/api/profiles?limit=500&metadata=true&exclude_attributes=true&after_id=${after}`,
      );
      expect(status).toBe(200);
      for (const p of body.profiles) seen.add(p.id);
      if (body._metadata.after_id === null) break;
      after = body._metadata.after_id;
    }
    expect(seen.size).toBe(sandbox.data.profiles.length);
    expect((await call('/api/profiles?after_id=&offset=5')).status).toBe(400);
  });
});

describe('filters', () => {
  it('filters profiles by profile_type_id and status', async () => {
    const type = sandbox.data.profileTypes.find((t) => t.uid === 'contractor')!;
    const { body } = await call(
      `/api/profiles?profile_type_id=${type.id}&status=On%20Leave&limit=500`,
    );
    expect(body.profiles.length).toBeGreaterThan(0);
    for (const p of body.profiles) {
      expect(p.profile_type_id).toBe(type.id);
      expect(p.status).toBe('On Leave');
    }
  });

  it('refuses an unknown status value', async () => {
    expect((await call('/api/profiles?status=Gone')).status).toBe(400);
  });

  it('takes a date for updated_after and refuses a timestamp', async () => {
    const { body } = await call('/api/profiles?updated_after=2024-06-01&limit=500&metadata=true');
    const expected = sandbox.data.profiles.filter(
      (p) => !p.archived && Date.parse(p.updated_at) >= Date.UTC(2024, 5, 1),
    );
    expect(body._metadata.total).toBe(expected.length);
    expect((await call('/api/profiles?updated_after=2024-06-01T00:00:00Z')).status).toBe(400);
  });

  it('filters role_profiles, user_roles and users by their keys', async () => {
    const link = sandbox.data.roleProfiles[0]!;
    const byProfile = (await call(`/api/role_profiles?profile_id=${link.profile_id}`)).body
      .role_profiles;
    expect(byProfile.every((rp: any) => rp.profile_id === link.profile_id)).toBe(true);
    expect(byProfile.map((rp: any) => rp.id)).toContain(link.id);
    const byRole = (await call(`/api/role_profiles?role_id=${link.role_id}&limit=500`)).body
      .role_profiles;
    expect(byRole.every((rp: any) => rp.role_id === link.role_id)).toBe(true);
    const userRole = sandbox.data.userRoles[0]!;
    const ur = (await call(`/api/user_roles?user_id=${userRole.user_id}`)).body.user_roles;
    expect(ur.every((x: any) => x.user_id === userRole.user_id)).toBe(true);
    const active = (await call('/api/users?user_status=Active&limit=500')).body.users;
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((u: any) => u.status === 'Active')).toBe(true);
  });
});

describe('objects and errors', () => {
  it('wraps a single profile under "profile"', async () => {
    const target = sandbox.data.profiles[10]!;
    const { status, body } = await call(`/api/profiles/${target.id}`);
    expect(status).toBe(200);
    expect(body.profile).toMatchObject({ id: target.id, uid: target.uid, name: target.name });
    expect(Object.keys(body)).toEqual(['profile']);
  });

  it('answers an unknown profile or role with 400 "not found", as live NERM does', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await call(`/api/profiles/${unknown}`)).toMatchObject({
      status: 400,
      body: { error: 'profile not found' },
    });
    expect(await call(`/api/roles/${unknown}`)).toMatchObject({
      status: 400,
      body: { error: 'role not found' },
    });
    const patch = await call(`/api/profiles/${unknown}`, {
      method: 'PATCH',
      body: JSON.stringify({ profile: { status: 'Active' } }),
    });
    expect(patch).toMatchObject({ status: 400, body: { error: 'profile not found' } });
  });

  it('creates a profile with POST /api/profile and answers {profile}', async () => {
    const type = sandbox.data.profileTypes.find((t) => t.uid === 'contractor')!;
    const { status, body } = await call('/api/profile', {
      method: 'POST',
      body: JSON.stringify({
        profile: {
          profile_type_id: type.id,
          status: 'Active',
          attributes: { first_name: 'Ada', last_name: 'Lovelace', start_date: '03/01/2026' },
        },
      }),
    });
    expect(status).toBe(200);
    expect(body.profile).toMatchObject({
      name: 'Ada Lovelace',
      status: 'Active',
      profile_type_id: type.id,
    });
    expect(
      (await call(`/api/profiles/${body.profile.id}`)).body.profile.attributes.first_name,
    ).toBe('Ada');
  });

  it('answers validation failures as {error, errors: {field: [messages]}}', async () => {
    const { status, body } = await call('/api/profile', {
      method: 'POST',
      body: JSON.stringify({
        profile: { status: 'Sideways', attributes: { nope: 'x', start_date: '2026-03-01' } },
      }),
    });
    expect(status).toBe(400);
    expect(body.error).toBe('The Profile failed to create/update');
    expect(body.errors).toMatchObject({
      profile_type_id: ["can't be blank"],
      status: ['is not included in the list'],
      nope: ['is not a valid attribute'],
      start_date: [expect.stringContaining('date')],
    });
  });

  it("answers malformed JSON with NERM's syntax error", async () => {
    const { status, body } = await call('/api/profile', { method: 'POST', body: '{"profile":' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'Invalid JSON syntax. Please check your syntax and try again.' });
  });

  it('updates status and attributes with PATCH /api/profiles/:id', async () => {
    const target = sandbox.data.profiles.find(
      (p) => p.status === 'Active' && !p.archived && 'first_name' in p.attributes,
    )!;
    const before = target.updated_at;
    // end_date is a dd/mm/yyyy attribute: 12/31/2025 is not a date in it.
    const wrong = await call(`/api/profiles/${target.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ profile: { attributes: { end_date: '12/31/2025' } } }),
    });
    expect(wrong).toMatchObject({
      status: 400,
      body: { errors: { end_date: ['is not a valid date (dd/mm/yyyy)'] } },
    });
    const { status, body } = await call(`/api/profiles/${target.id}`, {
      method: 'PATCH',
      body: JSON.stringify({
        profile: { status: 'Terminated', attributes: { end_date: '31/12/2025' } },
      }),
    });
    expect(status).toBe(200);
    expect(body.profile.status).toBe('Terminated');
    expect(body.profile.attributes.end_date).toBe('31/12/2025');
    expect(body.profile.updated_at).not.toBe(before);
  });

  it('starts a workflow session with run=true and applies an update workflow', async () => {
    const workflow = sandbox.data.workflows.find((w) => w.uid === 'background_check_result')!;
    const profile = sandbox.data.profiles.find(
      (p) => p.profile_type_id === workflow.profile_type_id,
    )!;
    const { status, body } = await call('/api/workflow_sessions?run=true', {
      method: 'POST',
      body: JSON.stringify({
        workflow_session: {
          workflow_id: workflow.id,
          requester_id: sandbox.data.users[0]!.id,
          requester_type: 'User',
          profile_id: profile.id,
          attributes: { background_check: 'Passed' },
        },
      }),
    });
    expect(status).toBe(200);
    expect(body.workflow_session).toMatchObject({
      workflow_id: workflow.id,
      profile_id: profile.id,
      status: 'completed',
    });
    expect(profile.attributes.background_check).toBe('Passed');
  });

  it('refuses a workflow session without a requester', async () => {
    const workflow = sandbox.data.workflows[0]!;
    const { status, body } = await call('/api/workflow_sessions', {
      method: 'POST',
      body: JSON.stringify({ workflow_session: { workflow_id: workflow.id } }),
    });
    expect(status).toBe(400);
    expect(body.errors).toMatchObject({
      requester_id: ["can't be blank"],
      requester_type: ["can't be blank"],
    });
  });
});

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
    const { status, body } = await accessToken(clientId, clientSecret);
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
    const bad = await accessToken(sandbox.credentials.client.clientId, 'wrong');
    expect(bad).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const res = await fetch(sandbox.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password' }),
    });
    expect(res.status).toBe(400);
  });

  it('refuses an access token once it has expired', async () => {
    const { clientId, clientSecret } = sandbox.credentials.client;
    const { body } = await accessToken(clientId, clientSecret);
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
    const { body } = await accessToken(clientId, clientSecret);
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
    const { body } = await accessToken(sandbox.credentials.client.clientId, oldSecret);
    sandbox.rotateCredentials();
    expect((await call('/api/roles', { auth: oldKey })).status).toBe(401);
    expect((await call('/api/roles', { auth: body.access_token })).status).toBe(401);
    expect((await accessToken(sandbox.credentials.client.clientId, oldSecret)).status).toBe(401);
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
    expect((await accessToken(before.client_id, before.client_secret)).status).toBe(200);
    expect((await call('/api/roles', { auth: before.restricted.api_key })).status).toBe(403);

    // The tenant admin revokes them: the endpoint gives the new ones, which work.
    sandbox.rotateCredentials();
    const after = await read();
    expect(after.api_key).not.toBe(before.api_key);
    expect(after.client_secret).not.toBe(before.client_secret);
    expect((await call('/api/roles', { auth: after.api_key })).status).toBe(200);
    expect((await accessToken(after.client_id, after.client_secret)).status).toBe(200);
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
