import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { FieldMapping } from '@nerm-connect/shared';
import { SQLITE_MIGRATIONS } from './migrations.ts';
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

type RawAccount = Omit<AccountRow, 'field_mapping'> & { field_mapping: string };

function toAccount(raw: RawAccount | undefined): AccountRow | undefined {
  if (!raw) return undefined;
  return { ...raw, field_mapping: JSON.parse(raw.field_mapping) as FieldMapping };
}

/**
 * The embedded default: one SQLite file, WAL, a busy timeout, foreign keys on, and
 * secure_delete so a destroyed credential is overwritten, not just unlinked.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('synchronous = NORMAL');
  }

  async migrate(): Promise<void> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    );
    const apply = this.db.transaction((version: number, sql: string) => {
      this.db.exec(sql);
      this.db
        .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
        .run(version, Date.now());
    });
    SQLITE_MIGRATIONS.forEach((sql, i) => {
      if (!applied.has(i + 1)) apply.immediate(i + 1, sql);
    });
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async insertLinkToken(row: LinkTokenRow): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO link_tokens (token_hash, tenant_id, account_id, expires_at, used_at, created_at)
         VALUES (@token_hash, @tenant_id, @account_id, @expires_at, @used_at, @created_at)`,
      )
      .run(row);
  }

  async getLinkToken(hash: string): Promise<LinkTokenRow | undefined> {
    return this.db.prepare('SELECT * FROM link_tokens WHERE token_hash = ?').get(hash) as
      LinkTokenRow | undefined;
  }

  async completeLink(input: CompleteLinkInput): Promise<CompleteLinkOutcome> {
    const run = this.db.transaction((): CompleteLinkOutcome => {
      const burnt = this.db
        .prepare(
          'UPDATE link_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?',
        )
        .run(input.now, input.linkTokenHash, input.now);
      if (burnt.changes !== 1) return { ok: false, reason: 'link_token_invalid' };
      const a = input.account;
      if (input.reauth) {
        const updated = this.db
          .prepare(
            `UPDATE accounts SET tenant_host = ?, tenant_origin = ?, auth_type = ?, status = 'active',
               credential_kid = ?, credential = ?, credential_hint = ?, updated_at = ?, last_verified_at = ?
             WHERE id = ? AND tenant_id = ?`,
          )
          .run(
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
          );
        if (updated.changes !== 1) throw new AccountMissing();
      } else {
        this.db
          .prepare(
            `INSERT INTO accounts (id, tenant_id, tenant_host, tenant_origin, auth_type, status, credential_kid,
               credential, credential_hint, field_mapping, created_at, updated_at, last_verified_at)
             VALUES (@id, @tenant_id, @tenant_host, @tenant_origin, @auth_type, @status, @credential_kid,
               @credential, @credential_hint, @field_mapping, @created_at, @updated_at, @last_verified_at)`,
          )
          .run({ ...a, field_mapping: JSON.stringify(a.field_mapping) });
      }
      this.db
        .prepare(
          'INSERT INTO public_tokens (token_hash, account_id, expires_at, created_at) VALUES (@token_hash, @account_id, @expires_at, @created_at)',
        )
        .run(input.publicToken);
      const account = toAccount(
        this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(a.id) as RawAccount,
      );
      return { ok: true, account: account as AccountRow };
    });
    try {
      return run.immediate();
    } catch (error) {
      if (error instanceof AccountMissing) return { ok: false, reason: 'account_missing' };
      throw error;
    }
  }

  async redeemPublicToken(hash: string, now: number): Promise<string | undefined> {
    const row = this.db
      .prepare('DELETE FROM public_tokens WHERE token_hash = ? RETURNING account_id, expires_at')
      .get(hash) as { account_id: string; expires_at: number } | undefined;
    return row && row.expires_at > now ? row.account_id : undefined;
  }

  async getAccount(id: string): Promise<AccountRow | undefined> {
    return toAccount(
      this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as RawAccount | undefined,
    );
  }

  async listAccounts(query: {
    tenantId?: string;
    afterId?: string;
    limit: number;
  }): Promise<AccountRow[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM accounts WHERE (@tenant IS NULL OR tenant_id = @tenant) AND (@after IS NULL OR id > @after)
         ORDER BY id LIMIT @limit`,
      )
      .all({
        tenant: query.tenantId ?? null,
        after: query.afterId ?? null,
        limit: query.limit,
      }) as RawAccount[];
    return rows.map((r) => toAccount(r) as AccountRow);
  }

  async updateAccount(id: string, patch: AccountPatch): Promise<AccountRow | undefined> {
    const sets = ['updated_at = @updated_at'];
    if (patch.status !== undefined) sets.push('status = @status');
    if (patch.last_verified_at !== undefined) sets.push('last_verified_at = @last_verified_at');
    if (patch.field_mapping !== undefined) sets.push('field_mapping = @field_mapping');
    const raw = this.db
      .prepare(`UPDATE accounts SET ${sets.join(', ')} WHERE id = @id RETURNING *`)
      .get({
        id,
        updated_at: patch.updated_at,
        status: patch.status ?? null,
        last_verified_at: patch.last_verified_at ?? null,
        field_mapping:
          patch.field_mapping === undefined ? null : JSON.stringify(patch.field_mapping),
      }) as RawAccount | undefined;
    return toAccount(raw);
  }

  async disconnectAccount(id: string, now: number): Promise<boolean> {
    const done = this.db
      .transaction(() => {
        const changed = this.db
          .prepare(
            `UPDATE accounts SET status = 'disconnected', credential = NULL, credential_kid = NULL, credential_hint = NULL, updated_at = ?
           WHERE id = ? AND status <> 'disconnected'`,
          )
          .run(now, id).changes;
        this.db.prepare('DELETE FROM public_tokens WHERE account_id = ?').run(id);
        this.db.prepare('DELETE FROM idempotency_keys WHERE account_id = ?').run(id);
        return changed === 1;
      })
      .immediate();
    // secure_delete zeroes the freed cell; the checkpoint moves that page out of the
    // WAL and truncates it, so no copy of the ciphertext is left in either file.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return done;
  }

  async listCredentialsNotSealedWith(
    activeKid: string,
    afterId: string,
    limit: number,
  ): Promise<SealedCredentialRow[]> {
    return this.db
      .prepare(
        `SELECT id, credential_kid, credential FROM accounts
         WHERE credential IS NOT NULL AND credential_kid <> ? AND id > ? ORDER BY id LIMIT ?`,
      )
      .all(activeKid, afterId, limit) as SealedCredentialRow[];
  }

  async replaceCredential(
    id: string,
    expectedKid: string,
    next: { kid: string; credential: Buffer },
  ): Promise<boolean> {
    return (
      this.db
        .prepare(
          'UPDATE accounts SET credential_kid = ?, credential = ? WHERE id = ? AND credential_kid = ?',
        )
        .run(next.kid, next.credential, id, expectedKid).changes === 1
    );
  }

  async credentialKeyIds(): Promise<string[]> {
    return (
      this.db
        .prepare('SELECT DISTINCT credential_kid FROM accounts WHERE credential_kid IS NOT NULL')
        .all() as {
        credential_kid: string;
      }[]
    ).map((r) => r.credential_kid);
  }

  async getIdempotency(accountId: string, key: string): Promise<IdempotencyRow | undefined> {
    return this.db
      .prepare('SELECT * FROM idempotency_keys WHERE account_id = ? AND key = ?')
      .get(accountId, key) as IdempotencyRow | undefined;
  }

  async reserveIdempotency(
    row: Pick<IdempotencyRow, 'account_id' | 'key' | 'request_hash' | 'created_at'>,
  ): Promise<IdempotencyRow | undefined> {
    const inserted = this.db
      .prepare(
        `INSERT INTO idempotency_keys (account_id, key, request_hash, status, response, created_at)
         VALUES (@account_id, @key, @request_hash, 0, '', @created_at) ON CONFLICT DO NOTHING`,
      )
      .run(row).changes;
    return inserted === 1 ? undefined : this.getIdempotency(row.account_id, row.key);
  }

  async completeIdempotency(
    accountId: string,
    key: string,
    status: number,
    response: string,
  ): Promise<void> {
    this.db
      .prepare(
        'UPDATE idempotency_keys SET status = ?, response = ? WHERE account_id = ? AND key = ?',
      )
      .run(status, response, accountId, key);
  }

  async releaseIdempotency(accountId: string, key: string): Promise<void> {
    this.db
      .prepare('DELETE FROM idempotency_keys WHERE account_id = ? AND key = ? AND status = 0')
      .run(accountId, key);
  }

  async purgeExpired(now: number, idempotencyMaxAgeMs: number): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM link_tokens WHERE expires_at <= ?').run(now);
      this.db.prepare('DELETE FROM public_tokens WHERE expires_at <= ?').run(now);
      this.db
        .prepare('DELETE FROM idempotency_keys WHERE created_at <= ?')
        .run(now - idempotencyMaxAgeMs);
    })();
  }
}

class AccountMissing extends Error {}
