import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { KyselyStore, type ScrubResult } from './kysely-store.ts';
import type { StoreDatabase } from './schema.ts';
import type { StoreLog, StoreOptions } from './store.ts';

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
 * event throws. The broken client is then refused by its next query (a 503) and dropped
 * from the pool on release; new connections are made as needed (docs/operations.md, "Faults").
 */
export function survivesLostConnections(pool: pg.Pool, log?: StoreLog): void {
  const lost = (error: Error) =>
    log?.warn({ err: error.message }, 'a PostgreSQL connection was lost; the pool reconnects');
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
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
      new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool: opened.pool }) }),
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
