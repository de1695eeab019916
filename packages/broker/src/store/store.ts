import type { AccountStatus, AuthType, FieldMapping } from '@nerm-connect/shared';
import type { NewEvent } from '../lifecycle/events.ts';
import type { LifecycleStore } from '../lifecycle/lifecycle-store.ts';

/**
 * The store speaks in domain types (docs/decisions/0030-one-store-over-kysely.md): an
 * account as kept, with its sealed credential; `store/schema.ts` maps the tables to them.
 * Times are epoch milliseconds everywhere in the store.
 */
export interface StoredAccount {
  id: string;
  tenant_id: string;
  tenant_host: string;
  /** `https://acme.nonemployee.com`, or an exact allow-listed origin. */
  tenant_origin: string;
  auth_type: AuthType;
  status: AccountStatus;
  /** Key id and sealed bytes of the credential; both null once disconnected. */
  credential_kid: string | null;
  credential: Buffer | null;
  credential_hint: string | null;
  field_mapping: FieldMapping;
  created_at: number;
  updated_at: number;
  last_verified_at: number | null;
  /**
   * Account tokens carry the generation they were minted under (in `jti`); disconnecting
   * moves it, so no earlier token ever works again, even after a reconnect
   * (docs/decisions/0007-token-generation.md).
   */
  token_generation: number;
  /** The unguessable id of the account's NERM hook (`sync_hook_url`); null once disconnected. */
  sync_hook_id: string | null;
}

/**
 * Lifecycle events a state change causes, written to the outbox in the same transaction
 * (docs/decisions/0051-lifecycle-sync-and-outbox.md); made from the row as changed.
 */
export interface OutboxWrite {
  events: (row: StoredAccount) => NewEvent[];
  /** A webhook URL is configured (events start pending), else they are kept for the feed. */
  deliver: boolean;
}

export interface StoredLinkToken {
  token_hash: string;
  tenant_id: string;
  /** Set for a re-authentication link. */
  account_id: string | null;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface StoredPublicToken {
  token_hash: string;
  account_id: string;
  expires_at: number;
  created_at: number;
}

export interface CompleteLinkInput {
  linkTokenHash: string;
  now: number;
  /** The account to create, or (re-authentication) the new credential of an existing one. */
  account: StoredAccount;
  reauth: boolean;
  publicToken: StoredPublicToken;
  outbox?: OutboxWrite;
}

export type CompleteLinkOutcome =
  | { ok: true; account: StoredAccount }
  | { ok: false; reason: 'link_token_invalid' | 'account_missing' };

export interface AccountPatch {
  status?: AccountStatus;
  last_verified_at?: number | null;
  field_mapping?: FieldMapping;
  updated_at: number;
  /** Only if the account has this status now (a transition happens once). */
  ifStatus?: AccountStatus;
  outbox?: OutboxWrite;
}

export interface IdempotencyRecord {
  account_id: string;
  key: string;
  request_hash: string;
  /** 0 while the first request is still running. */
  status: number;
  response: string;
  created_at: number;
  /** While status is 0: the request that holds the key, and until when (a lease). */
  holder: string;
  lease_until: number;
  /** When the holder sent its NERM write (its outcome unknown until status is set); null before. */
  sent_at: number | null;
}

/** What a reservation says about the key it asked for. */
export type IdempotencyClaim =
  /** Held by this request: fresh, or taken over from one whose lease ran out (`previous`). */
  | { claimed: true; previous?: IdempotencyRecord }
  /** Held or answered by another request. */
  | { claimed: false; record: IdempotencyRecord };

/** Where a store says what it could not do; a pino logger fits. */
export interface StoreLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface StoreOptions {
  log?: StoreLog;
}

export interface SealedCredential {
  id: string;
  credential_kid: string;
  credential: Buffer;
}

/**
 * Everything the broker persists, behind one small interface with two real
 * implementations (SQLite and PostgreSQL) and one shared test suite.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Lifecycle events: snapshots, sync leases, the outbox, the audit trail. */
  readonly lifecycle: LifecycleStore;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** One trivial query: rejects while the database cannot be reached (`GET /readyz`). */
  ping(): Promise<void>;

  insertLinkToken(row: StoredLinkToken): Promise<void>;
  getLinkToken(hash: string): Promise<StoredLinkToken | undefined>;
  /**
   * In one transaction: burn the link token (only if unused and unexpired), create or
   * re-credential the account, and store the public token. A re-credentialed account's
   * previous ciphertext is then scrubbed as on disconnect.
   */
  completeLink(input: CompleteLinkInput): Promise<CompleteLinkOutcome>;
  /** One use: returns the account id and burns the token, or undefined. */
  redeemPublicToken(hash: string, now: number): Promise<string | undefined>;

  getAccount(id: string): Promise<StoredAccount | undefined>;
  /** Ordered by id; `afterId` is the keyset cursor. */
  listAccounts(query: {
    tenantId?: string;
    afterId?: string;
    limit: number;
  }): Promise<StoredAccount[]>;
  updateAccount(id: string, patch: AccountPatch): Promise<StoredAccount | undefined>;
  /**
   * Destroys the credential (no residue where the engine allows it), marks the account
   * disconnected and moves its token generation.
   */
  disconnectAccount(id: string, now: number, outbox?: OutboxWrite): Promise<boolean>;
  getAccountBySyncHook(hookId: string): Promise<StoredAccount | undefined>;
  setSyncHook(id: string, hookId: string, now: number): Promise<StoredAccount | undefined>;

  /** Rotation: credentials not sealed with `activeKid`, by id after `afterId`, a batch at a time. */
  listCredentialsNotSealedWith(
    activeKid: string,
    afterId: string,
    limit: number,
  ): Promise<SealedCredential[]>;
  /** Compare-and-swap on the key id, so concurrent rotations never clobber each other. */
  replaceCredential(
    id: string,
    expectedKid: string,
    next: { kid: string; credential: Buffer },
  ): Promise<boolean>;
  credentialKeyIds(): Promise<string[]>;

  getIdempotency(accountId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Claims a key for `holder` until `lease_until`: a new key, or one still running (status
   * 0) for the same request whose lease ended before `now` (its holder died or gave up).
   */
  reserveIdempotency(
    row: Pick<
      IdempotencyRecord,
      'account_id' | 'key' | 'request_hash' | 'created_at' | 'holder' | 'lease_until'
    >,
    now: number,
  ): Promise<IdempotencyClaim>;
  /** Moves the lease's end (and marks the NERM write sent); false if `holder` lost the key. */
  renewIdempotency(
    accountId: string,
    key: string,
    holder: string,
    change: { lease_until: number; sent_at?: number },
  ): Promise<boolean>;
  /** Stores the answer, if `holder` still holds the key (unless no holder is given). */
  completeIdempotency(
    accountId: string,
    key: string,
    status: number,
    response: string,
    holder?: string,
  ): Promise<void>;
  /** Gives a key back after a failure that must not be replayed (network, 5xx), before any write was sent. */
  releaseIdempotency(accountId: string, key: string, holder?: string): Promise<void>;

  /**
   * Removes expired link/public tokens and old idempotency records, and retries a scrub
   * of freed pages that a reader held up (docs/security.md, "Encryption at rest").
   */
  purgeExpired(now: number, idempotencyMaxAgeMs: number): Promise<void>;
}
