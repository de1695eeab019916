import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { POSTGRES_URL, tempDir } from './helpers.ts';

/** One empty database of one engine, with raw access beside the store for inspection. */
export interface ScratchDatabase {
  open(): Store;
  exec(sql: string): Promise<void>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** A BLOB/BYTEA literal. */
  bytes(hex: string): string;
  /** Tables, columns, types, defaults and indexes, normalised so two databases compare. */
  schema(): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

function sqliteScratch(): ScratchDatabase {
  const file = join(tempDir(), 'store.db');
  const raw = new Database(file);
  return {
    open: () => new SqliteStore(file),
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
  };
}

function postgresScratch(url: string): ScratchDatabase {
  const schema = `store_test_${randomBytes(4).toString('hex')}`;
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
    open: () => new PostgresStore({ connectionString: url, schema }),
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
    },
  };
}

/** SQLite always; PostgreSQL when NERM_CONNECT_TEST_POSTGRES_URL is set. */
export const ENGINES: { name: 'sqlite' | 'postgres'; scratch: () => ScratchDatabase }[] = [
  { name: 'sqlite', scratch: sqliteScratch },
  ...(POSTGRES_URL
    ? [{ name: 'postgres' as const, scratch: () => postgresScratch(POSTGRES_URL as string) }]
    : []),
];
