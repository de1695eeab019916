import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { isWebhookSecret } from '../src/config-schema.ts';
import { encryptionKey, signingKeyJson, tempDir } from './helpers.ts';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

async function production(extra: Record<string, string>) {
  return loadConfig({
    NODE_ENV: 'production',
    NERM_BROKER_API_KEYS: 'a'.repeat(32),
    NERM_BROKER_ENCRYPTION_KEYS: encryptionKey(),
    NERM_BROKER_SIGNING_KEYS: JSON.stringify([await signingKeyJson()]),
    ...extra,
  });
}

async function problems(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('lifecycle configuration', () => {
  it('defaults: no webhook URL, a sync every 300 s, warnings 14 days ahead, 60 s leases', async () => {
    const config = await production({});
    expect(config.lifecycle).toEqual({
      webhookUrl: undefined,
      webhookSecret: undefined,
      syncIntervalSeconds: 300,
      contractWarningDays: 14,
      leaseSeconds: 60,
      publicUrl: 'http://localhost:8787',
    });
    expect(config.warnings).toEqual([]);
  });

  it('reads every variable, 0 turning the scheduler off', async () => {
    const config = await production({
      NERM_BROKER_ALLOWED_HOSTS: '*.nonemployee.com,hooks.example.com',
      NERM_BROKER_WEBHOOK_URL: 'https://hooks.example.com/nerm',
      NERM_BROKER_WEBHOOK_SECRET: SECRET,
      NERM_BROKER_SYNC_INTERVAL: '0',
      NERM_BROKER_CONTRACT_WARNING_DAYS: '30',
      NERM_BROKER_PUBLIC_URL: 'https://broker.example.com/',
    });
    expect(config.lifecycle).toMatchObject({
      webhookSecret: SECRET,
      syncIntervalSeconds: 0,
      contractWarningDays: 30,
      publicUrl: 'https://broker.example.com',
    });
    expect(config.lifecycle.webhookUrl?.href).toBe('https://hooks.example.com/nerm');
  });

  it('refuses a receiver the outbound guard would refuse, naming the variable and not the URL', async () => {
    for (const url of [
      'https://hooks.example.com/nerm',
      'http://127.0.0.1:9000/hook',
      'https://user:pass@acme.nonemployee.com/x',
    ]) {
      const message = await problems(
        production({ NERM_BROKER_WEBHOOK_URL: url, NERM_BROKER_WEBHOOK_SECRET: SECRET }),
      );
      expect(message).toContain('NERM_BROKER_WEBHOOK_URL');
      expect(message).not.toContain('pass');
    }
    // An exact origin entry admits a loopback receiver.
    const config = await production({
      NERM_BROKER_ALLOWED_HOSTS: 'http://127.0.0.1:9000',
      NERM_BROKER_WEBHOOK_URL: 'http://127.0.0.1:9000/hook',
      NERM_BROKER_WEBHOOK_SECRET: SECRET,
    });
    expect(config.lifecycle.webhookUrl?.origin).toBe('http://127.0.0.1:9000');
  });

  it('needs a well-formed secret in production when a URL is set, without echoing it', async () => {
    const base = {
      NERM_BROKER_ALLOWED_HOSTS: 'http://127.0.0.1:9000',
      NERM_BROKER_WEBHOOK_URL: 'http://127.0.0.1:9000/hook',
    };
    expect(await problems(production(base))).toContain('NERM_BROKER_WEBHOOK_SECRET is required');
    const short = `whsec_${Buffer.alloc(8, 1).toString('base64')}`;
    const message = await problems(production({ ...base, NERM_BROKER_WEBHOOK_SECRET: short }));
    expect(message).toContain('24 to 64 bytes');
    expect(message).not.toContain(short);
    expect(await problems(production({ NERM_BROKER_SYNC_INTERVAL: '-5' }))).toContain(
      'NERM_BROKER_SYNC_INTERVAL',
    );
    expect(await problems(production({ NERM_BROKER_CONTRACT_WARNING_DAYS: 'soon' }))).toContain(
      'NERM_BROKER_CONTRACT_WARNING_DAYS',
    );
  });

  it('generates a development secret once into the data folder (0600)', async () => {
    const dir = tempDir();
    const env = {
      NERM_BROKER_DATA_DIR: dir,
      NERM_BROKER_ALLOWED_HOSTS: 'http://127.0.0.1:9000',
      NERM_BROKER_WEBHOOK_URL: 'http://127.0.0.1:9000/hook',
    };
    const first = await loadConfig(env);
    expect(first.generated).toContain('webhook_secret');
    expect(isWebhookSecret(first.lifecycle.webhookSecret!)).toBe(true);
    const file = join(dir, 'dev-webhook-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.lifecycle.webhookSecret);
    expect((await loadConfig(env)).lifecycle.webhookSecret).toBe(first.lifecycle.webhookSecret);
  });

  it('knows a Standard Webhooks secret when it sees one', () => {
    expect(isWebhookSecret(SECRET)).toBe(true);
    expect(isWebhookSecret(SECRET.slice('whsec_'.length))).toBe(false);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(65).toString('base64')}`)).toBe(false);
    expect(isWebhookSecret('whsec_not base64!')).toBe(false);
  });
});
