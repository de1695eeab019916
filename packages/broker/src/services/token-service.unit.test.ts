import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { TOKEN_AUDIENCE } from '@nerm-connect/shared';
import { TokenService } from './token-service.ts';

function signingKey(kid: string, type: 'ed25519' | 'ec'): JWK {
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...pair.privateKey.export({ format: 'jwk' }), kid };
}

const NOW = Date.UTC(2026, 0, 1);
const account = { id: 'acct-1', tenant_id: 'tenant-1', token_generation: 3 };

describe.each([
  ['EdDSA', 'ed25519'],
  ['ES256', 'ec'],
] as const)('TokenService issuing with %s', (alg, type) => {
  it('issues a token that jose verifies against the published JWKS, with every claim', async () => {
    const tokens = await TokenService.create({
      signingKeys: [signingKey('k1', type), signingKey('k2', 'ed25519')],
      issuer: 'broker-test',
      ttlSeconds: 600,
      now: () => NOW,
    });
    const { token, expiresAt } = await tokens.issue(account);
    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: 'k1', typ: 'JWT' });
    const { payload } = await jwtVerify(token, createLocalJWKSet(tokens.jwks()), {
      algorithms: [alg],
      issuer: 'broker-test',
      audience: TOKEN_AUDIENCE,
      currentDate: new Date(NOW),
    });
    expect(payload).toEqual({
      iss: 'broker-test',
      aud: TOKEN_AUDIENCE,
      sub: 'acct-1',
      tid: 'tenant-1',
      jti: expect.stringMatching(/^3\.[0-9a-f-]{36}$/),
      iat: NOW / 1000,
      exp: NOW / 1000 + 600,
    });
    expect(expiresAt).toBe(NOW + 600_000);
    expect(await tokens.verify(token)).toMatchObject({
      accountId: 'acct-1',
      tenantId: 'tenant-1',
      generation: 3,
      expiresAt: NOW + 600_000,
    });
  });

  it('gives every token its own jti and refuses one with a changed signature', async () => {
    const tokens = await TokenService.create({
      signingKeys: [signingKey('k1', type)],
      issuer: 'broker-test',
      ttlSeconds: 600,
      now: () => NOW,
    });
    const a = (await tokens.issue(account)).token;
    const b = (await tokens.issue(account)).token;
    expect((await tokens.verify(a)).jti).not.toBe((await tokens.verify(b)).jti);
    const [header, payload, signature] = a.split('.') as [string, string, string];
    const flipped = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    await expect(tokens.verify(flipped)).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

describe('TokenService keys', () => {
  it('publishes public parts only', async () => {
    const tokens = await TokenService.create({
      signingKeys: [signingKey('k1', 'ed25519'), signingKey('k2', 'ec')],
      issuer: 'broker-test',
      ttlSeconds: 600,
    });
    const { keys } = tokens.jwks();
    expect(keys.map((k) => [k.kid, k.alg, 'd' in k])).toEqual([
      ['k1', 'EdDSA', false],
      ['k2', 'ES256', false],
    ]);
  });

  it('refuses a signing key that is not a private key', async () => {
    const { d: _d, ...publicOnly } = signingKey('k1', 'ed25519');
    await expect(
      TokenService.create({ signingKeys: [publicOnly], issuer: 'broker-test', ttlSeconds: 600 }),
    ).rejects.toThrow();
  });
});

describe('TokenService verified-token cache', () => {
  it('still refuses a cached token as expired from the second its exp is reached', async () => {
    let now = NOW;
    const tokens = await TokenService.create({
      signingKeys: [signingKey('k1', 'ed25519')],
      issuer: 'broker-test',
      ttlSeconds: 600,
      now: () => now,
    });
    const { token } = await tokens.issue(account);
    expect((await tokens.verify(token)).accountId).toBe('acct-1');
    now = NOW + 599_999;
    expect((await tokens.verify(token)).accountId).toBe('acct-1');
    now = NOW + 600_000;
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('verifies a token once, then answers from the cache; a changed token is verified afresh', async () => {
    const tokens = await TokenService.create({
      signingKeys: [signingKey('k1', 'ed25519')],
      issuer: 'broker-test',
      ttlSeconds: 600,
      now: () => NOW,
    });
    const { token } = await tokens.issue(account);
    const first = await tokens.verify(token);
    expect(tokens.signatureChecks).toBe(1);
    expect(await tokens.verify(token)).toEqual(first);
    expect(tokens.signatureChecks).toBe(1);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    await expect(tokens.verify(flipped)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(tokens.verify(flipped)).rejects.toMatchObject({ code: 'unauthorized' });
    expect(tokens.signatureChecks).toBe(3);
  });
});
