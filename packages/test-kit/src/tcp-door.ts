/**
 * A TCP door in front of a shared server (PostgreSQL, Redis) that a fault test can cut
 * without touching the server others use: kill the connections through it, close it (the
 * server "is down": connections refused), or hold it (accepted, never forwarded: the
 * server "does not answer"), then open it again on the same port.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

export type DoorState = 'open' | 'held' | 'closed';

export interface TcpDoor {
  /** The loopback port clients dial instead of the server's. */
  readonly port: number;
  readonly state: DoorState;
  /** Local ports of the door's connections to the server (to find them in pg_stat_activity). */
  upstreamPorts(): number[];
  /** Connections made through the door since it was opened (a count, for assertions). */
  readonly accepted: number;
  /** Destroys every connection through the door; new ones are forwarded as before. */
  killConnections(): void;
  /** Stops listening and kills every connection: new ones are refused. */
  close(): Promise<void>;
  /** Accepts new connections but forwards nothing (held ones are destroyed on `open`). */
  hold(): Promise<void>;
  /** Forwards again, on the same port. */
  open(): Promise<void>;
}

export async function startTcpDoor(target: { host: string; port: number }): Promise<TcpDoor> {
  const pairs = new Set<{ client: Socket; upstream: Socket | undefined }>();
  let state: DoorState = 'open';
  let accepted = 0;
  let server: Server | undefined;
  let port = 0;

  const onConnection = (client: Socket) => {
    accepted++;
    const pair = { client, upstream: undefined as Socket | undefined };
    pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (state === 'held') return; // accepted, never answered
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const listen = async () => {
    server = createServer(onConnection);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  };
  const killConnections = () => {
    for (const pair of pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    pairs.clear();
  };
  await listen();

  return {
    get port() {
      return port;
    },
    get state() {
      return state;
    },
    get accepted() {
      return accepted;
    },
    upstreamPorts: () =>
      [...pairs].flatMap((p) => (p.upstream?.localPort ? [p.upstream.localPort] : [])),
    killConnections,
    close: async () => {
      state = 'closed';
      killConnections();
      if (server) await new Promise((resolve) => server!.close(resolve));
      server = undefined;
    },
    hold: async () => {
      if (!server) await listen();
      killConnections();
      state = 'held';
    },
    open: async () => {
      if (state === 'held') killConnections();
      state = 'open';
      if (!server) await listen();
    },
  };
}
