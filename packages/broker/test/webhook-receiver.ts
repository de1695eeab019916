import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, type LifecycleEvent } from '@nerm-connect/shared';

/** One request that reached the receiver and verified. */
export interface Arrival {
  id: string;
  type: LifecycleEvent['type'];
  account: string;
  /** The person of a `user.*` event. */
  user: string | undefined;
}

export interface WebhookReceiver {
  url: string;
  /** Every verified request, in arrival order (an event sent twice arrives twice). */
  arrivals: Arrival[];
  /** The events it answered 2xx, in order: what the SaaS backend acted on. */
  acked: Arrival[];
  /** Requests that failed verification. */
  refused: number;
  /** Parks (never answers) the next verified event `when` accepts; resolves once one is parked. */
  holdNext(when: (event: Arrival) => boolean): Promise<Arrival>;
  /** Drops what is parked without an answer, and parks nothing more. */
  dropHeld(): void;
  close(): Promise<void>;
}

/** A customer's receiver over real HTTP: verifies each delivery as the README's does. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  let hold: { when: (e: Arrival) => boolean; parked: (e: Arrival) => void } | undefined;
  const held: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let event: LifecycleEvent;
      try {
        event = verifyWebhook(Buffer.concat(chunks), req.headers, secret);
      } catch {
        receiver.refused++;
        return void res.writeHead(400).end();
      }
      const data = event.data as { user?: { id: string } };
      const arrival: Arrival = {
        id: event.id,
        type: event.type,
        account: event.integrated_account_id,
        user: data.user?.id,
      };
      receiver.arrivals.push(arrival);
      if (hold?.when(arrival)) {
        held.push(res);
        hold.parked(arrival);
        hold = undefined;
        return;
      }
      receiver.acked.push(arrival);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals: [],
    acked: [],
    refused: 0,
    holdNext: (when) => new Promise((parked) => (hold = { when, parked })),
    dropHeld: () => {
      hold = undefined;
      for (const res of held.splice(0)) res.destroy();
    },
    close: async () => {
      receiver.dropHeld();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  return receiver;
}
