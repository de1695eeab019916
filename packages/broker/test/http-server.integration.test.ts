import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, DEFAULT_HTTP_LIMITS } from '../src/http/http-server.ts';

// Issue 8, finding 1 (docs/security.md): the server itself bounds slow and idle clients.

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server!.close(r));
    server = undefined;
  }
});

async function listen(limits: Parameters<typeof createHttpServer>[1]): Promise<number> {
  const app = express();
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  app.post('/echo', express.json(), (req, res) => res.json(req.body));
  server = createHttpServer(app, limits);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A raw client socket; resolves with everything the server sent once it closes. */
async function rawClient(
  port: number,
  send: string,
): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', () => undefined);
  // A reset counts as closed (`once` would reject on the error event).
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  if (send) socket.write(send);
  return { socket, closed };
}

describe('createHttpServer', () => {
  it('has the documented defaults: 15 s for headers, 30 s for the whole request', () => {
    expect(DEFAULT_HTTP_LIMITS).toMatchObject({
      headersTimeoutMs: 15_000,
      requestTimeoutMs: 30_000,
      maxConnections: 1024,
    });
    const s = createHttpServer(express(), {});
    expect([s.headersTimeout, s.requestTimeout, s.keepAliveTimeout, s.maxConnections]).toEqual([
      15_000, 30_000, 65_000, 1024,
    ]);
  });

  it('answers 408 and closes a client that never finishes its headers', async () => {
    const port = await listen({
      headersTimeoutMs: 100,
      requestTimeoutMs: 200,
      checkIntervalMs: 20,
    });
    const { closed } = await rawClient(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(await closed).toMatch(/^HTTP\/1\.1 408/);
  });

  it('answers 408 and closes a client that never finishes its body', async () => {
    const port = await listen({
      headersTimeoutMs: 100,
      requestTimeoutMs: 200,
      checkIntervalMs: 20,
    });
    const { closed } = await rawClient(
      port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    expect(await closed).toMatch(/^HTTP\/1\.1 408/);
  });

  it('refuses connections beyond the limit and serves again once one closes', async () => {
    const port = await listen({ maxConnections: 2 });
    const first = await rawClient(port, '');
    await rawClient(port, '');
    const third = await rawClient(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await third.closed).toBe('');
    first.socket.destroy();
    await first.closed;
    let answered: Response | undefined;
    while (!answered) {
      answered = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    }
    expect(answered.status).toBe(200);
  });
});
