import { request as httpRequest } from 'node:http';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

let sandbox: Sandbox;
let stack: Stack;
let token: string;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 400 });
  stack = await startStack({ sandbox });
  ({ token } = await stack.connectAccount('api_key', 'tenant-proxy'));
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
});
beforeEach(() => sandbox.faults.set({}));

/** A raw request, so paths reach the broker exactly as written (fetch would normalise them). */
function raw(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, ...headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('ANY /proxy/<path>', () => {
  it('returns NERM status and body as they are', async () => {
    const profile = sandbox.data.profiles[5]!;
    const direct = await fetch(`${sandbox.url}/api/profiles/${profile.id}`, {
      headers: { authorization: `Bearer ${sandbox.credentials.apiKey}` },
    });
    const viaProxy = await stack.call(`/proxy/profiles/${profile.id}`, { token });
    expect(viaProxy.status).toBe(200);
    expect(viaProxy.text).toBe(await direct.text());

    const missing = await stack.call('/proxy/profiles/00000000-0000-4000-8000-000000000000', {
      token,
    });
    // Live NERM's answer to an unknown id, passed through untouched.
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'profile not found' });
    const invalid = await stack.call('/proxy/profiles?limit=0&offset=0', { token });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({ error: expect.any(String) });
  });

  it('forwards query strings and JSON bodies', async () => {
    const type = sandbox.data.profileTypes.find((t) => t.uid === 'contractor')!;
    const list = await stack.call(
      `/proxy/profiles?profile_type_id=${type.id}&status=Active&offset=0`,
      { token },
    );
    expect(list.status).toBe(200);
    expect(
      list.body.profiles.every((p: any) => p.profile_type_id === type.id && p.status === 'Active'),
    ).toBe(true);

    const created = await stack.call('/proxy/profile', {
      method: 'POST',
      token,
      json: {
        profile: {
          profile_type_id: type.id,
          status: 'Active',
          attributes: { first_name: 'Via', last_name: 'Proxy' },
        },
      },
    });
    expect(created.status).toBe(200);
    expect(created.body.profile.name).toBe('Via Proxy');
    const role = sandbox.data.roles[0]!;
    const linked = await stack.call('/proxy/role_profile', {
      method: 'POST',
      token,
      json: { role_profile: { role_id: role.id, profile_id: created.body.profile.id } },
    });
    expect(linked.status).toBe(200);
    const patched = await stack.call(`/proxy/profiles/${created.body.profile.id}`, {
      method: 'PATCH',
      token,
      json: { profile: { status: 'Terminated' } },
    });
    expect(patched.body.profile.status).toBe('Terminated');
    const deleted = await stack.call(`/proxy/profiles/${created.body.profile.id}`, {
      method: 'DELETE',
      token,
    });
    expect(deleted.status).toBe(204);
  });

  it("injects the stored credential and never forwards the caller's headers", async () => {
    sandbox.stats.reset();
    await stack.call('/proxy/roles', {
      token,
      headers: {
        cookie: 'session=abc',
        'x-forwarded-for': '10.0.0.1',
        'x-custom': 'hello',
        'idempotency-key': 'k',
      },
    });
    const forwarded = sandbox.stats.recent.at(-1)!;
    expect(forwarded.path).toBe('/api/roles');
    expect(forwarded.headers.authorization).toBe(`Bearer ${sandbox.credentials.apiKey}`);
    expect(forwarded.headers.cookie).toBeUndefined();
    expect(forwarded.headers['x-forwarded-for']).toBeUndefined();
    expect(forwarded.headers['x-custom']).toBeUndefined();
    expect(forwarded.headers.host).toBe(new URL(sandbox.url).host);
  });

  it('refuses anything but a relative path below /api', async () => {
    sandbox.stats.reset();
    for (const path of [
      '/proxy/../healthz',
      '/proxy/%2e%2e/health_check',
      '/proxy/profiles/%2e%2e/%2e%2e/health_check',
      '/proxy/profiles%2F..%2Fusers',
      '/proxy/profiles%5c..%5cusers',
      '/proxy//evil.example/api',
      '/proxy/http://evil.example/api',
      '/proxy/https:%2F%2Fevil.example',
      '/proxy/profiles%0d%0aX-Injected:%201',
      '/proxy/profiles%00',
      '/proxy/',
      // Issue 8, finding 6: servers that strip `;` parameters (Tomcat, Spring) or decode
      // non-ASCII dots resolve these outside /api.
      '/proxy/profiles/..;/..;/health_check',
      '/proxy/..;/health_check',
      '/proxy/profiles/.;x/roles',
      '/proxy/profiles/..;jsessionid=1/x',
      '/proxy/profiles/..%3b/x',
      '/proxy/profiles/;/x',
      '/proxy/profiles/%EF%BC%8E%EF%BC%8E/%EF%BC%8E%EF%BC%8E/health_check',
      '/proxy/profiles/%C0%AE%C0%AE/x',
      '/proxy/profiles/%e0%80%ae%e0%80%ae/x',
      '/proxy/profiles/%C3%A9',
    ]) {
      const res = await raw(path);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body).error.code, path).toBe('invalid_request');
    }
    expect(sandbox.stats.total).toBe(0);
  });

  it('pages lists in the unified envelope when asked with limit or next_cursor', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await stack.call(
        `/proxy/profiles?limit=150${cursor ? `&next_cursor=${cursor}` : ''}`,
        { token },
      );
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual([
        'next_cursor',
        'prev_cursor',
        'result',
        'result_count',
      ]);
      expect(res.body.result.length).toBeLessThanOrEqual(150);
      ids.push(...res.body.result.map((p: any) => p.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    // Archived profiles never, as NERM's offset lists; profiles page by keyset, in id order.
    const listed = sandbox.data.profiles.filter((p) => !p.archived);
    expect(ids).toEqual(listed.map((p) => p.id).sort());
    expect(pages).toBe(Math.ceil(listed.length / 150));
    expect((await stack.call('/proxy/profiles?limit=501', { token })).body.error.code).toBe(
      'invalid_request',
    );
  });

  it('binds proxy cursors to the path and filters', async () => {
    const first = await stack.call('/proxy/profiles?limit=10&status=Active', { token });
    const cursor = first.body.next_cursor;
    expect(
      (
        await stack.call(`/proxy/profiles?limit=10&status=Inactive&next_cursor=${cursor}`, {
          token,
        })
      ).body.error.code,
    ).toBe('invalid_cursor');
    expect(
      (await stack.call(`/proxy/role_profiles?limit=10&next_cursor=${cursor}`, { token })).body
        .error.code,
    ).toBe('invalid_cursor');
    expect(
      (await stack.call(`/proxy/profiles?limit=10&status=Active&next_cursor=${cursor}`, { token }))
        .status,
    ).toBe(200);
  });

  it('refuses non-JSON bodies and unknown methods', async () => {
    const form = await stack.call('/proxy/profile', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    expect(form.body.error.code).toBe('invalid_request');
    const trace = await stack.call('/proxy/profiles', { method: 'OPTIONS', token });
    expect(trace.status).toBe(400);
  });

  it('serves a non-JSON upstream body as a text/plain attachment, never as a page of its own origin', async () => {
    // Issue 8, "also worth closing": a gateway's HTML page came out as text/html from the
    // broker's origin. The sandbox answers 503 with an HTML page, as gateways do.
    // A POST without an Idempotency-Key is sent once, so one failure is the answer.
    sandbox.faults.set({ failNext: { count: 1, status: 503, methods: ['POST'] } });
    const page = await stack.call('/proxy/profile', { method: 'POST', token, json: {} });
    expect(page.status, page.text).toBe(503);
    expect(page.text).toContain('<html>');
    expect(page.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(page.headers.get('content-disposition')).toBe('attachment');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-upstream-content-type')).toBe('text/html');
    sandbox.faults.set({});
    const json = await stack.call('/proxy/roles', { token });
    expect(json.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(json.headers.get('content-disposition')).toBeNull();
  });

  it('retries idempotent reads through upstream 5xx and passes a final error through', async () => {
    sandbox.faults.set({ failNext: { count: 2, status: 503 } });
    expect((await stack.call('/proxy/roles', { token })).status).toBe(200);
    sandbox.faults.set({ failNext: { count: 10, status: 503 } });
    const failed = await stack.call('/proxy/roles', { token });
    expect(failed.status).toBe(503);
  });

  it('needs an account token', async () => {
    expect((await stack.call('/proxy/roles')).status).toBe(401);
    expect((await stack.call('/proxy/roles', { token: stack.apiKey })).status).toBe(401);
  });
});
