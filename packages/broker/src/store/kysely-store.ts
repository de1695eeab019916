import { Migrator, sql, type Kysely } from 'kysely';
import { migrationProvider, type Engine } from './migrations.ts';
import { toAccount, toIdempotency, toLinkToken, type StoreDatabase } from './schema.ts';
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

/**
 * The one implementation of {@link Store}, over Kysely; the engines differ only in how
 * they are opened and in {@link destroyFreedPages}. See docs/decisions/0030-one-store-over-kysely.md.
 */
export abstract class KyselyStore implements Store {
  abstract readonly kind: Engine;

  protected constructor(
    protected readonly db: Kysely<StoreDatabase>,
    private readonly migrationSchema?: string,
  ) {}

  /** Removes what a destroyed credential left behind in freed pages (engine-specific). */
  protected abstract destroyFreedPages(): Promise<void>;

  async migrate(): Promise<void> {
    const migrator = new Migrator({
      db: this.db,
      provider: migrationProvider(this.kind),
      ...(this.migrationSchema ? { migrationTableSchema: this.migrationSchema } : {}),
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async insertLinkToken(row: LinkTokenRow): Promise<void> {
    await this.db.insertInto('link_tokens').values(row).execute();
  }

  async getLinkToken(hash: string): Promise<LinkTokenRow | undefined> {
    const row = await this.db
      .selectFrom('link_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    return row && toLinkToken(row);
  }

  async completeLink(input: CompleteLinkInput): Promise<CompleteLinkOutcome> {
    const a = input.account;
    return this.db
      .transaction()
      .execute(async (tx): Promise<CompleteLinkOutcome> => {
        const burnt = await tx
          .updateTable('link_tokens')
          .set({ used_at: input.now })
          .where('token_hash', '=', input.linkTokenHash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', input.now)
          .executeTakeFirst();
        if (burnt.numUpdatedRows !== 1n) return { ok: false, reason: 'link_token_invalid' };
        const row = input.reauth
          ? await tx
              .updateTable('accounts')
              .set({
                tenant_host: a.tenant_host,
                tenant_origin: a.tenant_origin,
                auth_type: a.auth_type,
                status: 'active',
                credential_kid: a.credential_kid,
                credential: a.credential,
                credential_hint: a.credential_hint,
                updated_at: a.updated_at,
                last_verified_at: a.last_verified_at,
              })
              .where('id', '=', a.id)
              .where('tenant_id', '=', a.tenant_id)
              .returningAll()
              .executeTakeFirst()
          : await tx
              .insertInto('accounts')
              .values({
                ...a,
                field_mapping: JSON.stringify(a.field_mapping),
                // A new account starts at generation 0, whatever the caller passed.
                token_generation: 0,
              })
              .returningAll()
              .executeTakeFirstOrThrow();
        if (!row) throw new AccountMissing();
        await tx.insertInto('public_tokens').values(input.publicToken).execute();
        return { ok: true, account: toAccount(row) };
      })
      .catch((error: unknown) => {
        if (error instanceof AccountMissing)
          return { ok: false, reason: 'account_missing' } as const;
        throw error;
      });
  }

  async redeemPublicToken(hash: string, now: number): Promise<string | undefined> {
    const row = await this.db
      .deleteFrom('public_tokens')
      .where('token_hash', '=', hash)
      .returning(['account_id', 'expires_at'])
      .executeTakeFirst();
    return row && row.expires_at > now ? row.account_id : undefined;
  }

  async getAccount(id: string): Promise<AccountRow | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async listAccounts(query: {
    tenantId?: string;
    afterId?: string;
    limit: number;
  }): Promise<AccountRow[]> {
    const { tenantId, afterId } = query;
    const rows = await this.db
      .selectFrom('accounts')
      .selectAll()
      .$if(tenantId !== undefined, (q) => q.where('tenant_id', '=', tenantId as string))
      .$if(afterId !== undefined, (q) => q.where('id', '>', afterId as string))
      .orderBy('id')
      .limit(query.limit)
      .execute();
    return rows.map(toAccount);
  }

  async updateAccount(id: string, patch: AccountPatch): Promise<AccountRow | undefined> {
    const { status, last_verified_at, field_mapping, updated_at } = patch;
    const row = await this.db
      .updateTable('accounts')
      .set({
        updated_at,
        ...(status !== undefined && { status }),
        ...(last_verified_at !== undefined && { last_verified_at }),
        ...(field_mapping !== undefined && { field_mapping: JSON.stringify(field_mapping) }),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async disconnectAccount(id: string, now: number): Promise<boolean> {
    const changed = await this.db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable('accounts')
        .set({
          status: 'disconnected',
          credential: null,
          credential_kid: null,
          credential_hint: null,
          updated_at: now,
          token_generation: sql<number>`token_generation + 1`,
        })
        .where('id', '=', id)
        .where('status', '<>', 'disconnected')
        .executeTakeFirst();
      await tx.deleteFrom('public_tokens').where('account_id', '=', id).execute();
      await tx.deleteFrom('idempotency_keys').where('account_id', '=', id).execute();
      return res.numUpdatedRows === 1n;
    });
    if (changed) await this.destroyFreedPages();
    return changed;
  }

  async listCredentialsNotSealedWith(
    activeKid: string,
    afterId: string,
    limit: number,
  ): Promise<SealedCredentialRow[]> {
    const rows = await this.db
      .selectFrom('accounts')
      .select(['id', 'credential_kid', 'credential'])
      .where('credential', 'is not', null)
      .where('credential_kid', '<>', activeKid)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows as SealedCredentialRow[];
  }

  async replaceCredential(
    id: string,
    expectedKid: string,
    next: { kid: string; credential: Buffer },
  ): Promise<boolean> {
    const res = await this.db
      .updateTable('accounts')
      .set({ credential_kid: next.kid, credential: next.credential })
      .where('id', '=', id)
      .where('credential_kid', '=', expectedKid)
      .executeTakeFirst();
    return res.numUpdatedRows === 1n;
  }

  async credentialKeyIds(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('accounts')
      .select('credential_kid')
      .distinct()
      .where('credential_kid', 'is not', null)
      .execute();
    return rows.map((r) => r.credential_kid as string);
  }

  async getIdempotency(accountId: string, key: string): Promise<IdempotencyRow | undefined> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('key', '=', key)
      .executeTakeFirst();
    return row && toIdempotency(row);
  }

  async reserveIdempotency(
    row: Pick<IdempotencyRow, 'account_id' | 'key' | 'request_hash' | 'created_at'>,
  ): Promise<IdempotencyRow | undefined> {
    const res = await this.db
      .insertInto('idempotency_keys')
      .values({ ...row, status: 0, response: '' })
      .onConflict((c) => c.doNothing())
      .executeTakeFirst();
    return res.numInsertedOrUpdatedRows === 1n
      ? undefined
      : this.getIdempotency(row.account_id, row.key);
  }

  async completeIdempotency(
    accountId: string,
    key: string,
    status: number,
    response: string,
  ): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ status, response })
      .where('account_id', '=', accountId)
      .where('key', '=', key)
      .execute();
  }

  async releaseIdempotency(accountId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('account_id', '=', accountId)
      .where('key', '=', key)
      .where('status', '=', 0)
      .execute();
  }

  async purgeExpired(now: number, idempotencyMaxAgeMs: number): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('link_tokens').where('expires_at', '<=', now).execute();
      await tx.deleteFrom('public_tokens').where('expires_at', '<=', now).execute();
      await tx
        .deleteFrom('idempotency_keys')
        .where('created_at', '<=', now - idempotencyMaxAgeMs)
        .execute();
    });
  }

  /** Runs a statement outside any transaction (VACUUM, PRAGMA), through Kysely's connection. */
  protected async raw(statement: string): Promise<void> {
    await sql.raw(statement).execute(this.db);
  }
}

class AccountMissing extends Error {}
