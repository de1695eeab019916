import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

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

const apiKeyAuth = () => ({ type: 'api_key', api_key: stack.sandbox.credentials.apiKey });
const patAuth = (secret = stack.sandbox.credentials.client.clientSecret) => ({
  type: 'pat',
  client_id: stack.sandbox.credentials.client.clientId,
  client_secret: secret,
  token_url: stack.sandbox.tokenUrl,
});

describe('POST /link-tokens', () => {
  it('requires a server API key', async () => {
    expect(
      (await stack.call('/link-tokens', { method: 'POST', json: { tenant_id: 't' } })).body.error
        .code,
    ).toBe('unauthorized');
    const wrong = await stack.call('/link-tokens', {
      method: 'POST',
      token: 'nbk_wrong_key_000000000',
      json: { tenant_id: 't' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('unauthorized');
  });

  it('issues a 30-minute opaque token, stored only as a hash', async () => {
    const res = await stack.admin('/link-tokens', { method: 'POST', json: { tenant_id: 'acme' } });
    expect(res.status).toBe(201);
    expect(res.body.link_token).toMatch(/^lt_[A-Za-z0-9_-]{43}$/);
    const ttl = Date.parse(res.body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);
    const { readFileSync } = await import('node:fs');
    const files = [stack.dbFile!, `${stack.dbFile}-wal`].map((f) => {
      try {
        return readFileSync(f);
      } catch {
        return Buffer.alloc(0);
      }
    });
    for (const file of files) expect(file.includes(Buffer.from(res.body.link_token))).toBe(false);
  });

  it('refuses unknown fields and a missing tenant_id with issues', async () => {
    const res = await stack.admin('/link-tokens', {
      method: 'POST',
      json: { tenant_id: 'a', extra: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'invalid_request',
      request_id: res.headers.get('x-request-id'),
    });
    expect(res.body.error.issues.length).toBeGreaterThan(0);
    expect(
      (await stack.admin('/link-tokens', { method: 'POST', json: {} })).body.error.issues[0].path,
    ).toEqual(['tenant_id']);
  });

  it('reads null for the optional integrated_account_id as absent', async () => {
    const res = await stack.admin('/link-tokens', {
      method: 'POST',
      json: { tenant_id: 'acme', integrated_account_id: null },
    });
    expect(res.status).toBe(201);
    expect(
      (await stack.call('/link/session', { token: res.body.link_token })).body.integrated_account,
    ).toBeNull();
  });

  it('refuses to re-authenticate an account of another tenant', async () => {
    const { accountId } = await stack.connectAccount('api_key', 'tenant-x');
    const res = await stack.admin('/link-tokens', {
      method: 'POST',
      json: { tenant_id: 'tenant-y', integrated_account_id: accountId },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('POST /link/connect', () => {
  it('connects with a legacy API key', async () => {
    const lt = await stack.linkToken('acme');
    const res = await stack.connect(lt, { tenant_url: stack.sandbox.url, auth: apiKeyAuth() });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      public_token: expect.stringMatching(/^pt_/),
      expires_at: expect.any(String),
      integrated_account: {
        id: expect.any(String),
        tenant_id: 'acme',
        tenant_host: new URL(stack.sandbox.url).host,
        auth_type: 'api_key',
        status: 'active',
      },
    });
    const ttl = Date.parse(res.body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
  });

  it('connects with a PAT, exchanging it at the token URL', async () => {
    const before = stack.sandbox.stats.tokensIssued;
    const res = await stack.connect(await stack.linkToken(), {
      tenant_url: stack.sandbox.url,
      auth: patAuth(),
    });
    expect(res.status).toBe(201);
    expect(res.body.integrated_account.auth_type).toBe('pat');
    expect(stack.sandbox.stats.tokensIssued).toBe(before + 1);
  });

  it('burns the link token on success only', async () => {
    const lt = await stack.linkToken();
    const wrong = await stack.connect(lt, {
      tenant_url: stack.sandbox.url,
      auth: { type: 'api_key', api_key: 'nerm_wrong_key' },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    const bad = await stack.connect(lt, { tenant_url: 'not a url', auth: apiKeyAuth() });
    expect(bad.body.error.code).toBe('tenant_url_invalid');
    expect((await stack.connect(lt)).status).toBe(201);
    const again = await stack.connect(lt);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('link_token_invalid');
    expect((await stack.call('/link/session', { token: lt })).body.error.code).toBe(
      'link_token_invalid',
    );
  });

  it('refuses a missing, unknown or expired link token', async () => {
    expect((await stack.call('/link/connect', { method: 'POST', json: {} })).body.error.code).toBe(
      'link_token_invalid',
    );
    expect((await stack.connect('lt_unknown')).body.error.code).toBe('link_token_invalid');
  });

  it('maps a wrong PAT secret to invalid_credentials', async () => {
    const res = await stack.connect(await stack.linkToken(), {
      tenant_url: stack.sandbox.url,
      auth: patAuth('wrong-secret'),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_credentials');
  });

  it('maps a credential without NERM admin rights to insufficient_permissions', async () => {
    const key = await stack.connect(await stack.linkToken(), {
      tenant_url: stack.sandbox.url,
      auth: { type: 'api_key', api_key: stack.sandbox.credentials.restrictedApiKey },
    });
    expect(key.status).toBe(422);
    expect(key.body.error.code).toBe('insufficient_permissions');
    const pat = await stack.connect(await stack.linkToken(), {
      tenant_url: stack.sandbox.url,
      auth: {
        type: 'pat',
        client_id: stack.sandbox.credentials.restrictedClient.clientId,
        client_secret: stack.sandbox.credentials.restrictedClient.clientSecret,
        token_url: stack.sandbox.tokenUrl,
      },
    });
    expect(pat.body.error.code).toBe('insufficient_permissions');
  });

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
      auth: apiKeyAuth(),
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
          auth: { ...patAuth(), token_url },
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
    const { token_url: _omitted, ...auth } = patAuth();
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
      auth: { ...patAuth(), token_url: 'https://evil.example.com/oauth/token' },
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
        auth: apiKeyAuth(),
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
        auth: apiKeyAuth(),
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
        auth: apiKeyAuth(),
      });
      expect(html.status).toBe(502);
      expect(html.body.error.code).toBe('not_a_nerm_tenant');
      const before = stack.sandbox.stats.api;
      const redirect = await web.connect(await web.linkToken(), {
        tenant_url: `${otherOrigin}/redirect`,
        auth: apiKeyAuth(),
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
          auth: apiKeyAuth(),
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
      auth: apiKeyAuth(),
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
      auth: { ...patAuth('secret\u{1F511}') },
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
      last = await stack.connect(lt, { tenant_url: 'evil.example.com', auth: apiKeyAuth() });
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
    const ok = await stack.connect(lt, { tenant_url: 'evil.example.com', auth: apiKeyAuth() });
    expect(ok.headers.get('access-control-allow-origin')).toBeNull();
    const foreign = await stack.call('/link/connect', {
      method: 'POST',
      token: lt,
      headers: { origin: 'https://evil.example' },
      json: { tenant_url: stack.sandbox.url, auth: apiKeyAuth() },
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
      json: { tenant_url: 'evil.example.com', auth: apiKeyAuth() },
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

  it('re-authenticates an existing account in place', async () => {
    const { accountId, token } = await stack.connectAccount('api_key', 'tenant-reauth');
    const lt = await stack.linkToken('tenant-reauth', accountId);
    const session = await stack.call('/link/session', { token: lt });
    expect(session.body.integrated_account).toMatchObject({
      id: accountId,
      tenant_host: new URL(stack.sandbox.url).host,
    });
    // The scheme too, so the widget can fill in a tenant URL that works as it stands.
    expect(session.body.tenant_url).toBe(stack.sandbox.url);
    expect(
      (await stack.call('/link/session', { token: await stack.linkToken() })).body.tenant_url,
    ).toBe(null);
    const res = await stack.connect(lt, { tenant_url: stack.sandbox.url, auth: patAuth() });
    expect(res.status).toBe(201);
    expect(res.body.integrated_account).toMatchObject({
      id: accountId,
      auth_type: 'pat',
      status: 'active',
    });
    const exchanged = await stack.admin('/tokens/exchange', {
      method: 'POST',
      json: { public_token: res.body.public_token },
    });
    expect(exchanged.body.integrated_account_id).toBe(accountId);
    // The token minted before the re-authentication still works: same account.
    expect((await stack.call('/unified/user-directory/roles?limit=1', { token })).status).toBe(200);
  });

  it('refuses to re-authenticate an account against another tenant', async () => {
    const { accountId } = await stack.connectAccount('api_key', 'tenant-moves');
    const lt = await stack.linkToken('tenant-moves', accountId);
    const res = await stack.connect(lt, { tenant_url: 'acme', auth: apiKeyAuth() });
    expect(res.body.error.code).toBe('tenant_url_invalid');
  });
});

describe('POST /tokens/exchange', () => {
  it('turns a public token into a signed account token, once', async () => {
    const connected = await stack.connect(await stack.linkToken('tenant-ex'));
    const first = await stack.admin('/tokens/exchange', {
      method: 'POST',
      json: { public_token: connected.body.public_token },
    });
    expect(first.status).toBe(200);
    expect(first.body.integrated_account_id).toBe(connected.body.integrated_account.id);
    const header = decodeProtectedHeader(first.body.integrated_account_token);
    expect(header.alg).toBe('EdDSA');
    expect(header.kid).toBeTruthy();
    const claims = decodeJwt(first.body.integrated_account_token);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sub', 'tid']);
    expect(claims).toMatchObject({
      aud: 'nerm-connect',
      sub: connected.body.integrated_account.id,
      tid: 'tenant-ex',
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(Date.parse(first.body.expires_at)).toBe((claims.exp as number) * 1000);

    const second = await stack.admin('/tokens/exchange', {
      method: 'POST',
      json: { public_token: connected.body.public_token },
    });
    expect(second.status).toBe(400);
    expect(second.body.error.code).toBe('public_token_invalid');
  });

  it('refuses unknown public tokens and callers without the API key', async () => {
    expect(
      (await stack.admin('/tokens/exchange', { method: 'POST', json: { public_token: 'pt_nope' } }))
        .body.error.code,
    ).toBe('public_token_invalid');
    const connected = await stack.connect(await stack.linkToken());
    const anonymous = await stack.call('/tokens/exchange', {
      method: 'POST',
      json: { public_token: connected.body.public_token },
    });
    expect(anonymous.status).toBe(401);
  });

  it('publishes only public signing keys', async () => {
    const jwks = await stack.call('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toHaveLength(1);
    for (const key of jwks.body.keys) {
      expect(key).not.toHaveProperty('d');
      expect(key).toMatchObject({
        kty: 'OKP',
        crv: 'Ed25519',
        use: 'sig',
        alg: 'EdDSA',
        kid: expect.any(String),
      });
    }
  });
});

describe('envelope and health', () => {
  it('answers /healthz and an X-Request-Id on every response', async () => {
    const res = await stack.call('/healthz');
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const missing = await stack.call('/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({
      code: 'not_found',
      request_id: missing.headers.get('x-request-id'),
    });
  });

  it('answers malformed JSON as invalid_request without echoing it', async () => {
    const res = await fetch(`${stack.url}/link-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: '{"tenant_id": "secret-looking-thing',
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
    expect(JSON.stringify(body)).not.toContain('secret-looking-thing');
  });
});
