import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledOnce } from '../src/store/compiled-once.ts';
import { POSTGRES_URL } from './helpers.ts';

interface Db {
  items: { id: string; owner: string | null; n: number };
}

/** A Kysely of each engine the store runs on (PostgreSQL: a schema of its own). */
interface Scratch {
  db: Kysely<Db>;
  setup(): Promise<void>;
  drop(): Promise<void>;
}

const ENGINES: { name: string; open(): Scratch }[] = [
  {
    name: 'sqlite',
    open: () => ({
      db: new Kysely<Db>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) }),
      setup: async () => undefined,
      drop: async () => undefined,
    }),
  },
  ...(POSTGRES_URL
    ? [
        {
          name: 'postgres',
          open: () => {
            const schema = `compiled_once_${randomBytes(4).toString('hex')}`;
            const pool = new pg.Pool({
              connectionString: POSTGRES_URL,
              max: 2,
              options: `-c search_path=${schema}`,
            });
            const db = new Kysely<Db>({ dialect: new PostgresDialect({ pool }) });
            return {
              db,
              setup: async () => void (await sql.raw(`CREATE SCHEMA ${schema}`).execute(db)),
              drop: async () => void (await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(db)),
            };
          },
        },
      ]
    : []),
];

describe.each(ENGINES)('compiledOnce: $name', ({ open }) => {
  const { db, setup, drop } = open();
  beforeAll(async () => {
    await setup();
    await db.schema
      .createTable('items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text')
      .addColumn('n', 'integer', (c) => c.notNull())
      .execute();
  });
  afterAll(async () => {
    await drop();
    await db.destroy();
  });

  const insert = compiledOnce<Db, Db['items'], never>(db, ['id', 'owner', 'n'], (s) =>
    db.insertInto('items').values(s),
  );
  const byId = compiledOnce<Db, { id: string }, Db['items']>(db, ['id'], (s) =>
    db.selectFrom('items').selectAll().where('id', '=', s.id),
  );
  // One name used twice, beside values compiled in (`is null`, a constant).
  const claim = compiledOnce<Db, { id: string; owner: string }, never>(db, ['id', 'owner'], (s) =>
    db
      .updateTable('items')
      .set({ owner: s.owner, n: 7 })
      .where('id', '=', s.id)
      .where('owner', 'is', null)
      .where('id', '<>', s.owner),
  );

  it("runs with each call's values, concurrently and in a transaction", async () => {
    await insert.run(db, { id: 'a', owner: null, n: 1 });
    await db.transaction().execute((tx) => insert.run(tx, { id: 'b', owner: null, n: 2 }));
    const [a, b, none] = await Promise.all(
      ['a', 'b', 'c'].map(async (id) => (await byId.run(db, { id })).rows),
    );
    expect(a).toEqual([{ id: 'a', owner: null, n: 1 }]);
    expect(b).toEqual([{ id: 'b', owner: null, n: 2 }]);
    expect(none).toEqual([]);
  });

  it('binds a name used twice, and keeps the values compiled into the statement', async () => {
    expect((await claim.run(db, { id: 'a', owner: 'a' })).numAffectedRows).toBe(0n);
    expect((await claim.run(db, { id: 'a', owner: 'x' })).numAffectedRows).toBe(1n);
    expect((await claim.run(db, { id: 'a', owner: 'y' })).numAffectedRows).toBe(0n);
    expect((await byId.run(db, { id: 'a' })).rows).toEqual([{ id: 'a', owner: 'x', n: 7 }]);
    expect((await byId.run(db, { id: 'b' })).rows).toEqual([{ id: 'b', owner: null, n: 2 }]);
  });

  it('refuses, when compiling, a name that did not become a parameter', () => {
    expect(() =>
      compiledOnce<Db, { id: string; n: number }, never>(db, ['id', 'n'], (s) =>
        db.selectFrom('items').selectAll().where('id', '=', s.id),
      ),
    ).toThrow(/n did not become parameters/);
  });
});
