import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely';
import { KyselyStore } from './kysely-store.ts';
import type { StoreDatabase } from './schema.ts';

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
 * The embedded default: one SQLite file, WAL, a busy timeout, foreign keys on, and
 * secure_delete so a destroyed credential is overwritten, not just unlinked.
 */
export class SqliteStore extends KyselyStore {
  readonly kind = 'sqlite' as const;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('secure_delete = ON');
    db.pragma('synchronous = NORMAL');
    super(
      new Kysely<StoreDatabase>({
        dialect: new StoreSqliteDialect({ database: cachingStatements(db) }),
      }),
    );
  }

  protected async destroyFreedPages(): Promise<void> {
    // secure_delete zeroes the freed cell; the checkpoint moves that page out of the
    // WAL and truncates it, so no copy of the ciphertext is left in either file.
    await this.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  }
}
