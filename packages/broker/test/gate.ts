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
  /**
   * Forwards the next request `when` accepts to the sandbox but never answers the caller:
   * resolves once the sandbox has acted on it (the write landed, its answer is lost).
   */
  swallowNextAnswer(
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
  let swallow: { when: Parameters<Gate['parkNext']>[0]; landed: () => void } | undefined;
  const parked: { res: ServerResponse; forward: () => unknown }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', target);
      const method = req.method ?? 'GET';
      const forward = (answer = true) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers))
          if (name !== 'host' && name !== 'connection' && typeof value === 'string')
            headers.set(name, value);
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        return fetch(url, { method, headers, ...(body ? { body } : {}), redirect: 'manual' })
          .then(async (upstream) => {
            const payload = Buffer.from(await upstream.arrayBuffer());
            if (!answer) return;
            const out: Record<string, string> = {};
            upstream.headers.forEach((value, name) => {
              if (!['content-length', 'transfer-encoding', 'connection'].includes(name))
                out[name] = value;
            });
            res.writeHead(upstream.status, out).end(payload);
          })
          .catch(() => res.destroy());
      };
      const seen = { method, path: url.pathname, query: url.searchParams };
      if (swallow?.when(seen)) {
        const { landed } = swallow;
        swallow = undefined;
        parked.push({ res, forward: () => undefined });
        // The sandbox answered the gate (so it acted); the caller never hears of it.
        void forward(false).then(landed);
        return;
      }
      if (park?.when(seen)) {
        parked.push({ res, forward });
        park.parked();
        park = undefined;
        return;
      }
      void forward();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const gate: Gate = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    parkNext: (when) => new Promise((resolve) => (park = { when, parked: resolve })),
    swallowNextAnswer: (when) => new Promise((resolve) => (swallow = { when, landed: resolve })),
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
