import type { Kysely, Selectable } from 'kysely';
import { compiledOnce } from './compiled-once.ts';
import type { AccountsTable, StoreDatabase } from './schema.ts';
import type { StoredAccount, StoredLinkToken, StoredPublicToken } from './store.ts';

/** An account row as `completeLink` inserts it (field_mapping as JSON text). */
export type NewAccountRow = Omit<StoredAccount, 'field_mapping' | 'token_generation'> & {
  field_mapping: string;
};

type Words<S extends string> = S extends `${infer Word} ${infer Rest}` ? Word | Words<Rest> : S;

/**
 * Every column of a row type, as space-separated names: a name that is not a column, or a
 * column left out (which the insert would silently leave to its default), does not compile.
 */
function columnsOf<T>() {
  return <S extends string>(
    names: S &
      ([Words<S>] extends [keyof T] ? ([keyof T] extends [Words<S>] ? unknown : never) : never),
  ) => names.split(' ') as (keyof T & string)[];
}

const ACCOUNT_COLUMNS = columnsOf<NewAccountRow>()(
  'id tenant_id tenant_host tenant_origin auth_type status credential_kid credential credential_hint field_mapping created_at updated_at last_verified_at sync_hook_id',
);
const LINK_TOKEN_COLUMNS = columnsOf<StoredLinkToken>()(
  'token_hash tenant_id account_id expires_at used_at created_at',
);
const PUBLIC_TOKEN_COLUMNS = columnsOf<StoredPublicToken>()(
  'token_hash account_id expires_at created_at',
);

/**
 * The statements every request or every connect runs, compiled once per store
 * (docs/decisions/0107-statements-compiled-once.md): the account read behind every
 * account-token call, the link token's read, and the connect's writes.
 */
export function hotStatements(db: Kysely<StoreDatabase>) {
  return {
    account: compiledOnce<StoreDatabase, { id: string }, Selectable<AccountsTable>>(
      db,
      ['id'],
      (s) => db.selectFrom('accounts').selectAll().where('id', '=', s.id),
    ),
    linkToken: compiledOnce<StoreDatabase, { hash: string }, StoredLinkToken>(db, ['hash'], (s) =>
      db.selectFrom('link_tokens').selectAll().where('token_hash', '=', s.hash),
    ),
    insertLinkToken: compiledOnce<StoreDatabase, StoredLinkToken, never>(
      db,
      LINK_TOKEN_COLUMNS,
      (s) => db.insertInto('link_tokens').values(s),
    ),
    /** Spends a link token that is unused and unexpired at `now`. */
    burnLinkToken: compiledOnce<StoreDatabase, { hash: string; now: number }, never>(
      db,
      ['hash', 'now'],
      (s) =>
        db
          .updateTable('link_tokens')
          .set({ used_at: s.now })
          .where('token_hash', '=', s.hash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', s.now),
    ),
    /** A new account starts at generation 0, whatever the caller passed. */
    insertAccount: compiledOnce<StoreDatabase, NewAccountRow, Selectable<AccountsTable>>(
      db,
      ACCOUNT_COLUMNS,
      (s) =>
        db
          .insertInto('accounts')
          .values({ ...s, token_generation: 0 })
          .returningAll(),
    ),
    insertPublicToken: compiledOnce<StoreDatabase, StoredPublicToken, never>(
      db,
      PUBLIC_TOKEN_COLUMNS,
      (s) => db.insertInto('public_tokens').values(s),
    ),
    redeemPublicToken: compiledOnce<
      StoreDatabase,
      { hash: string },
      { account_id: string; expires_at: number }
    >(db, ['hash'], (s) =>
      db
        .deleteFrom('public_tokens')
        .where('token_hash', '=', s.hash)
        .returning(['account_id', 'expires_at']),
    ),
  };
}

export type HotStatements = ReturnType<typeof hotStatements>;
