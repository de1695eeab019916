/**
 * A PostgreSQL backend killed under a query in flight (pg_terminate_backend: 57P01
 * admin_shutdown) costs that query only: the store drops the connection from its pool at
 * once, so the next query, drawn before the socket's close reaches pg, gets a new one
 * (docs/operations.md, "Faults").
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { POSTGRES_URL } from './helpers.ts';
import { dropSchema } from './processes.ts';

describe.skipIf(!POSTGRES_URL)('PostgresStore when the server ends a connection', () => {
  const schema = `lost_conn_${randomBytes(4).toString('hex')}`;
  let store: PostgresStore;

  beforeAll(async () => {
    store = new PostgresStore({ connectionString: `${POSTGRES_URL}?schema=${schema}` });
    await store.migrate();
  });

  afterAll(async () => {
    await store?.close();
    await dropSchema(schema);
  });

  it('fails the query in flight with 57P01 and serves the next one on a new connection', async () => {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    // Outside the lock's transaction: pg_stat_activity is read once per transaction.
    const watch = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await watch.connect();
    try {
      // Hold the store's next read on a lock, so the backend is killed mid-query.
      await admin.query('BEGIN');
      await admin.query(`LOCK TABLE ${schema}.accounts IN ACCESS EXCLUSIVE MODE`);
      // The second read starts in the same turn as the first one's failure, before the
      // socket's close can reach pg: a pool that took the dead connection back hands it out.
      const outcome = store.getAccount('nobody').then(
        () => ({ first: 'answered' as unknown, second: undefined as unknown }),
        (error: unknown) =>
          store.getAccount('nobody').then(
            (account) => ({ first: error, second: account ?? 'none' }),
            (second: unknown) => ({ first: error, second }),
          ),
      );
      let pids: number[] = [];
      for (let i = 0; i < 200 && pids.length === 0; i++) {
        const waiting = await watch.query<{ pid: number }>(
          `SELECT pid FROM pg_locks WHERE relation = '${schema}.accounts'::regclass AND NOT granted`,
        );
        pids = waiting.rows.map((r) => r.pid);
        if (pids.length === 0) await sleep(25);
      }
      expect(pids).toHaveLength(1);
      await watch.query('SELECT pg_terminate_backend($1)', [pids[0]]);
      await admin.query('COMMIT');
      const { first, second } = await outcome;
      expect((first as { code?: string }).code).toBe('57P01');
      expect(second).toBe('none');
    } finally {
      await admin.end();
      await watch.end();
    }
  });
});
