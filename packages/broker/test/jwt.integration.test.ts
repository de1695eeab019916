import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitPositions, flipBits, fuzz, otherSpelling } from './fuzz.ts';
import { signingKeyJson, startStack, type Stack } from './helpers.ts';

let stack: Stack;
let accountId: string;
let token: string;
let jwk: JWK;

const ROLES = '/unified/user-directory/roles?limit=1';

beforeAll(async () => {
  stack = await startStack();
  ({ accountId, token } = await stack.connectAccount('api_key', 'tenant-jwt'));
  jwk = (JSON.parse(stack.env.NERM_BROKER_SIGNING_KEYS as string) as JWK[])[0] as JWK;
});
afterAll(async () => stack.close());

async function sign(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
  key: JWK = jwk,
) {
  const privateKey = await importJWK(key, 'EdDSA');
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: 'nerm-connect-broker',
    aud: 'nerm-connect',
    sub: accountId,
    tid: 'tenant-jwt',
    // The account's token generation, then a unique id (docs/decisions/0007-token-generation.md).
    jti: `0.${randomUUID()}`,
    iat: now,
    exp: now + 600,
    ...claims,
  };
  for (const [k, v] of Object.entries(payload))
    if (v === undefined) delete (payload as Record<string, unknown>)[k];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid as string, ...header })
    .sign(privateKey);
}

async function codeFor(jwt: string) {
  const res = await stack.call(ROLES, { token: jwt });
  return { status: res.status, code: res.body?.error?.code };
}

describe('integrated_account_token verification', () => {
  it('accepts the genuine token', async () => {
    expect((await stack.call(ROLES, { token })).status).toBe(200);
    expect((await stack.call(ROLES, { token: await sign({}) })).status).toBe(200);
  });

  it('refuses alg "none"', async () => {
    const [, payload] = token.split('.');
    const header = base64url.encode(
      JSON.stringify({ alg: 'none', kid: decodeProtectedHeader(token).kid }),
    );
    expect(await codeFor(`${header}.${payload}.`)).toEqual({ status: 401, code: 'unauthorized' });
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const [, payload] = token.split('.');
    const header = base64url.encode(
      JSON.stringify({ alg: 'HS256', kid: decodeProtectedHeader(token).kid }),
    );
    const mac = createHmac('sha256', Buffer.from(jwk.x as string, 'base64url'))
      .update(`${header}.${payload}`)
      .digest('base64url');
    expect(await codeFor(`${header}.${payload}.${mac}`)).toEqual({
      status: 401,
      code: 'unauthorized',
    });
  });

  it('refuses a tampered payload', async () => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = base64url.encode(JSON.stringify({ ...claims, tid: 'another-tenant' }));
    expect(await codeFor(`${header}.${forged}.${signature}`)).toEqual({
      status: 401,
      code: 'unauthorized',
    });
  });

  // Found by test/bit-flips.unit.test.ts (seed 20261306): a flip in the signature's last
  // character's unused bits decoded to the same signature and the token was accepted.
  it('refuses a signature spelled another way that decodes to the same bytes', async () => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const respelled = otherSpelling(signature);
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(await codeFor(`${header}.${payload}.${respelled}`)).toEqual({
      status: 401,
      code: 'unauthorized',
    });
  });

  it('refuses a wrong audience or issuer', async () => {
    expect(await codeFor(await sign({ aud: 'someone-else' }))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
    expect(await codeFor(await sign({ iss: 'https://evil.example' }))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
  });

  it('requires exp, iat, jti, sub and tid', async () => {
    for (const claim of ['exp', 'iat', 'jti', 'sub', 'tid']) {
      expect(await codeFor(await sign({ [claim]: undefined })), claim).toEqual({
        status: 401,
        code: 'unauthorized',
      });
    }
  });

  it('refuses a token issued more than a minute in the future, and allows clock skew below it', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await codeFor(await sign({ iat: now + 3600, exp: now + 7200 }))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
    expect(await codeFor(await sign({ iat: now + 120 }))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
    expect((await stack.call(ROLES, { token: await sign({ iat: now + 20 }) })).status).toBe(200);
  });

  it('refuses a jti that does not carry a token generation, or carries another one', async () => {
    for (const jti of [randomUUID(), `x.${randomUUID()}`, `01.${randomUUID()}`, '0.not-a-uuid']) {
      expect(await codeFor(await sign({ jti })), jti).toEqual({
        status: 401,
        code: 'unauthorized',
      });
    }
    expect(await codeFor(await sign({ jti: `1.${randomUUID()}` }))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
  });

  it('answers token_expired for an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await codeFor(await sign({ iat: now - 7200, exp: now - 3600 }))).toEqual({
      status: 401,
      code: 'token_expired',
    });
  });

  it('refuses an unknown kid and a key the broker never had', async () => {
    expect(await codeFor(await sign({}, { kid: 'no-such-kid' }))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
    const stranger = await signingKeyJson(jwk.kid as string);
    expect(await codeFor(await sign({}, {}, stranger))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
  });

  it('refuses a token for another tenant of the same account, and garbage', async () => {
    expect(await codeFor(await sign({ tid: 'tenant-other' }))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
    expect(await codeFor('not.a.jwt')).toEqual({ status: 401, code: 'unauthorized' });
    expect((await stack.call(ROLES)).status).toBe(401);
  });

  it('refuses an API key or a link token where an account token is required', async () => {
    expect((await codeFor(stack.apiKey)).code).toBe('unauthorized');
    expect((await codeFor(await stack.linkToken())).code).toBe('unauthorized');
  });
});

describe('signing key rotation and ES256', () => {
  it('signs with the first key and still verifies tokens of the second', async () => {
    const es = await signingKeyJson('es-new', 'ES256');
    const rotated = await startStack({
      sandbox: stack.sandbox,
      env: { NERM_BROKER_SIGNING_KEYS: JSON.stringify([es, jwk]) },
    });
    try {
      const { accountId: id, token: fresh } = await rotated.connectAccount('api_key', 'tenant-rot');
      expect(decodeProtectedHeader(fresh)).toMatchObject({ alg: 'ES256', kid: 'es-new' });
      const old = await sign({ sub: id, tid: 'tenant-rot' });
      expect((await rotated.call(ROLES, { token: old })).status).toBe(200);
      expect((await rotated.call(ROLES, { token: fresh })).status).toBe(200);
      const jwks = await rotated.call('/.well-known/jwks.json');
      expect(jwks.body.keys.map((k: any) => k.kid)).toEqual(['es-new', jwk.kid]);
      expect(jwks.body.keys.every((k: any) => !('d' in k))).toBe(true);
    } finally {
      await rotated.close();
    }
  });
});

describe('NERM_BROKER_TOKEN_TTL', () => {
  it('sets the token lifetime; past it the broker answers token_expired', async () => {
    let now = Date.now();
    const short = await startStack({
      sandbox: stack.sandbox,
      env: { NERM_BROKER_TOKEN_TTL: '5' },
      overrides: { now: () => now },
    });
    try {
      const { token: fresh } = await short.connectAccount('api_key', 'tenant-ttl');
      expect(decodeJwt(fresh).exp! - decodeJwt(fresh).iat!).toBe(5);
      expect((await short.call(ROLES, { token: fresh })).status).toBe(200);
      now += 6_000;
      expect(
        await (async () => {
          const res = await short.call(ROLES, { token: fresh });
          return { status: res.status, code: res.body.error.code };
        })(),
      ).toEqual({ status: 401, code: 'token_expired' });
    } finally {
      await short.close();
    }
  });
});

// Issue 13, item 5, through HTTP: a flipped token or cursor is refused with its contract
// code, never a 500 (test/bit-flips.unit.test.ts flips the codecs themselves).
describe('bit flips over HTTP', () => {
  /** Flips that leave a string a header or a query can carry as it is. */
  const flipped = (value: string) =>
    bitPositions(value.length)
      .map((bits) => flipBits(value, bits))
      .filter((v) => /^[!-~]+$/.test(v) && v !== value);

  it('answers 401 unauthorized to a flipped account token', async () => {
    await fc.assert(
      fc.asyncProperty(flipped(token), async (jwt) => {
        expect(await codeFor(jwt), jwt).toEqual({ status: 401, code: 'unauthorized' });
      }),
      fuzz(100),
    );
  });

  it('answers 400 invalid_cursor to a flipped users cursor', async () => {
    const first = await stack.call('/unified/user-directory/users?limit=2', { token });
    const cursor = first.body.next_cursor as string;
    expect(typeof cursor).toBe('string');
    await fc.assert(
      fc.asyncProperty(flipped(cursor), async (bad) => {
        const res = await stack.call(
          `/unified/user-directory/users?limit=2&next_cursor=${encodeURIComponent(bad)}`,
          { token },
        );
        expect(`${res.status} ${res.body?.error?.code}`, bad).toBe('400 invalid_cursor');
      }),
      fuzz(100),
    );
  });
});
