import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A door in front of the NERM sandbox that forwards every request, except that it can park
 * one (never answer it): a broker can then be killed at an exact point of a sync, between
 * two NERM pages, with no timing involved.
 */
export interface Gate {
  url: string;
  /** Parks the next request `when` accepts; resolves once one is parked. */
  parkNext(
    when: (req: { method: string; path: string; query: URLSearchParams }) => boolean,
  ): Promise<void>;
  /** Sends parked requests on to the sandbox after all (their answers go back as usual). */
  releaseParked(): void;
  /** Drops parked requests unanswered, and parks nothing more. */
  dropParked(): void;
  close(): Promise<void>;
}

export async function startGate(target: string): Promise<Gate> {
  let park: { when: Parameters<Gate['parkNext']>[0]; parked: () => void } | undefined;
  const parked: { res: ServerResponse; forward: () => void }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', target);
      const method = req.method ?? 'GET';
      const forward = () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers))
          if (name !== 'host' && name !== 'connection' && typeof value === 'string')
            headers.set(name, value);
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        fetch(url, { method, headers, ...(body ? { body } : {}), redirect: 'manual' })
          .then(async (upstream) => {
            const payload = Buffer.from(await upstream.arrayBuffer());
            const out: Record<string, string> = {};
            upstream.headers.forEach((value, name) => {
              if (!['content-length', 'transfer-encoding', 'connection'].includes(name))
                out[name] = value;
            });
            res.writeHead(upstream.status, out).end(payload);
          })
          .catch(() => res.destroy());
      };
      if (park?.when({ method, path: url.pathname, query: url.searchParams })) {
        parked.push({ res, forward });
        park.parked();
        park = undefined;
        return;
      }
      forward();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const gate: Gate = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    parkNext: (when) => new Promise((resolve) => (park = { when, parked: resolve })),
    releaseParked: () => {
      for (const { forward } of parked.splice(0)) forward();
    },
    dropParked: () => {
      park = undefined;
      for (const { res } of parked.splice(0)) res.destroy();
    },
    close: async () => {
      gate.dropParked();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  return gate;
}
