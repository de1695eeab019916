import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import type { Store, StoreOptions } from '../src/store/store.ts';
import { POSTGRES_URL, tempDir } from './helpers.ts';

/** One empty database of one engine, with raw access beside the store for inspection. */
export interface ScratchDatabase {
  /** Resolves once the database exists (a PostgreSQL database of its own is made here). */
  ready(): Promise<void>;
  open(options?: StoreOptions): Store;
  exec(sql: string): Promise<void>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** A BLOB/BYTEA literal. */
  bytes(hex: string): string;
  /** Tables, columns, types, defaults and indexes, normalised so two databases compare. */
  schema(): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
  /**
   * Whether `bytes` are still kept where the engine stores rows: the SQLite file and its
   * WAL, or any PostgreSQL heap tuple of `table`, live or dead (pageinspect).
   */
  holds(table: string, bytes: Buffer): Promise<boolean>;
  /** A read transaction held open beside the store (SQLite), until `release()`. */
  reader?(): { release(): void };
}

function sqliteScratch(): ScratchDatabase {
  const file = join(tempDir(), 'store.db');
  const raw = new Database(file);
  return {
    ready: async () => undefined,
    open: (options) => new SqliteStore(file, options),
    exec: async (sql) => void raw.exec(sql),
    rows: async (sql) => raw.prepare(sql).all() as Record<string, unknown>[],
    bytes: (hex) => `X'${hex}'`,
    schema: async () =>
      raw
        .prepare(
          `SELECT m.name AS tbl, c.name, lower(c.type) AS type, c."notnull", c.dflt_value, c.pk
           FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table'
           UNION ALL
           SELECT m.name, i.name, 'index', i."unique", NULL, NULL
           FROM sqlite_master m JOIN pragma_index_list(m.name) i WHERE m.type = 'table'
           ORDER BY 1, 2`,
        )
        .all() as Record<string, unknown>[],
    drop: async () => void raw.close(),
    holds: async (_table, bytes) =>
      [file, `${file}-wal`].some((f) => existsSync(f) && readFileSync(f).includes(bytes)),
    reader: () => {
      const reader = new Database(file, { readonly: true });
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM accounts').get();
      return {
        release: () => {
          reader.exec('COMMIT');
          reader.close();
        },
      };
    },
  };
}

/**
 * A schema of its own in the test database, or (`ownDatabase`) a database of its own:
 * VACUUM removes a dead row only when no transaction of the same database may still see
 * it, and other suites run transactions in the shared one.
 */
function postgresScratch(
  serverUrl: string,
  options: { ownDatabase?: boolean } = {},
): ScratchDatabase {
  const schema = `store_test_${randomBytes(4).toString('hex')}`;
  const database = options.ownDatabase
    ? `nerm_scratch_${randomBytes(4).toString('hex')}`
    : undefined;
  const url = database ? withDatabase(serverUrl, database) : serverUrl;
  const admin = async (statement: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  let client: Promise<pg.Client> | undefined;
  const connect = () =>
    (client ??= (async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path = ${schema}`);
      return c;
    })());
  const rows = async (sql: string) => (await (await connect()).query(sql)).rows;
  return {
    ready: async () => {
      if (database) await admin(`CREATE DATABASE ${database}`);
    },
    open: (options) => new PostgresStore({ connectionString: url, schema, ...options }),
    exec: async (sql) => {
      await (await connect()).query(sql);
    },
    rows,
    bytes: (hex) => `'\\x${hex}'::bytea`,
    schema: async () =>
      (
        await rows(
          `SELECT table_name AS tbl, column_name AS name, data_type AS type, is_nullable, column_default
           FROM information_schema.columns WHERE table_schema = '${schema}'
           UNION ALL
           SELECT tablename, indexname, replace(indexdef, '${schema}.', ''), NULL, NULL
           FROM pg_indexes WHERE schemaname = '${schema}'
           ORDER BY 1, 2`,
        )
      ).map((r) => ({ ...r })),
    drop: async () => {
      const c = await connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
      if (database) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
    holds: async (table, bytes) => {
      const c = await connect();
      await c
        .query('CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public')
        .catch(() => undefined); // another run created it meanwhile
      const relation = `${schema}.${table}`;
      const { rows: found } = await c.query(
        `SELECT count(*)::int AS n
         FROM generate_series(0, pg_relation_size($1::regclass) / current_setting('block_size')::int - 1) AS page,
              LATERAL public.heap_page_items(public.get_raw_page($1::text, page::int)) AS item
         WHERE position($2::bytea IN item.t_data) > 0`,
        [relation, bytes],
      );
      return (found[0] as { n: number }).n > 0;
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** SQLite always; PostgreSQL when NERM_CONNECT_TEST_POSTGRES_URL is set. */
export const ENGINES: {
  name: 'sqlite' | 'postgres';
  scratch: (options?: { ownDatabase?: boolean }) => ScratchDatabase;
}[] = [
  { name: 'sqlite', scratch: sqliteScratch },
  ...(POSTGRES_URL
    ? [
        {
          name: 'postgres' as const,
          scratch: (options?: { ownDatabase?: boolean }) =>
            postgresScratch(POSTGRES_URL as string, options),
        },
      ]
    : []),
];
