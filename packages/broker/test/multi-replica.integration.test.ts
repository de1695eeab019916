import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { readJsonLine, spawnNode, stop } from '@nerm-connect/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, encryptionKey, signingKeyJson, tempDir } from './helpers.ts';

const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));
const schema = `replicas_${randomBytes(4).toString('hex')}`;

interface Replica {
  url: string;
  child: ChildProcess;
}

async function startReplica(env: Record<string, string>): Promise<Replica> {
  const child = spawnNode(server, {
    env: { ...env, NERM_BROKER_PORT: '0', NERM_BROKER_HOST: '127.0.0.1' },
  });
  const { port } = await readJsonLine<{ port: number }>(child, {
    name: 'A broker replica',
    match: (line) => String(line.msg).includes('broker listening'),
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

describe.skipIf(!POSTGRES_URL)('two broker processes on one PostgreSQL', () => {
  let sandbox: Sandbox;
  let a: Replica;
  let b: Replica;
  const apiKey = `nbk_${randomBytes(20).toString('base64url')}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ persons: 60 });
    const env = {
      NODE_ENV: 'production',
      NERM_BROKER_DATABASE_URL: `${POSTGRES_URL}?schema=${schema}`,
      NERM_BROKER_API_KEYS: apiKey,
      NERM_BROKER_ENCRYPTION_KEYS: encryptionKey(),
      NERM_BROKER_SIGNING_KEYS: JSON.stringify([await signingKeyJson()]),
      NERM_BROKER_ALLOWED_HOSTS: sandbox.url,
      NERM_BROKER_DATA_DIR: tempDir(),
      NERM_BROKER_LOG_LEVEL: 'info',
    };
    [a, b] = await Promise.all([startReplica(env), startReplica(env)]);
  }, 30_000);

  afterAll(async () => {
    for (const r of [a, b]) if (r) await stop(r.child);
    await sandbox?.close();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  async function call(
    base: string,
    path: string,
    token: string,
    init: RequestInit & { json?: unknown } = {},
  ) {
    const { json, ...rest } = init;
    const res = await fetch(`${base}${path}`, {
      ...rest,
      headers: {
        authorization: `Bearer ${token}`,
        ...(json ? { 'content-type': 'application/json' } : {}),
      },
      ...(json ? { body: JSON.stringify(json) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  it('connects through one, serves the token on the other, and a delete through one stops the other at once', async () => {
    const lt = (
      await call(a.url, '/link-tokens', apiKey, { method: 'POST', json: { tenant_id: 'acme' } })
    ).body.link_token;
    const connected = await call(b.url, '/link/connect', lt, {
      method: 'POST',
      json: {
        tenant_url: sandbox.url,
        auth: { type: 'api_key', api_key: sandbox.credentials.apiKey },
      },
    });
    expect(connected.status).toBe(201);
    const exchanged = await call(a.url, '/tokens/exchange', apiKey, {
      method: 'POST',
      json: { public_token: connected.body.public_token },
    });
    expect(exchanged.status).toBe(200);
    const token = exchanged.body.integrated_account_token;
    const onB = await call(b.url, '/unified/user-directory/users?limit=5', token);
    expect(onB.status).toBe(200);
    expect(onB.body.result.length).toBeGreaterThan(0);
    // A cursor issued by one replica pages on the other.
    const next = await call(
      a.url,
      `/unified/user-directory/users?limit=5&next_cursor=${onB.body.next_cursor}`,
      token,
    );
    expect(next.status).toBe(200);

    expect(
      (
        await call(a.url, `/integrated-accounts/${exchanged.body.integrated_account_id}`, apiKey, {
          method: 'DELETE',
        })
      ).status,
    ).toBe(204);
    const refused = await call(b.url, '/unified/user-directory/users?limit=5', token);
    expect(refused.status).toBe(410);
    expect(refused.body.error.code).toBe('account_disconnected');
  });
});
