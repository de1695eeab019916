import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { encryptionKey, signingKeyJson, tempDir } from './helpers.ts';

async function problemsOf(env: Record<string, string>): Promise<string> {
  try {
    await loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('refuses to start in production without every key, naming variables only', async () => {
    const message = await problemsOf({ NODE_ENV: 'production', NERM_BROKER_DATA_DIR: tempDir() });
    for (const name of [
      'NERM_BROKER_API_KEYS',
      'NERM_BROKER_ENCRYPTION_KEYS',
      'NERM_BROKER_SIGNING_KEYS',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('refuses short, malformed or duplicate encryption keys without echoing them', async () => {
    const base = { NERM_BROKER_DATA_DIR: tempDir() };
    const short = `k1:${Buffer.alloc(16, 7).toString('base64')}`;
    expect(await problemsOf({ ...base, NERM_BROKER_ENCRYPTION_KEYS: short })).toContain('32 bytes');
    expect(await problemsOf({ ...base, NERM_BROKER_ENCRYPTION_KEYS: 'no-colon' })).toContain(
      'kid:base64',
    );
    const k = encryptionKey('same');
    expect(await problemsOf({ ...base, NERM_BROKER_ENCRYPTION_KEYS: `${k},${k}` })).toContain(
      'unique',
    );
    expect(await problemsOf({ ...base, NERM_BROKER_ENCRYPTION_KEYS: short })).not.toContain(
      short.split(':')[1],
    );
  });

  it('refuses signing keys that are not private Ed25519 or P-256 JWKs with a kid', async () => {
    const base = { NERM_BROKER_DATA_DIR: tempDir() };
    const ed = await signingKeyJson('ok');
    const { d: _d, ...publicOnly } = ed;
    for (const [value, fragment] of [
      ['not json', 'not JSON'],
      ['[]', 'non-empty'],
      [JSON.stringify([{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }]), 'Ed25519'],
      [JSON.stringify([publicOnly]), 'not a private key'],
      [JSON.stringify([{ ...ed, kid: undefined }]), 'kid'],
      [JSON.stringify([ed, ed]), 'twice'],
    ] as const) {
      expect(await problemsOf({ ...base, NERM_BROKER_SIGNING_KEYS: value }), value).toContain(
        fragment,
      );
    }
  });

  it('refuses weak API keys, bad origins, bad hosts and bad numbers', async () => {
    const message = await problemsOf({
      NERM_BROKER_DATA_DIR: tempDir(),
      NERM_BROKER_API_KEYS: 'a key with spaces',
      NERM_BROKER_ALLOWED_ORIGINS: 'not an origin',
      NERM_BROKER_ALLOWED_HOSTS: 'ftp://x',
      NERM_BROKER_PORT: 'eighty',
      NERM_BROKER_TOKEN_TTL: '0',
    });
    for (const name of [
      'NERM_BROKER_API_KEYS',
      'NERM_BROKER_ALLOWED_ORIGINS',
      'NERM_BROKER_ALLOWED_HOSTS',
      'NERM_BROKER_PORT',
      'NERM_BROKER_TOKEN_TTL',
    ]) {
      expect(message).toContain(name);
    }
  });

  it("accepts a short API key with a warning (malformed is refused, weak is the operator's call)", async () => {
    const config = await loadConfig({
      NERM_BROKER_DATA_DIR: tempDir(),
      NERM_BROKER_API_KEYS: 'test-key',
    });
    expect(config.apiKeys).toEqual(['test-key']);
    expect(config.warnings.join()).toContain('shorter than 20');
    expect(config.warnings.join()).not.toContain('test-key');
  });

  it('generates missing keys in development into 0600 files, and reuses them', async () => {
    const dir = tempDir();
    const first = await loadConfig({ NERM_BROKER_DATA_DIR: dir });
    expect(first.generated.sort()).toEqual(['api_key', 'encryption_key', 'signing_key']);
    for (const file of ['dev-api-key', 'dev-encryption-keys', 'dev-signing-keys.json']) {
      expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
    }
    const second = await loadConfig({ NERM_BROKER_DATA_DIR: dir });
    expect(second.apiKeys).toEqual(first.apiKeys);
    expect(second.encryptionKeys[0]!.key.equals(first.encryptionKeys[0]!.key)).toBe(true);
    expect(second.signingKeys[0]!.kid).toBe(first.signingKeys[0]!.kid);
  });

  it('reads a complete production configuration with the contract defaults', async () => {
    const config = await loadConfig({
      NODE_ENV: 'production',
      NERM_BROKER_API_KEYS: 'a'.repeat(32),
      NERM_BROKER_ENCRYPTION_KEYS: `${encryptionKey('new')},${encryptionKey('old')}`,
      NERM_BROKER_SIGNING_KEYS: JSON.stringify([await signingKeyJson('s1')]),
    });
    expect(config).toMatchObject({
      production: true,
      port: 8787,
      databaseUrl: 'sqlite:.data/nerm-connect.db',
      tokenTtlSeconds: 3600,
      linkRateLimits: { perIp: 60, perLinkToken: 10 },
      maxConnections: 1024,
      shutdownGraceMs: 10_000,
      trustProxy: false,
      warnings: [],
      allowedOrigins: [],
      generated: [],
    });
    expect(config.encryptionKeys.map((k) => k.kid)).toEqual(['new', 'old']);
    expect(config.allowedHosts.check(new URL('https://acme.nonemployee.com')).allowed).toBe(true);
  });

  it('reads NERM_BROKER_TRUST_PROXY as a hop count or the proxies’ addresses, never as "every hop"', async () => {
    const base = { NERM_BROKER_DATA_DIR: tempDir() };
    expect((await loadConfig({ ...base, NERM_BROKER_TRUST_PROXY: '2' })).trustProxy).toBe(2);
    expect((await loadConfig({ ...base, NERM_BROKER_TRUST_PROXY: '0' })).trustProxy).toBe(false);
    expect((await loadConfig({ ...base, NERM_BROKER_TRUST_PROXY: 'false' })).trustProxy).toBe(
      false,
    );
    const listed = (
      await loadConfig({ ...base, NERM_BROKER_TRUST_PROXY: 'loopback, 10.0.0.0/8, 192.0.2.4' })
    ).trustProxy;
    expect(typeof listed).toBe('function');
    const trusts = listed as (address: string, hop: number) => boolean;
    expect([trusts('127.0.0.1', 0), trusts('10.9.8.7', 1), trusts('192.0.2.4', 0)]).toEqual([
      true,
      true,
      true,
    ]);
    expect(trusts('203.0.113.7', 0)).toBe(false);
    for (const everyHop of ['true', 'TRUE', '*', 'all']) {
      expect(await problemsOf({ ...base, NERM_BROKER_TRUST_PROXY: everyHop })).toContain(
        'never every hop',
      );
    }
    for (const bad of ['proxy.internal', '10.0.0.0/99', '1.5', '-1']) {
      expect(await problemsOf({ ...base, NERM_BROKER_TRUST_PROXY: bad }), bad).toContain(
        'NERM_BROKER_TRUST_PROXY',
      );
    }
  });

  it('reads NERM_BROKER_MAX_CONNECTIONS as a positive whole number', async () => {
    const base = { NERM_BROKER_DATA_DIR: tempDir() };
    expect((await loadConfig({ ...base, NERM_BROKER_MAX_CONNECTIONS: '50' })).maxConnections).toBe(
      50,
    );
    for (const bad of ['0', 'many', '2.5']) {
      expect(await problemsOf({ ...base, NERM_BROKER_MAX_CONNECTIONS: bad }), bad).toContain(
        'NERM_BROKER_MAX_CONNECTIONS',
      );
    }
  });

  it('tells every problem at once, one line each, naming the variable and the faulty entry', async () => {
    const good = encryptionKey('k1');
    let problems: string[] = [];
    try {
      await loadConfig({
        NODE_ENV: 'production',
        NERM_BROKER_PORT: 'eighty',
        NERM_BROKER_DATABASE_URL: 'mysql://db.internal/broker',
        NERM_BROKER_ENCRYPTION_KEYS: `${good},not-a-key`,
        NERM_BROKER_SIGNING_KEYS: '{}',
        NERM_BROKER_LOG_LEVEL: 'loud',
        NERM_BROKER_ALLOWED_ORIGINS: 'https://app.example.com,app.example.com',
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).toEqual([
      'NERM_BROKER_PORT must be a port number (0 to 65535)',
      'NERM_BROKER_DATABASE_URL must start with sqlite: or postgres://',
      'NERM_BROKER_ENCRYPTION_KEYS entry 2 is not kid:base64',
      'NERM_BROKER_SIGNING_KEYS must be a non-empty JSON array of JWKs',
      'NERM_BROKER_ALLOWED_ORIGINS entry 2 must be an origin like https://app.example.com',
      'NERM_BROKER_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      'NERM_BROKER_API_KEYS is required when NODE_ENV=production',
    ]);
    expect(problems.join()).not.toContain(good.split(':')[1]);
  });

  it('takes a blank variable as unset (its default applies) and trims values', async () => {
    const config = await loadConfig({
      NERM_BROKER_DATA_DIR: tempDir(),
      NERM_BROKER_PORT: '  ',
      NERM_BROKER_TOKEN_TTL: ' 120 ',
      NERM_BROKER_LOG_LEVEL: '',
    });
    expect(config).toMatchObject({ port: 8787, tokenTtlSeconds: 120, logLevel: 'info' });
  });
});
