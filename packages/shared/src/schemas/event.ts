import { z } from 'zod';
import { text } from './text.ts';
import { AccountSchema } from './account.ts';
import { PageQuery, Timestamp, listEnvelope } from './common.ts';
import { UserSchema } from './user.ts';

/**
 * The User an event carries: the unified User without `remote_data`. Events go to
 * receivers that did not ask for NERM's raw profile, and `user.removed` can only ever
 * know the last unified view of a person.
 */
export const EventUserSchema = UserSchema.omit({ remote_data: true }).meta({ id: 'EventUser' });
export type EventUser = z.infer<typeof EventUserSchema>;

/** The old values of the fields that changed, under their unified names. */
export const PreviousFieldsSchema = EventUserSchema.omit({ id: true }).partial();
export type PreviousFields = z.infer<typeof PreviousFieldsSchema>;

export const USER_EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.removed',
  'user.contract_ending',
] as const;

export const ACCOUNT_EVENT_TYPES = [
  'integrated_account.connected',
  'integrated_account.reauthenticated',
  'integrated_account.needs_reauth',
  'integrated_account.disconnected',
] as const;

export const EventType = z.enum([...USER_EVENT_TYPES, ...ACCOUNT_EVENT_TYPES]);
export type EventType = z.infer<typeof EventType>;

const envelope = {
  /** Also the `webhook-id` header: receivers deduplicate on it. */
  id: z.string(),
  created_at: Timestamp,
  integrated_account_id: z.string(),
  tenant_id: z.string(),
};

const withUser = z.object({ user: EventUserSchema });
const withChange = z.object({ user: EventUserSchema, previous: PreviousFieldsSchema });
const withAccount = z.object({ integrated_account: AccountSchema });

/** Each event type with its `data`, plus `extra` fields (the feed adds `delivery`). */
function eventVariants<X extends z.ZodRawShape>(extra: X) {
  const base = { ...envelope, ...extra };
  return [
    z.object({ ...base, type: z.literal('user.created'), data: withUser }),
    z.object({ ...base, type: z.literal('user.updated'), data: withChange }),
    z.object({ ...base, type: z.literal('user.deactivated'), data: withChange }),
    z.object({ ...base, type: z.literal('user.reactivated'), data: withChange }),
    z.object({ ...base, type: z.literal('user.removed'), data: withUser }),
    z.object({
      ...base,
      type: z.literal('user.contract_ending'),
      data: z.object({ user: EventUserSchema, days_left: z.number().int().min(0) }),
    }),
    ...ACCOUNT_EVENT_TYPES.map((type) =>
      z.object({ ...base, type: z.literal(type), data: withAccount }),
    ),
  ] as const;
}

/** A lifecycle event exactly as the webhook body and the feed carry it (docs/lifecycle-events.md). */
export const LifecycleEventSchema = z
  .discriminatedUnion('type', eventVariants({}))
  .meta({ id: 'LifecycleEvent' });
export type LifecycleEvent = z.infer<typeof LifecycleEventSchema>;

export const DeliveryStatus = z.enum([
  /** Waiting for its first or next attempt. */
  'pending',
  'delivered',
  /** Every attempt of the retry schedule failed; the event stays in the feed. */
  'failed',
  /** No webhook URL is configured: the event lives in the feed only. */
  'not_sent',
]);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const DeliverySchema = z
  .object({
    status: DeliveryStatus,
    attempts: z.number().int().min(0),
    /** Failed attempts so far. */
    failures: z.number().int().min(0),
    last_error: z.string().nullable(),
    last_attempt_at: Timestamp.nullable(),
    next_attempt_at: Timestamp.nullable(),
    delivered_at: Timestamp.nullable(),
  })
  .meta({ id: 'Delivery' });
export type Delivery = z.infer<typeof DeliverySchema>;

/** A feed item: the event as delivered, plus how its delivery is going. */
export const FeedEventSchema = z
  .discriminatedUnion('type', eventVariants({ delivery: DeliverySchema }))
  .meta({ id: 'FeedEvent' });
export type FeedEvent = z.infer<typeof FeedEventSchema>;

export const EventListSchema = listEnvelope(FeedEventSchema).meta({ id: 'EventList' });

export const ListEventsQuery = PageQuery.extend({
  integrated_account_id: text().min(1).max(64).optional(),
  type: EventType.optional(),
});
export type ListEventsQuery = z.input<typeof ListEventsQuery>;

export const SyncMode = z.enum(['incremental', 'full']);
export type SyncMode = z.infer<typeof SyncMode>;

export const SyncQuery = z.strictObject({ mode: SyncMode.default('incremental') });

/** `POST /integrated-accounts/:id/sync`: what the sync queued. */
export const SyncResultSchema = z
  .object({
    created: z.number().int().min(0),
    updated: z.number().int().min(0),
    deactivated: z.number().int().min(0),
    reactivated: z.number().int().min(0),
    removed: z.number().int().min(0),
  })
  .meta({ id: 'SyncResult' });
export type SyncResult = z.infer<typeof SyncResultSchema>;

/** `POST /hooks/nerm/:hook_id`: optionally just one profile. */
export const NermHookBody = z
  .strictObject({
    profile_id: text().trim().min(1).max(256).optional(),
  })
  .meta({ id: 'NermHookBody' });
export type NermHookBody = z.input<typeof NermHookBody>;

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: Timestamp,
    /** `api_key:<6 hex>`, `link_token`, `account_token:<jti>`, `scheduler` or `nerm_hook`. */
    actor: z.string(),
    action: z.string(),
    detail: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditListSchema = listEnvelope(AuditEntrySchema).meta({ id: 'AuditList' });

export const ListAuditQuery = PageQuery.extend({ format: z.enum(['json', 'csv']).default('json') });
export type ListAuditQuery = z.input<typeof ListAuditQuery>;
