/**
 * Schema, one list per engine, applied in order and recorded in schema_migrations.
 * Append only: a released migration is never edited.
 */
export const SQLITE_MIGRATIONS: string[] = [
  `CREATE TABLE accounts (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL,
     tenant_host TEXT NOT NULL,
     tenant_origin TEXT NOT NULL,
     auth_type TEXT NOT NULL CHECK (auth_type IN ('pat', 'api_key')),
     status TEXT NOT NULL CHECK (status IN ('active', 'needs_reauth', 'disconnected')),
     credential_kid TEXT,
     credential BLOB,
     credential_hint TEXT,
     field_mapping TEXT NOT NULL DEFAULT '{}',
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     last_verified_at INTEGER
   );
   CREATE INDEX accounts_by_tenant ON accounts (tenant_id, id);
   CREATE INDEX accounts_by_kid ON accounts (credential_kid);
   CREATE TABLE link_tokens (
     token_hash TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL,
     account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
     expires_at INTEGER NOT NULL,
     used_at INTEGER,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE public_tokens (
     token_hash TEXT PRIMARY KEY,
     account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     expires_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE idempotency_keys (
     account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     key TEXT NOT NULL,
     request_hash TEXT NOT NULL,
     status INTEGER NOT NULL,
     response TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (account_id, key)
   );`,
];

export const POSTGRES_MIGRATIONS: string[] = [
  `CREATE TABLE accounts (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL,
     tenant_host TEXT NOT NULL,
     tenant_origin TEXT NOT NULL,
     auth_type TEXT NOT NULL CHECK (auth_type IN ('pat', 'api_key')),
     status TEXT NOT NULL CHECK (status IN ('active', 'needs_reauth', 'disconnected')),
     credential_kid TEXT,
     credential BYTEA,
     credential_hint TEXT,
     field_mapping JSONB NOT NULL DEFAULT '{}'::jsonb,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     last_verified_at BIGINT
   );
   ALTER TABLE accounts ALTER COLUMN credential SET STORAGE PLAIN;
   CREATE INDEX accounts_by_tenant ON accounts (tenant_id, id);
   CREATE INDEX accounts_by_kid ON accounts (credential_kid);
   CREATE TABLE link_tokens (
     token_hash TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL,
     account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
     expires_at BIGINT NOT NULL,
     used_at BIGINT,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE public_tokens (
     token_hash TEXT PRIMARY KEY,
     account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     expires_at BIGINT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE idempotency_keys (
     account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     key TEXT NOT NULL,
     request_hash TEXT NOT NULL,
     status INTEGER NOT NULL,
     response TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     PRIMARY KEY (account_id, key)
   );`,
];
