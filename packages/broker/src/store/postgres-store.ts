import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { KyselyStore, type ScrubResult } from './kysely-store.ts';
import type { StoreDatabase } from './schema.ts';
import type { StoreLog, StoreOptions } from './store.ts';
import { isBackendUnavailable } from './unavailable.ts';

const INT8_OID = 20;

/** BIGINT epoch milliseconds come back as numbers, not strings. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresStoreOptions extends StoreOptions {
  connectionString: string;
  /** Schema to live in (created if missing); also read from `?schema=` in the URL. */
  schema?: string;
  max?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** How long a request waits for a PostgreSQL connection (docs/operations.md, "Faults"). */
export const PG_CONNECT_TIMEOUT_MS = 5_000;

function pool(options: PostgresStoreOptions): { pool: pg.Pool; schema: string } {
  const url = new URL(options.connectionString);
  const schema = options.schema ?? url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`invalid PostgreSQL schema name: ${schema}`);
  return {
    schema,
    pool: new pg.Pool({
      connectionString: url.toString(),
      max: options.max ?? 10,
      types,
      options: `-c search_path=${schema}`,
      // A server that does not answer fails the request (503) instead of holding it.
      connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
      keepAlive: true,
    }),
  };
}

/**
 * A connection the server or the network cuts (a restart, `pg_terminate_backend`, a
 * failover) must never end the process: pg emits 'error' on the pool for an idle client
 * and on the client itself for one checked out between queries, and an unheard 'error'
 * event throws. A client whose query met the cut is dropped from the pool on release
 * (`dropsBrokenClients`); new connections are made as needed (docs/operations.md, "Faults").
 */
export function survivesLostConnections(pool: pg.Pool, log?: StoreLog): void {
  const lost = (error: Error) =>
    log?.warn({ err: error.message }, 'a PostgreSQL connection was lost; the pool reconnects');
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
}

/**
 * The pool as Kysely sees it, with one change: a client whose query failed because its
 * connection is gone (57P01 admin_shutdown from pg_terminate_backend, a crash, a
 * connection exception: `isBackendUnavailable`) is released as broken, so pg-pool ends it
 * at once. pg marks such a client dead only when the socket's close arrives, after the
 * server's error reached the query; released as healthy, it went back idle and the next
 * request could draw it (two 503s for one killed connection instead of one).
 */
function dropsBrokenClients(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let broken = false;
    const query = async (text: string, values: readonly unknown[]) => {
      try {
        return await client.query(text, values as unknown[]);
      } catch (error) {
        if (isBackendUnavailable(error)) broken = true;
        throw error;
      }
    };
    return {
      // Kysely is given no cursor, so it sends only text and values.
      query: query as unknown as PostgresPoolClient['query'],
      release: (destroy?: boolean) => client.release(Boolean(destroy) || broken),
    };
  };
  return {
    connect: async () => {
      const client = await pool.connect();
      let facade = wrapped.get(client);
      if (!facade) wrapped.set(client, (facade = wrap(client)));
      return facade;
    },
    end: () => pool.end(),
  };
}

/**
 * The multi-instance store: any number of broker replicas share one PostgreSQL. Every
 * request re-reads account status here, so a delete through one replica is seen by all.
 */
export class PostgresStore extends KyselyStore {
  readonly kind = 'postgres' as const;
  readonly schema: string;

  constructor(options: PostgresStoreOptions) {
    const opened = pool(options);
    survivesLostConnections(opened.pool, options.log);
    // The migration tables live in the store's schema too (Kysely creates it if missing).
    super(
      new Kysely<StoreDatabase>({
        dialect: new PostgresDialect({ pool: dropsBrokenClients(opened.pool) }),
      }),
      opened.schema,
      options.log,
    );
    this.schema = opened.schema;
  }

  protected async destroyFreedPages(): Promise<ScrubResult> {
    // MVCC keeps the old row version until vacuumed: reclaim it now rather than at the
    // next autovacuum. (What remains in free page space, the WAL, replicas and backups is
    // ciphertext under a key that rotation can retire; see docs/security.md.)
    await this.raw('VACUUM accounts');
    return { done: true, attempts: 1 };
  }
}
