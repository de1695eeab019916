import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';
import { apiKeyAuth, patAuth } from './link-auth.ts';

// POST /link/connect's refusals: tenant and token URLs, bodies, rate limits and origins.
// Accepted connects, re-authentication and the exchange: link-flow.integration.test.ts.
let stack: Stack;
let other: Server;
let otherOrigin: string;

beforeAll(async () => {
  // A web server that is not NERM: HTML at /api, a redirect at /redirect/api/…
  other = createServer((req, res) => {
    if (req.url?.startsWith('/redirect')) {
      res.writeHead(302, { location: `${stack.sandbox.url}/api/profiles` }).end();
    } else if (req.url?.startsWith('/json')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}');
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Welcome</html>');
    }
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  stack = await startStack({
    overrides: { limits: { connectPerLinkToken: { limit: 8, windowMs: 60_000 } } },
  });
});
afterAll(async () => {
  await stack.close();
  other.closeAllConnections();
  await new Promise((r) => other.close(r));
});

describe('POST /link/connect refuses', () => {
  it.each([
    ['', 'tenant_url_invalid'],
    ['acme .nonemployee.com', 'tenant_url_invalid'],
    ['ftp://acme.nonemployee.com', 'tenant_url_invalid'],
    ['https://acme.nonemployee.com@evil.example', 'tenant_url_invalid'],
    ['https://user:pw@acme.nonemployee.com', 'tenant_url_invalid'],
    ['javascript:alert(1)', 'tenant_url_invalid'],
    ['evil.example.com', 'tenant_host_not_allowed'],
    ['http://localhost:4010', 'tenant_host_not_allowed'],
    ['127.0.0.1', 'tenant_host_not_allowed'],
    ['https://169.254.169.254', 'tenant_host_not_allowed'],
    ['https://[::1]', 'tenant_host_not_allowed'],
    ['https://[::ffff:127.0.0.1]', 'tenant_host_not_allowed'],
    ['http://acme.nonemployee.com', 'tenant_host_not_allowed'],
    ['https://acme.nonemployee.com:8443', 'tenant_host_not_allowed'],
  ])('refuses tenant URL %j with %s', async (tenantUrl, code) => {
    const res = await stack.connect(await stack.linkToken(), {
      tenant_url: tenantUrl,
      auth: apiKeyAuth(stack),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.issues?.[0]?.path).toEqual(['tenant_url']);
  });

  it('uses the default ISC token URL when token_url is empty or null', async () => {
    // No real DNS: the test must never reach (or send a secret to) the real SailPoint.
    const looked: string[] = [];
    const offline = await startStack({
      sandbox: stack.sandbox,
      overrides: {
        resolve: async (host) => {
          looked.push(host);
          throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
        },
      },
    });
    try {
      for (const token_url of ['', null]) {
        const res = await offline.connect(await offline.linkToken(), {
          tenant_url: 'acme',
          auth: { ...patAuth(stack), token_url },
        });
        expect(res.body.error.code).toBe('tenant_unreachable');
        expect(res.body.error.message).toContain('token URL');
        // The widget puts this on the Token URL field, not on the tenant URL.
        expect(res.body.error.issues?.[0]?.path).toEqual(['auth', 'token_url']);
      }
      expect(new Set(looked)).toEqual(new Set(['acme.api.identitynow.com']));
    } finally {
      await offline.close();
    }
  });

  it("defaults the token URL to the tenant's own origin when the tenant is not a SailPoint host", async () => {
    const { token_url: _omitted, ...auth } = patAuth(stack);
    const res = await stack.connect(await stack.linkToken(), {
      tenant_url: stack.sandbox.url,
      auth,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.integrated_account.auth_type).toBe('pat');
  });

  it('refuses a token URL outside the allow-list', async () => {
    const res = await stack.connect(await stack.linkToken(), {
      tenant_url: stack.sandbox.url,
      auth: { ...patAuth(stack), token_url: 'https://evil.example.com/oauth/token' },
    });
    expect(res.body.error.code).toBe('tenant_host_not_allowed');
    expect(res.body.error.issues[0].path).toEqual(['auth', 'token_url']);
  });

  it('answers tenant_unreachable when nothing listens', async () => {
    const closed = await startStack({
      sandbox: stack.sandbox,
      env: { NERM_BROKER_ALLOWED_HOSTS: 'http://127.0.0.1:9' },
    });
    try {
      const res = await closed.connect(await closed.linkToken(), {
        tenant_url: 'http://127.0.0.1:9',
        auth: apiKeyAuth(stack),
      });
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('tenant_unreachable');
    } finally {
      await closed.close();
    }
  });

  it('answers tenant_host_not_allowed when an allowed name resolves to a private address', async () => {
    const rebinding = await startStack({
      sandbox: stack.sandbox,
      overrides: { resolve: async () => [{ address: '169.254.169.254', family: 4 }] },
    });
    try {
      const res = await rebinding.connect(await rebinding.linkToken(), {
        tenant_url: 'acme',
        auth: apiKeyAuth(stack),
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('tenant_host_not_allowed');
    } finally {
      await rebinding.close();
    }
  });

  it('answers not_a_nerm_tenant for a web site, a non-NERM API, and a redirect (not followed)', async () => {
    const web = await startStack({
      sandbox: stack.sandbox,
      env: { NERM_BROKER_ALLOWED_HOSTS: `${otherOrigin},${stack.sandbox.url}` },
    });
    try {
      const html = await web.connect(await web.linkToken(), {
        tenant_url: otherOrigin,
        auth: apiKeyAuth(stack),
      });
      expect(html.status).toBe(502);
      expect(html.body.error.code).toBe('not_a_nerm_tenant');
      const before = stack.sandbox.stats.api;
      const redirect = await web.connect(await web.linkToken(), {
        tenant_url: `${otherOrigin}/redirect`,
        auth: apiKeyAuth(stack),
      });
      expect(redirect.body.error.code).toBe('not_a_nerm_tenant');
      expect(stack.sandbox.stats.api).toBe(before);
    } finally {
      await web.close();
    }
  });

  it('normalises acme, acme.nonemployee.com and https://acme.nonemployee.com/api/ to one host', async () => {
    const seen: string[] = [];
    const probe = await startStack({
      sandbox: stack.sandbox,
      overrides: {
        resolve: async (host) => {
          seen.push(host);
          throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
        },
      },
    });
    try {
      for (const input of ['acme', 'ACME.nonemployee.com', 'https://acme.nonemployee.com/api/']) {
        const res = await probe.connect(await probe.linkToken(), {
          tenant_url: input,
          auth: apiKeyAuth(stack),
        });
        expect(res.body.error.code).toBe('tenant_unreachable');
      }
      expect(new Set(seen)).toEqual(new Set(['acme.nonemployee.com']));
    } finally {
      await probe.close();
    }
  });

  it('refuses a body over 16 KB with payload_too_large', async () => {
    const res = await stack.connect(await stack.linkToken(), {
      tenant_url: stack.sandbox.url,
      auth: { type: 'api_key', api_key: 'x'.repeat(17 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('refuses unknown auth types and unknown fields', async () => {
    const lt = await stack.linkToken();
    const unknownType = await stack.connect(lt, {
      tenant_url: stack.sandbox.url,
      auth: { type: 'password', password: 'x' },
    });
    expect(unknownType.body.error.code).toBe('invalid_request');
    const extra = await stack.connect(lt, {
      tenant_url: stack.sandbox.url,
      auth: apiKeyAuth(stack),
      remember: true,
    });
    expect(extra.body.error.code).toBe('invalid_request');
    const missing = await stack.connect(lt, {
      tenant_url: stack.sandbox.url,
      auth: { type: 'pat', client_id: 'x' },
    });
    expect(missing.body.error.issues.map((i: any) => i.path.join('.'))).toContain(
      'auth.client_secret',
    );
  });

  it('refuses a credential holding a character no header can carry, precisely, and keeps the link', async () => {
    const lt = await stack.linkToken();
    const before = stack.sandbox.stats.total;
    const curly = await stack.connect(lt, {
      tenant_url: stack.sandbox.url,
      auth: { type: 'api_key', api_key: `${stack.sandbox.credentials.apiKey}\u2019` },
    });
    expect(curly.status).toBe(400);
    expect(curly.body.error.code).toBe('invalid_request');
    expect(curly.body.error.issues).toEqual([
      expect.objectContaining({
        path: ['auth', 'api_key'],
        message: expect.stringMatching(/typographic quote/),
      }),
    ]);
    expect(curly.text).not.toContain(stack.sandbox.credentials.apiKey);
    const emoji = await stack.connect(lt, {
      tenant_url: stack.sandbox.url,
      auth: { ...patAuth(stack, 'secret\u{1F511}') },
    });
    expect(emoji.body.error.issues.map((i: any) => i.path.join('.'))).toEqual([
      'auth.client_secret',
    ]);
    // Nothing left the broker, and the link still works once the key is fixed.
    expect(stack.sandbox.stats.total).toBe(before);
    expect((await stack.connect(lt)).status).toBe(201);
  });

  it('rate-limits attempts per link token with Retry-After', async () => {
    const lt = await stack.linkToken();
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 9; i++) {
      last = await stack.connect(lt, { tenant_url: 'evil.example.com', auth: apiKeyAuth(stack) });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 8).every((s) => s === 400)).toBe(true);
    expect(last!.status).toBe(429);
    expect(last!.body.error.code).toBe('rate_limited');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('rate-limits per client IP', async () => {
    const limited = await startStack({
      sandbox: stack.sandbox,
      overrides: { limits: { connectPerIp: { limit: 2, windowMs: 60_000 } } },
    });
    try {
      const lt = await limited.linkToken();
      await limited.call('/link/session', { token: lt });
      await limited.call('/link/session', { token: lt });
      const third = await limited.call('/link/session', { token: lt });
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBeTruthy();
    } finally {
      await limited.close();
    }
  });

  it('answers CORS only for allowed origins', async () => {
    const lt = await stack.linkToken();
    const preflight = await fetch(`${stack.url}/link/connect`, {
      method: 'OPTIONS',
      headers: { origin: 'http://widget.test', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://widget.test');
    const ok = await stack.connect(lt, { tenant_url: 'evil.example.com', auth: apiKeyAuth(stack) });
    expect(ok.headers.get('access-control-allow-origin')).toBeNull();
    const foreign = await stack.call('/link/connect', {
      method: 'POST',
      token: lt,
      headers: { origin: 'https://evil.example' },
      json: { tenant_url: stack.sandbox.url, auth: apiKeyAuth(stack) },
    });
    // Refused, but readable by the page: the widget can tell its developer what to fix.
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('origin_not_allowed');
    expect(foreign.body.error.message).toContain('NERM_BROKER_ALLOWED_ORIGINS');
    expect(foreign.headers.get('access-control-allow-origin')).toBe('https://evil.example');
    const foreignPreflight = await fetch(`${stack.url}/link/connect`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(foreignPreflight.status).toBe(204);
    expect(foreignPreflight.headers.get('access-control-allow-origin')).toBe(
      'https://evil.example',
    );
    const allowed = await stack.call('/link/connect', {
      method: 'POST',
      token: lt,
      headers: { origin: 'http://widget.test' },
      json: { tenant_url: 'evil.example.com', auth: apiKeyAuth(stack) },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://widget.test');
  });

  it('admits any page origin when NERM_BROKER_ALLOWED_ORIGINS is *', async () => {
    const open = await startStack({
      sandbox: stack.sandbox,
      env: { NERM_BROKER_ALLOWED_ORIGINS: '*' },
    });
    try {
      const res = await open.call('/link/session', {
        token: await open.linkToken(),
        headers: { origin: 'https://anywhere.example' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
      expect(
        (await open.call('/link/session', { headers: { origin: 'https://anywhere.example' } })).body
          .error.code,
      ).toBe('link_token_invalid');
    } finally {
      await open.close();
    }
  });
});
