import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';
import { apiKeyAuth, patAuth } from './link-auth.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
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
    const res = await stack.connect(lt, { tenant_url: stack.sandbox.url, auth: apiKeyAuth(stack) });
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
      auth: patAuth(stack),
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
    const bad = await stack.connect(lt, { tenant_url: 'not a url', auth: apiKeyAuth(stack) });
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
      auth: patAuth(stack, 'wrong-secret'),
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
    const res = await stack.connect(lt, { tenant_url: stack.sandbox.url, auth: patAuth(stack) });
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
    const res = await stack.connect(lt, { tenant_url: 'acme', auth: apiKeyAuth(stack) });
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
