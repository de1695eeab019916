import { resolve } from 'node:path';
import { PostgresStore } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { Store, StoreOptions } from './store.ts';

/** `sqlite:<path>` (or `sqlite::memory:`) or `postgres://…` / `postgresql://…`. */
export function openStore(databaseUrl: string, options: StoreOptions = {}): Store {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    return new SqliteStore(file === ':memory:' ? file : resolve(file), options);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl))
    return new PostgresStore({ connectionString: databaseUrl, ...options });
  throw new TypeError('NERM_BROKER_DATABASE_URL must start with sqlite: or postgres://');
}
