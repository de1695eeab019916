import pg from 'pg';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import type {
  AccountPatch,
  AccountRow,
  CompleteLinkInput,
  CompleteLinkOutcome,
  IdempotencyRow,
  LinkTokenRow,
  SealedCredentialRow,
  Store,
} from './store.ts';

const INT8_OID = 20;

/** BIGINT epoch milliseconds come back as numbers, not strings. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema to live in (created if missing); also read from `?schema=` in the URL. */
  schema?: string;
  max?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The multi-instance store: any number of broker replicas share one PostgreSQL. Every
 * request re-reads account status here, so a delete through one replica is seen by all.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  readonly schema: string;

  constructor(options: PostgresStoreOptions) {
    const url = new URL(options.connectionString);
    const schema = options.schema ?? url.searchParams.get('schema') ?? 'public';
    url.searchParams.delete('schema');
    if (!SCHEMA_NAME.test(schema)) throw new TypeError(`invalid PostgreSQL schema name: ${schema}`);
    this.schema = schema;
    this.pool = new pg.Pool({
      connectionString: url.toString(),
      max: options.max ?? 10,
      types,
      options: `-c search_path=${schema}`,
    });
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `nerm-connect:migrate:${this.schema}`,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
      );
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM schema_migrations',
      );
      const applied = new Set(rows.map((r) => r.version));
      for (const [i, sql] of POSTGRES_MIGRATIONS.entries()) {
        if (applied.has(i + 1)) continue;
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          i + 1,
          Date.now(),
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async tx<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async insertLinkToken(row: LinkTokenRow): Promise<void> {
    await this.pool.query(
      `INSERT INTO link_tokens (token_hash, tenant_id, account_id, expires_at, used_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.token_hash, row.tenant_id, row.account_id, row.expires_at, row.used_at, row.created_at],
    );
  }

  async getLinkToken(hash: string): Promise<LinkTokenRow | undefined> {
    const { rows } = await this.pool.query<LinkTokenRow>(
      'SELECT * FROM link_tokens WHERE token_hash = $1',
      [hash],
    );
    return rows[0];
  }

  async completeLink(input: CompleteLinkInput): Promise<CompleteLinkOutcome> {
    return this.tx(async (c): Promise<CompleteLinkOutcome> => {
      const burnt = await c.query(
        'UPDATE link_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1',
        [input.now, input.linkTokenHash],
      );
      if (burnt.rowCount !== 1) return { ok: false, reason: 'link_token_invalid' };
      const a = input.account;
      let account: AccountRow | undefined;
      if (input.reauth) {
        const { rows } = await c.query<AccountRow>(
          `UPDATE accounts SET tenant_host = $1, tenant_origin = $2, auth_type = $3, status = 'active',
             credential_kid = $4, credential = $5, credential_hint = $6, updated_at = $7, last_verified_at = $8
           WHERE id = $9 AND tenant_id = $10 RETURNING *`,
          [
            a.tenant_host,
            a.tenant_origin,
            a.auth_type,
            a.credential_kid,
            a.credential,
            a.credential_hint,
            a.updated_at,
            a.last_verified_at,
            a.id,
            a.tenant_id,
          ],
        );
        account = rows[0];
        if (!account) throw new AccountMissing();
      } else {
        const { rows } = await c.query<AccountRow>(
          `INSERT INTO accounts (id, tenant_id, tenant_host, tenant_origin, auth_type, status, credential_kid,
             credential, credential_hint, field_mapping, created_at, updated_at, last_verified_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *`,
          [
            a.id,
            a.tenant_id,
            a.tenant_host,
            a.tenant_origin,
            a.auth_type,
            a.status,
            a.credential_kid,
            a.credential,
            a.credential_hint,
            JSON.stringify(a.field_mapping),
            a.created_at,
            a.updated_at,
            a.last_verified_at,
          ],
        );
        account = rows[0];
      }
      const p = input.publicToken;
      await c.query(
        'INSERT INTO public_tokens (token_hash, account_id, expires_at, created_at) VALUES ($1, $2, $3, $4)',
        [p.token_hash, p.account_id, p.expires_at, p.created_at],
      );
      return { ok: true, account: account as AccountRow };
    }).catch((error: unknown) => {
      if (error instanceof AccountMissing) return { ok: false, reason: 'account_missing' } as const;
      throw error;
    });
  }

  async redeemPublicToken(hash: string, now: number): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ account_id: string; expires_at: number }>(
      'DELETE FROM public_tokens WHERE token_hash = $1 RETURNING account_id, expires_at',
      [hash],
    );
    const row = rows[0];
    return row && row.expires_at > now ? row.account_id : undefined;
  }

  async getAccount(id: string): Promise<AccountRow | undefined> {
    const { rows } = await this.pool.query<AccountRow>('SELECT * FROM accounts WHERE id = $1', [
      id,
    ]);
    return rows[0];
  }

  async listAccounts(query: {
    tenantId?: string;
    afterId?: string;
    limit: number;
  }): Promise<AccountRow[]> {
    const { rows } = await this.pool.query<AccountRow>(
      `SELECT * FROM accounts WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR id > $2)
       ORDER BY id LIMIT $3`,
      [query.tenantId ?? null, query.afterId ?? null, query.limit],
    );
    return rows;
  }

  async updateAccount(id: string, patch: AccountPatch): Promise<AccountRow | undefined> {
    const { rows } = await this.pool.query<AccountRow>(
      `UPDATE accounts SET updated_at = $2,
         status = COALESCE($3, status),
         last_verified_at = CASE WHEN $4::boolean THEN $5 ELSE last_verified_at END,
         field_mapping = COALESCE($6::jsonb, field_mapping)
       WHERE id = $1 RETURNING *`,
      [
        id,
        patch.updated_at,
        patch.status ?? null,
        patch.last_verified_at !== undefined,
        patch.last_verified_at ?? null,
        patch.field_mapping === undefined ? null : JSON.stringify(patch.field_mapping),
      ],
    );
    return rows[0];
  }

  async disconnectAccount(id: string, now: number): Promise<boolean> {
    const changed = await this.tx(async (c) => {
      const res = await c.query(
        `UPDATE accounts SET status = 'disconnected', credential = NULL, credential_kid = NULL, credential_hint = NULL, updated_at = $2
         WHERE id = $1 AND status <> 'disconnected'`,
        [id, now],
      );
      await c.query('DELETE FROM public_tokens WHERE account_id = $1', [id]);
      await c.query('DELETE FROM idempotency_keys WHERE account_id = $1', [id]);
      return res.rowCount === 1;
    });
    // MVCC keeps the old row version until vacuumed: reclaim it now rather than at the
    // next autovacuum. (What remains in free page space is ciphertext under a key that
    // rotation can retire; see docs/security.md.)
    if (changed) await this.pool.query('VACUUM accounts').catch(() => undefined);
    return changed;
  }

  async listCredentialsNotSealedWith(
    activeKid: string,
    afterId: string,
    limit: number,
  ): Promise<SealedCredentialRow[]> {
    const { rows } = await this.pool.query<SealedCredentialRow>(
      `SELECT id, credential_kid, credential FROM accounts
       WHERE credential IS NOT NULL AND credential_kid <> $1 AND id > $2 ORDER BY id LIMIT $3`,
      [activeKid, afterId, limit],
    );
    return rows;
  }

  async replaceCredential(
    id: string,
    expectedKid: string,
    next: { kid: string; credential: Buffer },
  ): Promise<boolean> {
    const res = await this.pool.query(
      'UPDATE accounts SET credential_kid = $1, credential = $2 WHERE id = $3 AND credential_kid = $4',
      [next.kid, next.credential, id, expectedKid],
    );
    return res.rowCount === 1;
  }

  async credentialKeyIds(): Promise<string[]> {
    const { rows } = await this.pool.query<{ credential_kid: string }>(
      'SELECT DISTINCT credential_kid FROM accounts WHERE credential_kid IS NOT NULL',
    );
    return rows.map((r) => r.credential_kid);
  }

  async getIdempotency(accountId: string, key: string): Promise<IdempotencyRow | undefined> {
    const { rows } = await this.pool.query<IdempotencyRow>(
      'SELECT * FROM idempotency_keys WHERE account_id = $1 AND key = $2',
      [accountId, key],
    );
    return rows[0];
  }

  async reserveIdempotency(
    row: Pick<IdempotencyRow, 'account_id' | 'key' | 'request_hash' | 'created_at'>,
  ): Promise<IdempotencyRow | undefined> {
    const res = await this.pool.query(
      `INSERT INTO idempotency_keys (account_id, key, request_hash, status, response, created_at)
       VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT DO NOTHING`,
      [row.account_id, row.key, row.request_hash, row.created_at],
    );
    return res.rowCount === 1 ? undefined : this.getIdempotency(row.account_id, row.key);
  }

  async completeIdempotency(
    accountId: string,
    key: string,
    status: number,
    response: string,
  ): Promise<void> {
    await this.pool.query(
      'UPDATE idempotency_keys SET status = $1, response = $2 WHERE account_id = $3 AND key = $4',
      [status, response, accountId, key],
    );
  }

  async releaseIdempotency(accountId: string, key: string): Promise<void> {
    await this.pool.query(
      'DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND status = 0',
      [accountId, key],
    );
  }

  async purgeExpired(now: number, idempotencyMaxAgeMs: number): Promise<void> {
    await this.tx(async (c) => {
      await c.query('DELETE FROM link_tokens WHERE expires_at <= $1', [now]);
      await c.query('DELETE FROM public_tokens WHERE expires_at <= $1', [now]);
      await c.query('DELETE FROM idempotency_keys WHERE created_at <= $1', [
        now - idempotencyMaxAgeMs,
      ]);
    });
  }
}

class AccountMissing extends Error {}
