import type { AccountStatus } from '@nerm-connect/shared';
import { Migrator, sql, type Kysely, type Transaction } from 'kysely';
import type { LifecycleStore } from '../lifecycle/lifecycle-store.ts';
import type { LifecycleDatabase } from './lifecycle-schema.ts';
import { KyselyLifecycleStore } from './lifecycle-store.ts';
import { hotStatements, type HotStatements } from './hot-statements.ts';
import { migrationProvider, type Engine } from './migrations.ts';
import { toAccount, toIdempotency, toLinkToken, type StoreDatabase } from './schema.ts';
import type {
  AccountPatch,
  StoredAccount,
  CompleteLinkInput,
  CompleteLinkOutcome,
  IdempotencyClaim,
  IdempotencyRecord,
  StoredLinkToken,
  OutboxWrite,
  SealedCredential,
  Store,
  StoreLog,
} from './store.ts';

/** How a scrub of freed pages went; `why` says what stopped it (for the log, no data). */
export interface ScrubResult {
  done: boolean;
  attempts: number;
  why?: string;
}

/**
 * The one implementation of {@link Store}, over Kysely; the engines differ only in how
 * they are opened and in {@link destroyFreedPages}. See docs/decisions/0030-one-store-over-kysely.md.
 */
export abstract class KyselyStore implements Store {
  abstract readonly kind: Engine;

  private lifecycleStore: KyselyLifecycleStore | undefined;
  /** A scrub a reader held up: retried by the next `purgeExpired`. */
  private residue = false;
  private readonly hot: HotStatements;

  protected constructor(
    protected readonly db: Kysely<StoreDatabase>,
    private readonly migrationSchema?: string,
    private readonly log?: StoreLog,
  ) {
    this.hot = hotStatements(db);
  }

  get lifecycle(): LifecycleStore {
    return this.outbox;
  }

  private get outbox(): KyselyLifecycleStore {
    this.lifecycleStore ??= new KyselyLifecycleStore(
      this.db as unknown as Kysely<LifecycleDatabase>,
      this.kind,
    );
    return this.lifecycleStore;
  }

  /** Writes a state change's events in the transaction of the change. */
  private async writeOutbox(
    tx: Transaction<StoreDatabase>,
    row: StoredAccount,
    outbox: OutboxWrite | undefined,
  ): Promise<void> {
    if (!outbox) return;
    await this.outbox.write(
      tx as unknown as Transaction<LifecycleDatabase>,
      outbox.events(row),
      outbox.deliver,
    );
  }

  /** Removes what a destroyed credential left behind in freed pages (engine-specific). */
  protected abstract destroyFreedPages(): Promise<ScrubResult>;

  /**
   * After a credential was destroyed or replaced: scrub freed pages, and say so when the
   * engine could not (docs/security.md, "Encryption at rest"). Never fails the caller.
   */
  private async scrub(after: 'disconnect' | 'reauth' | 'housekeeping'): Promise<void> {
    const result = await this.destroyFreedPages().catch((error: unknown): ScrubResult => ({
      done: false,
      attempts: 1,
      why: error instanceof Error ? error.message : String(error),
    }));
    this.residue = !result.done;
    if (!result.done) {
      this.log?.warn(
        { store: this.kind, after, attempts: result.attempts, why: result.why },
        this.kind === 'sqlite'
          ? 'old credential ciphertext is still in the SQLite WAL (a reader held the checkpoint); retried at the next housekeeping'
          : 'VACUUM after a credential was destroyed failed; old ciphertext stays in dead tuples until autovacuum; retried at the next housekeeping',
      );
    }
  }

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

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async insertLinkToken(row: StoredLinkToken): Promise<void> {
    await this.hot.insertLinkToken.run(this.db, row);
  }

  async getLinkToken(hash: string): Promise<StoredLinkToken | undefined> {
    const [row] = (await this.hot.linkToken.run(this.db, { hash })).rows;
    return row && toLinkToken(row);
  }

  async completeLink(input: CompleteLinkInput): Promise<CompleteLinkOutcome> {
    const a = input.account;
    const outcome = await this.db
      .transaction()
      .execute(async (tx): Promise<CompleteLinkOutcome> => {
        const burnt = await this.hot.burnLinkToken.run(tx, {
          hash: input.linkTokenHash,
          now: input.now,
        });
        if (burnt.numAffectedRows !== 1n) return { ok: false, reason: 'link_token_invalid' };
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
                sync_hook_id: a.sync_hook_id,
              })
              .where('id', '=', a.id)
              .where('tenant_id', '=', a.tenant_id)
              .returningAll()
              .executeTakeFirst()
          : (
              await this.hot.insertAccount.run(tx, {
                ...a,
                field_mapping: JSON.stringify(a.field_mapping),
              })
            ).rows[0];
        if (!row) throw new AccountMissing();
        await this.hot.insertPublicToken.run(tx, input.publicToken);
        const account = toAccount(row);
        await this.writeOutbox(tx, account, input.outbox);
        return { ok: true, account };
      })
      .catch((error: unknown) => {
        if (error instanceof AccountMissing)
          return { ok: false, reason: 'account_missing' } as const;
        throw error;
      });
    // The previous credential's ciphertext is as dead as a disconnected one's.
    if (outcome.ok && input.reauth) await this.scrub('reauth');
    return outcome;
  }

  async redeemPublicToken(hash: string, now: number): Promise<string | undefined> {
    const [row] = (await this.hot.redeemPublicToken.run(this.db, { hash })).rows;
    return row && row.expires_at > now ? row.account_id : undefined;
  }

  async getAccount(id: string): Promise<StoredAccount | undefined> {
    const [row] = (await this.hot.account.run(this.db, { id })).rows;
    return row && toAccount(row);
  }

  async listAccounts(query: {
    tenantId?: string;
    afterId?: string;
    limit: number;
  }): Promise<StoredAccount[]> {
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

  async updateAccount(id: string, patch: AccountPatch): Promise<StoredAccount | undefined> {
    const { status, last_verified_at, field_mapping, updated_at, ifStatus, outbox } = patch;
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('accounts')
        .set({
          updated_at,
          ...(status !== undefined && { status }),
          ...(last_verified_at !== undefined && { last_verified_at }),
          ...(field_mapping !== undefined && { field_mapping: JSON.stringify(field_mapping) }),
        })
        .where('id', '=', id)
        .$if(ifStatus !== undefined, (q) => q.where('status', '=', ifStatus as AccountStatus))
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      const account = toAccount(row);
      await this.writeOutbox(tx, account, outbox);
      return account;
    });
  }

  async disconnectAccount(id: string, now: number, outbox?: OutboxWrite): Promise<boolean> {
    const changed = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('accounts')
        .set({
          status: 'disconnected',
          credential: null,
          credential_kid: null,
          credential_hint: null,
          sync_hook_id: null,
          updated_at: now,
          token_generation: sql<number>`token_generation + 1`,
        })
        .where('id', '=', id)
        .where('status', '<>', 'disconnected')
        .returningAll()
        .executeTakeFirst();
      await tx.deleteFrom('public_tokens').where('account_id', '=', id).execute();
      await tx.deleteFrom('idempotency_keys').where('account_id', '=', id).execute();
      if (row) await this.writeOutbox(tx, toAccount(row), outbox);
      return row !== undefined;
    });
    if (changed) await this.scrub('disconnect');
    return changed;
  }

  async getAccountBySyncHook(hookId: string): Promise<StoredAccount | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where('sync_hook_id', '=', hookId)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async setSyncHook(id: string, hookId: string, now: number): Promise<StoredAccount | undefined> {
    const row = await this.db
      .updateTable('accounts')
      .set({ sync_hook_id: hookId, updated_at: now })
      .where('id', '=', id)
      .where('status', '<>', 'disconnected')
      .returningAll()
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async listCredentialsNotSealedWith(
    activeKid: string,
    afterId: string,
    limit: number,
  ): Promise<SealedCredential[]> {
    const rows = await this.db
      .selectFrom('accounts')
      .select(['id', 'credential_kid', 'credential'])
      .where('credential', 'is not', null)
      .where('credential_kid', '<>', activeKid)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows as SealedCredential[];
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

  async getIdempotency(accountId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('key', '=', key)
      .executeTakeFirst();
    return row && toIdempotency(row);
  }

  async reserveIdempotency(
    row: Pick<
      IdempotencyRecord,
      'account_id' | 'key' | 'request_hash' | 'created_at' | 'holder' | 'lease_until'
    >,
    now: number,
  ): Promise<IdempotencyClaim> {
    const res = await this.db
      .insertInto('idempotency_keys')
      .values({ ...row, status: 0, response: '', sent_at: null })
      .onConflict((c) => c.doNothing())
      .executeTakeFirst();
    if (res.numInsertedOrUpdatedRows === 1n) return { claimed: true };
    for (;;) {
      const record = await this.getIdempotency(row.account_id, row.key);
      if (!record) return this.reserveIdempotency(row, now);
      const lapsed =
        record.status === 0 &&
        record.lease_until <= now &&
        record.request_hash === row.request_hash;
      if (!lapsed) return { claimed: false, record };
      // Taken over only if nobody else did first: the old holder is the compare-and-swap.
      const taken = await this.db
        .updateTable('idempotency_keys')
        .set({ holder: row.holder, lease_until: row.lease_until })
        .where('account_id', '=', row.account_id)
        .where('key', '=', row.key)
        .where('status', '=', 0)
        .where('holder', '=', record.holder)
        .where('lease_until', '=', record.lease_until)
        .executeTakeFirst();
      if (taken.numUpdatedRows === 1n) return { claimed: true, previous: record };
    }
  }

  async renewIdempotency(
    accountId: string,
    key: string,
    holder: string,
    change: { lease_until: number; sent_at?: number },
  ): Promise<boolean> {
    const res = await this.db
      .updateTable('idempotency_keys')
      .set(change)
      .where('account_id', '=', accountId)
      .where('key', '=', key)
      .where('status', '=', 0)
      .where('holder', '=', holder)
      .executeTakeFirst();
    return res.numUpdatedRows === 1n;
  }

  async completeIdempotency(
    accountId: string,
    key: string,
    status: number,
    response: string,
    holder?: string,
  ): Promise<void> {
    let update = this.db
      .updateTable('idempotency_keys')
      .set({ status, response })
      .where('account_id', '=', accountId)
      .where('key', '=', key);
    if (holder !== undefined) update = update.where('status', '=', 0).where('holder', '=', holder);
    await update.execute();
  }

  async releaseIdempotency(accountId: string, key: string, holder?: string): Promise<void> {
    let release = this.db
      .deleteFrom('idempotency_keys')
      .where('account_id', '=', accountId)
      .where('key', '=', key)
      .where('status', '=', 0);
    if (holder !== undefined) release = release.where('holder', '=', holder);
    await release.execute();
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
    if (this.residue) await this.scrub('housekeeping');
  }

  /** Runs a statement outside any transaction (VACUUM, PRAGMA), through Kysely's connection. */
  protected async raw(statement: string): Promise<void> {
    await sql.raw(statement).execute(this.db);
  }
}

class AccountMissing extends Error {}
