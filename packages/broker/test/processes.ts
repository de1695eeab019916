import pg from 'pg';
import type { Sandbox } from '@nerm-connect/nerm-sandbox';
import { POSTGRES_URL, encryptionKey, signingKeyJson, tempDir } from './helpers.ts';

// What the suites that run brokers as child processes (replicas, kills, outages) share.

/** One broker's answer, read as the suites look at it. */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** The environment of a production broker process: fresh keys, its own data folder. */
export async function processEnv(options: {
  databaseUrl: string;
  apiKey: string;
  allowedHosts: string;
}): Promise<Record<string, string>> {
  return {
    NODE_ENV: 'production',
    NERM_BROKER_DATABASE_URL: options.databaseUrl,
    NERM_BROKER_API_KEYS: options.apiKey,
    NERM_BROKER_ENCRYPTION_KEYS: encryptionKey(),
    NERM_BROKER_SIGNING_KEYS: JSON.stringify([await signingKeyJson()]),
    NERM_BROKER_ALLOWED_HOSTS: options.allowedHosts,
    NERM_BROKER_DATA_DIR: tempDir(),
    NERM_BROKER_LOG_LEVEL: 'info',
  };
}

/** A request to the broker at `base`, with `token` as the bearer and `json` as the body. */
export async function call(
  base: string,
  path: string,
  token: string | undefined,
  init: RequestInit & { json?: unknown } = {},
): Promise<Answer> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(`${base}${path}`, {
    ...rest,
    headers,
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/**
 * A Link connect to the sandbox spread over replicas: the link token from `linkVia`, the
 * connect through `connectVia`, the exchange of the public token on `exchangeVia`.
 */
export async function connectAcross(
  sandbox: Sandbox,
  apiKey: string,
  [linkVia, connectVia, exchangeVia]: [string, string, string],
): Promise<{ connected: Answer; exchanged: Answer }> {
  const lt = (
    await call(linkVia, '/link-tokens', apiKey, { method: 'POST', json: { tenant_id: 'acme' } })
  ).body.link_token;
  const connected = await call(connectVia, '/link/connect', lt, {
    method: 'POST',
    json: {
      tenant_url: sandbox.url,
      auth: { type: 'api_key', api_key: sandbox.credentials.apiKey },
    },
  });
  const exchanged = await call(exchangeVia, '/tokens/exchange', apiKey, {
    method: 'POST',
    json: { public_token: connected.body.public_token },
  });
  return { connected, exchanged };
}

/** Drops a suite's own PostgreSQL schema (its brokers' tables) once the suite is done. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}
