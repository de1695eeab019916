import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair } from 'jose';
import { expect } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '@nerm-connect/nerm-sandbox';
import { createBroker, type Broker, type BrokerOverrides } from '../src/broker.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import type { RetryPolicy } from '../src/nerm/retry.ts';

/** PostgreSQL for the shared store suite and multi-replica tests; CI always sets it. */
export const POSTGRES_URL = process.env.NERM_CONNECT_TEST_POSTGRES_URL;
if (!POSTGRES_URL && !globalThis.__pgWarned) {
  globalThis.__pgWarned = true;
  console.warn(
    'NERM_CONNECT_TEST_POSTGRES_URL is not set: PostgreSQL tests are skipped (.ci/run sets it).',
  );
}
declare global {
  var __pgWarned: boolean | undefined;
}

/** Redis for the shared-counter tests (NERM_BROKER_REDIS_URL); CI always sets it. */
export const REDIS_URL = process.env.NERM_CONNECT_TEST_REDIS_URL;

export const FAST_RETRY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 2,
  maxDelayMs: 20,
  maxRetryAfterMs: 5_000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export async function signingKeyJson(
  kid = `k-${randomBytes(3).toString('hex')}`,
  alg: 'EdDSA' | 'ES256' = 'EdDSA',
) {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  return { ...(await exportJWK(privateKey)), kid, alg };
}

export function encryptionKey(kid = 'k1'): string {
  return `${kid}:${randomBytes(32).toString('base64')}`;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'nerm-connect-'));
}

/** Captures every log line so tests can prove what was (not) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface StackOptions {
  sandbox?: SandboxOptions | Sandbox;
  env?: Record<string, string>;
  overrides?: BrokerOverrides;
  databaseUrl?: string;
}

export interface Stack {
  url: string;
  sandbox: Sandbox;
  broker: Broker;
  apiKey: string;
  logs: LogCapture;
  dbFile: string | undefined;
  env: Record<string, string>;
  /** Every response this stack's helpers received, headers and body, for secret scans. */
  transcript: string[];
  /** fetch against the broker, returning status, headers and parsed JSON. */
  call(
    path: string,
    init?: RequestInit & { token?: string | null; json?: unknown },
  ): Promise<CallResult>;
  admin(path: string, init?: RequestInit & { json?: unknown }): Promise<CallResult>;
  linkToken(tenantId?: string, accountId?: string): Promise<string>;
  /** Connect with the sandbox's legacy key (default) or PAT; returns the connect response. */
  connect(linkToken: string, body?: unknown): Promise<CallResult>;
  /** Link token → connect → exchange; the account id and its token. */
  connectAccount(
    kind?: 'api_key' | 'pat',
    tenantId?: string,
  ): Promise<{ accountId: string; token: string }>;
  close(): Promise<void>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const ownSandbox = !(options.sandbox && 'url' in options.sandbox);
  const sandbox = ownSandbox
    ? await startSandbox({ persons: 300, ...(options.sandbox as SandboxOptions | undefined) })
    : (options.sandbox as Sandbox);
  const apiKey = `nbk_test_${randomBytes(16).toString('base64url')}`;
  const dir = tempDir();
  const dbFile = options.databaseUrl ? undefined : join(dir, 'broker.db');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    NERM_BROKER_API_KEYS: apiKey,
    NERM_BROKER_ENCRYPTION_KEYS: encryptionKey(),
    NERM_BROKER_SIGNING_KEYS: JSON.stringify([await signingKeyJson()]),
    NERM_BROKER_ALLOWED_HOSTS: `${sandbox.url},*.nonemployee.com,*.api.identitynow.com`,
    NERM_BROKER_ALLOWED_ORIGINS: 'http://widget.test',
    NERM_BROKER_DATABASE_URL: options.databaseUrl ?? `sqlite:${dbFile}`,
    NERM_BROKER_DATA_DIR: dir,
    ...options.env,
  };
  const config = await loadConfig(env);
  const logs = new LogCapture();
  const broker = await createBroker(config, {
    logger: createLogger({ level: 'info', destination: logs }),
    retry: FAST_RETRY,
    // No test resolves a real name: tenants here are loopback origins, and a slip must
    // fail fast rather than reach (or send a secret to) a real host.
    resolve: async (host) => {
      throw Object.assign(new Error(`tests do not resolve ${host}`), { code: 'ENOTFOUND' });
    },
    ...options.overrides,
  });
  const server: Server = broker.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const transcript: string[] = [];
  const call: Stack['call'] = async (path, init = {}) => {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    const res = await fetch(`${url}${path}`, {
      ...rest,
      headers,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
    const text = await res.text();
    transcript.push(`${res.status} ${JSON.stringify([...res.headers])}\n${text}`);
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, body, text };
  };
  const admin: Stack['admin'] = (path, init = {}) => call(path, { ...init, token: apiKey });
  const linkToken: Stack['linkToken'] = async (tenantId = 'tenant-1', accountId) => {
    const res = await admin('/link-tokens', {
      method: 'POST',
      json: { tenant_id: tenantId, ...(accountId ? { integrated_account_id: accountId } : {}) },
    });
    if (res.status !== 201) throw new Error(`link token: ${res.status} ${res.text}`);
    return res.body.link_token as string;
  };
  const connect: Stack['connect'] = (lt, body) =>
    call('/link/connect', {
      method: 'POST',
      token: lt,
      json: body ?? {
        tenant_url: sandbox.url,
        auth: { type: 'api_key', api_key: sandbox.credentials.apiKey },
      },
    });
  const connectAccount: Stack['connectAccount'] = async (
    kind = 'api_key',
    tenantId = `tenant-${randomUUID()}`,
  ) => {
    const lt = await linkToken(tenantId);
    const auth =
      kind === 'api_key'
        ? { type: 'api_key', api_key: sandbox.credentials.apiKey }
        : {
            type: 'pat',
            client_id: sandbox.credentials.client.clientId,
            client_secret: sandbox.credentials.client.clientSecret,
            token_url: sandbox.tokenUrl,
          };
    const connected = await connect(lt, { tenant_url: sandbox.url, auth });
    if (connected.status !== 201) throw new Error(`connect: ${connected.status} ${connected.text}`);
    const exchanged = await admin('/tokens/exchange', {
      method: 'POST',
      json: { public_token: connected.body.public_token },
    });
    if (exchanged.status !== 200)
      throw new Error(`exchange: ${exchanged.status} ${exchanged.text}`);
    return {
      accountId: exchanged.body.integrated_account_id,
      token: exchanged.body.integrated_account_token,
    };
  };

  return {
    url,
    sandbox,
    broker,
    apiKey,
    logs,
    dbFile,
    env,
    transcript,
    call,
    admin,
    linkToken,
    connect,
    connectAccount,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await broker.close();
      if (ownSandbox) await sandbox.close();
    },
  };
}

/**
 * Waits until the sandbox has seen no request for `quietMs`: the broker reads the next
 * users page ahead in the background, and a fault set while that is in flight would hit
 * it instead of the request under test.
 */
export async function settled(sandbox: Sandbox, quietMs = 60): Promise<void> {
  let seen = -1;
  while (seen !== sandbox.stats.total) {
    seen = sandbox.stats.total;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

/**
 * The stores a both-stores suite runs on: SQLite always, PostgreSQL (a schema of its own,
 * named `<prefix>_<hex>`) when NERM_CONNECT_TEST_POSTGRES_URL is set.
 */
export function bothStores(prefix: string): { name: string; databaseUrl: string | undefined }[] {
  return [
    { name: 'sqlite', databaseUrl: undefined },
    ...(POSTGRES_URL
      ? [
          {
            name: 'postgres',
            databaseUrl: `${POSTGRES_URL}?schema=${prefix}_${randomBytes(4).toString('hex')}`,
          },
        ]
      : []),
  ];
}

/** Walks the users list to its end with `query` (limit, filters); the ids in order. */
export async function walk(
  stack: Stack,
  token: string,
  query: string,
  onPage: (
    page: number,
    body: { result: { id: string }[]; next_cursor: string | null },
  ) => void | Promise<void> = () => undefined,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let page = 0;
  do {
    const res: any = await stack.call(
      `/unified/user-directory/users?${query}${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    expect(res.status, res.text).toBe(200);
    ids.push(...res.body.result.map((u: any) => u.id));
    cursor = res.body.next_cursor;
    await onPage(++page, res.body);
  } while (cursor);
  return ids;
}
