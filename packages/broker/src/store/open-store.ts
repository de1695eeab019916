import { resolve } from 'node:path';
import { PostgresStore } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';

/** `sqlite:<path>` (or `sqlite::memory:`) or `postgres://…` / `postgresql://…`. */
export function openStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    return new SqliteStore(file === ':memory:' ? file : resolve(file));
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl))
    return new PostgresStore({ connectionString: databaseUrl });
  throw new TypeError('NERM_BROKER_DATABASE_URL must start with sqlite: or postgres://');
}
