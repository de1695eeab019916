import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { PG_CONNECT_TIMEOUT_MS, survivesLostConnections } from '../store/postgres-store.ts';
import type { Counters } from './counters.ts';
import type { SlotLease, SlotLeases } from './slot-leases.ts';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The two counter tables hold seconds-long state only (windows and leases), so they are
 * created here at start-up rather than migrated with the store: dropping them loses nothing.
 */
const TABLES = [
  `CREATE TABLE IF NOT EXISTS rate_limits (
     key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
  `CREATE TABLE IF NOT EXISTS upstream_slots (
     key text NOT NULL, slot integer NOT NULL, until bigint NOT NULL, holder text NOT NULL,
     PRIMARY KEY (key, slot))`,
];

/** Counters in the store's PostgreSQL database and schema, on a small pool of their own. */
export async function postgresCounters(databaseUrl: string): Promise<Counters> {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`invalid PostgreSQL schema name: ${schema}`);
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: 4,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    keepAlive: true,
  });
  survivesLostConnections(pool);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`nerm_counters:${schema}`]);
    for (const ddl of TABLES) await client.query(ddl);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`nerm_counters:${schema}`]);
    client.release();
  }
  return {
    kind: 'postgres',
    limiter: (options) =>
      new RateLimiterPostgres({
        ...options,
        storeClient: pool,
        storeType: 'pool',
        tableName: 'rate_limits',
        schemaName: schema,
        tableCreated: true,
      }),
    slots: new PostgresSlots(pool),
    // Both tables, not just the connection: a counter table gone is a counter backend out.
    ping: async () => {
      await pool.query('SELECT 1 FROM rate_limits, upstream_slots LIMIT 1');
    },
    close: () => pool.end(),
  };
}

/**
 * Takes a free slot number below the limit in one statement: a slot row whose lease has
 * run out is free again. Two replicas that pick the same free slot are settled by the
 * primary key; the loser sees no row and tries again.
 */
const ACQUIRE = `
  WITH pick AS (
    SELECT s.slot FROM generate_series(0, $2::int - 1) AS s(slot)
    LEFT JOIN upstream_slots u ON u.key = $1 AND u.slot = s.slot AND u.until > $3
    WHERE u.slot IS NULL
    ORDER BY random() LIMIT 1)
  INSERT INTO upstream_slots (key, slot, until, holder)
  SELECT $1, slot, $4, $5 FROM pick
  ON CONFLICT (key, slot) DO UPDATE SET until = EXCLUDED.until, holder = EXCLUDED.holder
    WHERE upstream_slots.until <= $3
  RETURNING slot`;

class PostgresSlots implements SlotLeases {
  constructor(private readonly pool: pg.Pool) {}

  async tryAcquire(key: string, limit: number, ttlMs: number): Promise<SlotLease | undefined> {
    const holder = randomBytes(9).toString('base64url');
    const now = Date.now();
    const result = await this.pool.query<{ slot: number }>({
      name: 'upstream-slots-acquire',
      text: ACQUIRE,
      values: [key, limit, now, now + ttlMs, holder],
    });
    const slot = result.rows[0]?.slot;
    if (slot === undefined) return undefined;
    return {
      release: async () => {
        await this.pool.query({
          name: 'upstream-slots-release',
          text: 'DELETE FROM upstream_slots WHERE key = $1 AND slot = $2 AND holder = $3',
          values: [key, slot, holder],
        });
      },
    };
  }

  async inUse(key: string): Promise<number> {
    const result = await this.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM upstream_slots WHERE key = $1 AND until > $2',
      [key, Date.now()],
    );
    return Number(result.rows[0]?.n ?? 0);
  }
}
