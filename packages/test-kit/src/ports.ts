/** Ports for servers the tests and the demo start: never a fixed one that may be taken. */
import { once } from 'node:events';
import {
  createServer as createHttpServer,
  type RequestListener,
  type Server as HttpServer,
} from 'node:http';
import { createServer } from 'node:net';

/** A port nothing listens on at this moment (for tools that need a number up front). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `preferred` when nothing listens there, else 0 (any free port). */
export async function portOrAny(preferred: number): Promise<number> {
  if (preferred === 0) return 0;
  const probe = createServer();
  try {
    probe.listen(preferred, '127.0.0.1');
    await once(probe, 'listening');
    return preferred;
  } catch {
    return 0;
  } finally {
    probe.close();
  }
}

/** A local HTTP server on a free loopback port, and how to stop it with its connections. */
export interface LocalServer {
  server: HttpServer;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 at a free port (a stub tenant, receiver or proxy). */
export async function serveLocally(handler: RequestListener): Promise<LocalServer> {
  const server = createHttpServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
