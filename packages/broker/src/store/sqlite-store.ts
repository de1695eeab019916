import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  sql,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely';
import { KyselyStore, type ScrubResult } from './kysely-store.ts';
import type { StoreDatabase } from './schema.ts';
import type { StoreOptions } from './store.ts';

const BUSY_TIMEOUT_MS = 5000;
/** Waits before each checkpoint attempt: a reader usually finishes within these. */
const CHECKPOINT_WAITS_MS = [0, 25, 100, 250];

/**
 * Kysely's SQLite driver prepares every statement anew; better-sqlite3 statements are
 * reusable, so keep them by SQL text. The store's queries are a small fixed set.
 */
function cachingStatements(db: Database.Database, max = 256): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => db.close(),
    prepare(text) {
      let statement = cache.get(text);
      if (!statement) {
        if (cache.size >= max) cache.clear();
        statement = db.prepare(text);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

/** Takes the write lock when a transaction begins, as every store transaction writes. */
class ImmediateDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** SQLite runs DDL in transactions, so a failed migration leaves nothing half-applied. */
class TransactionalDdlAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class StoreSqliteDialect extends SqliteDialect {
  constructor(private readonly options: SqliteDialectConfig) {
    super(options);
  }
  override createDriver(): SqliteDriver {
    return new ImmediateDriver(this.options);
  }
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlAdapter();
  }
}

/**
 * The file holds ciphertext and token hashes: created 0600 (its folder 0700 when made
 * here), or tightened to 0600 when it exists readable by others. SQLite gives the WAL and
 * shared-memory files the database file's mode; older ones are tightened too.
 */
function ownerOnly(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
  }
}

/**
 * The embedded default: one SQLite file, WAL, a busy timeout, foreign keys on, and
 * secure_delete so a destroyed credential is overwritten, not just unlinked.
 */
export class SqliteStore extends KyselyStore {
  readonly kind = 'sqlite' as const;

  constructor(
    readonly file: string,
    options: StoreOptions = {},
  ) {
    if (file !== ':memory:') ownerOnly(file);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    db.pragma('secure_delete = ON');
    db.pragma('synchronous = NORMAL');
    super(
      new Kysely<StoreDatabase>({
        dialect: new StoreSqliteDialect({ database: cachingStatements(db) }),
      }),
      undefined,
      options.log,
    );
  }

  /**
   * secure_delete zeroes the freed cell; a TRUNCATE checkpoint moves that page out of the
   * WAL and empties it, so no copy of the ciphertext is left in either file. A reader
   * holding an older snapshot (a backup, the sqlite3 shell) makes it answer busy: tried
   * again a few times without the busy handler (which would block this process), then
   * reported.
   */
  protected async destroyFreedPages(): Promise<ScrubResult> {
    for (const [i, wait] of CHECKPOINT_WAITS_MS.entries()) {
      if (wait > 0) await sleep(wait);
      const busy = await this.db.connection().execute(async (conn) => {
        await sql`PRAGMA busy_timeout = 0`.execute(conn);
        try {
          const { rows } = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(
            conn,
          );
          return rows[0]?.busy !== 0;
        } finally {
          await sql.raw(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`).execute(conn);
        }
      });
      if (!busy) return { done: true, attempts: i + 1 };
    }
    return {
      done: false,
      attempts: CHECKPOINT_WAITS_MS.length,
      why: 'wal_checkpoint(TRUNCATE) busy',
    };
  }
}
