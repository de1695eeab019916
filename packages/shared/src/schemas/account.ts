import { z } from 'zod';
import { text } from './text.ts';
import { Timestamp } from './common.ts';

export const AuthType = z.enum(['pat', 'api_key']);
export type AuthType = z.infer<typeof AuthType>;

export const AccountStatus = z.enum(['active', 'needs_reauth', 'disconnected']);
export type AccountStatus = z.infer<typeof AccountStatus>;

/** Unified fields whose NERM attribute uid a tenant may override. */
export const MAPPABLE_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'personal_email',
  'title',
  'start_date',
  'end_date',
] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

const AttributeUid = text().min(1).max(256);
const FieldUids = z.partialRecord(z.enum(MAPPABLE_FIELDS), AttributeUid);

/**
 * Attribute uid per unified field, tried before the built-in fallbacks; `by_profile_type`
 * (keyed by profile type uid) wins for profiles of that type (docs/architecture.md).
 */
export const FieldMapping = z.strictObject({
  ...(Object.fromEntries(MAPPABLE_FIELDS.map((f) => [f, AttributeUid.optional()])) as Record<
    MappableField,
    z.ZodOptional<typeof AttributeUid>
  >),
  by_profile_type: z.record(text().min(1).max(256), FieldUids).optional(),
});
export type FieldMapping = z.infer<typeof FieldMapping>;

export const AccountSchema = z
  .object({
    id: z.string(),
    tenant_id: z.string(),
    tenant_host: z.string(),
    auth_type: AuthType,
    status: AccountStatus,
    created_at: Timestamp,
    updated_at: Timestamp,
    last_verified_at: Timestamp.nullable(),
    /** The last four characters of the secret, nothing more. */
    credential_hint: z.string().max(4).nullable(),
    field_mapping: FieldMapping,
    /**
     * Where a NERM workflow's REST action POSTs to sync this account at once (the last
     * segment is an unguessable id; rotate it with POST /integrated-accounts/:id/sync-hook).
     * Null once disconnected.
     */
    sync_hook_url: z.string().nullable(),
  })
  .meta({ id: 'Account' });
export type Account = z.infer<typeof AccountSchema>;

/** The slice of an account the widget and the connect response carry. */
export const AccountSummarySchema = AccountSchema.pick({
  id: true,
  tenant_id: true,
  tenant_host: true,
  auth_type: true,
  status: true,
}).meta({ id: 'AccountSummary' });
export type AccountSummary = z.infer<typeof AccountSummarySchema>;

export const AccountListSchema = z
  .object({
    result: z.array(AccountSchema),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'AccountList' });
export type AccountList = z.infer<typeof AccountListSchema>;

export const ListAccountsQuery = z.strictObject({
  tenant_id: text().min(1).max(256).optional(),
  limit: z.coerce.number<number>().int().min(1).max(500).default(100),
  next_cursor: text().min(1).max(2048).optional(),
});
export type ListAccountsQuery = z.input<typeof ListAccountsQuery>;

export const UpdateAccountBody = z
  .strictObject({
    /** Replaces the whole mapping; `{}` returns to the built-in fallbacks. */
    field_mapping: FieldMapping,
  })
  .meta({ id: 'UpdateAccountBody' });
export type UpdateAccountBody = z.input<typeof UpdateAccountBody>;
