import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { LifecycleStore } from '../src/lifecycle/lifecycle-store.ts';
import { createLifecycleTables, type LifecycleDatabase } from '../src/store/lifecycle-schema.ts';
import { KyselyLifecycleStore } from '../src/store/lifecycle-store.ts';
import { POSTGRES_URL, tempDir } from './helpers.ts';

/**
 * TEMPORARY until the one Kysely store lands: the lifecycle tables beside a minimal
 * accounts table, on both engines.
 */
export interface LifecycleScratch {
  lifecycle: LifecycleStore;
  addAccount(id: string, status: string): Promise<string>;
  exec(text: string): Promise<void>;
  close(): Promise<void>;
}

async function prepare(
  db: Kysely<LifecycleDatabase>,
  engine: 'sqlite' | 'postgres',
): Promise<LifecycleScratch> {
  await sql`CREATE TABLE accounts (id text PRIMARY KEY, status text NOT NULL)`.execute(db);
  await createLifecycleTables(db, engine);
  return {
    lifecycle: new KyselyLifecycleStore(db, engine),
    addAccount: async (id, status) => {
      await db.insertInto('accounts').values({ id, status }).execute();
      return id;
    },
    exec: async (text) => {
      await sql.raw(text).execute(db);
    },
    close: () => db.destroy(),
  };
}

const INT8 = 20;

export const LIFECYCLE_ENGINES: { name: string; scratch: () => Promise<LifecycleScratch> }[] = [
  {
    name: 'sqlite',
    scratch: () => {
      const raw = new Database(join(tempDir(), 'lifecycle.db'));
      raw.pragma('journal_mode = WAL');
      return prepare(new Kysely({ dialect: new SqliteDialect({ database: raw }) }), 'sqlite');
    },
  },
  ...(POSTGRES_URL
    ? [
        {
          name: 'postgres',
          scratch: async () => {
            const schema = `lifecycle_${randomBytes(4).toString('hex')}`;
            const admin = new pg.Client({ connectionString: POSTGRES_URL });
            await admin.connect();
            await admin.query(`CREATE SCHEMA ${schema}`);
            await admin.end();
            const pool = new pg.Pool({
              connectionString: POSTGRES_URL,
              options: `-c search_path=${schema}`,
              types: {
                getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
                  oid === INT8
                    ? (v: string) => Number(v)
                    : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
              },
            });
            const scratch = await prepare(
              new Kysely({ dialect: new PostgresDialect({ pool }) }),
              'postgres',
            );
            return {
              ...scratch,
              close: async () => {
                await scratch.close();
                const c = new pg.Client({ connectionString: POSTGRES_URL });
                await c.connect();
                await c.query(`DROP SCHEMA ${schema} CASCADE`);
                await c.end();
              },
            };
          },
        },
      ]
    : []),
];
