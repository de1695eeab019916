/**
 * SIGTERM drains: a broker process stops taking connections at once, lets a slow request in
 * flight finish, and exits 0; a request still running at the deadline
 * (NERM_BROKER_SHUTDOWN_GRACE) is cut and the process exits all the same (docs/operations.md).
 */
import { randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { startBrokerProcess, type BrokerProcess } from '@nerm-connect/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGate, type Gate } from './gate.ts';
import { LogCapture, encryptionKey, signingKeyJson, tempDir } from './helpers.ts';

const apiKey = `nbk_${randomBytes(20).toString('base64url')}`;

describe('a broker process on SIGTERM', () => {
  let sandbox: Sandbox;
  let gate: Gate;
  const brokers: BrokerProcess[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ persons: 20 });
    gate = await startGate(sandbox.url);
  });

  afterAll(async () => {
    for (const broker of brokers) await broker.kill();
    await gate?.close();
    await sandbox?.close();
  });

  /** A broker with one connected account; its token, and its exit (code and signal). */
  async function brokerWithAccount(grace: number) {
    const dir = tempDir();
    const logs = new LogCapture();
    const broker = await startBrokerProcess({
      env: {
        NODE_ENV: 'production',
        NERM_BROKER_DATABASE_URL: `sqlite:${dir}/broker.db`,
        NERM_BROKER_API_KEYS: apiKey,
        NERM_BROKER_ENCRYPTION_KEYS: encryptionKey(),
        NERM_BROKER_SIGNING_KEYS: JSON.stringify([await signingKeyJson()]),
        NERM_BROKER_ALLOWED_HOSTS: gate.url,
        NERM_BROKER_DATA_DIR: dir,
        NERM_BROKER_SYNC_INTERVAL: '0',
        NERM_BROKER_SHUTDOWN_GRACE: String(grace),
      },
      log: logs,
    });
    brokers.push(broker);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      broker.process.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const post = (path: string, json: unknown, token = apiKey) =>
      fetch(`${broker.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(json),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const link = await post('/link-tokens', { tenant_id: 'drain' });
    const connected = await post(
      '/link/connect',
      { tenant_url: gate.url, auth: { type: 'api_key', api_key: sandbox.credentials.apiKey } },
      link.body.link_token,
    );
    const exchanged = await post('/tokens/exchange', { public_token: connected.body.public_token });
    return { broker, exited, logs, token: exchanged.body.integrated_account_token as string };
  }

  /** A proxied read whose NERM call the gate holds until released (or dropped). */
  async function slowRead(broker: BrokerProcess, token: string) {
    const held = gate.parkNext((r) => r.path === '/api/profiles');
    const answer = fetch(`${broker.url}/proxy/profiles?limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as any }),
      () => 'cut off' as const,
    );
    await held;
    return { answer };
  }

  it('refuses new connections, finishes the slow request in flight, then exits 0', async () => {
    const { broker, exited, logs, token } = await brokerWithAccount(60);
    // Parked at the gate: the request is inside the broker, waiting on NERM.
    const { answer: inFlight } = await slowRead(broker, token);
    broker.process.kill('SIGTERM');
    // Until the listener is closed a connect may still land: ask until one is refused.
    let refused: unknown;
    for (let i = 0; i < 200 && !refused; i++) {
      refused = await fetch(`${broker.url}/healthz`).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 25));
    }
    expect((refused as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    expect(broker.process.exitCode).toBeNull(); // still draining
    gate.releaseParked();
    const answer = await inFlight;
    expect(answer).not.toBe('cut off');
    expect((answer as { status: number }).status).toBe(200);
    expect(await exited).toEqual({ code: 0, signal: null });
    // Drained, not cut: the deadline never came.
    expect(logs.text).toContain('shutting down');
    expect(logs.text).not.toContain('shutdown deadline reached');
  }, 120_000);

  it('cuts a request still running at the deadline and exits 0 all the same', async () => {
    const { broker, exited, logs, token } = await brokerWithAccount(1);
    const { answer: inFlight } = await slowRead(broker, token);
    broker.process.kill('SIGTERM');
    // The gate never answers: only the deadline ends this request.
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(await inFlight).toBe('cut off');
    expect(logs.text).toContain('shutdown deadline reached');
    gate.dropParked();
  }, 120_000);
});
