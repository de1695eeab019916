import { z } from 'zod';
import { text } from './schemas/text.ts';
import { PATHS } from './paths.ts';
import { AccountSchema } from './schemas/account.ts';
import {
  AuditListSchema,
  EventListSchema,
  ListAuditQuery,
  ListEventsQuery,
  NermHookBody,
  SyncQuery,
  SyncResultSchema,
} from './schemas/event.ts';

const IdParams = z.strictObject({
  id: text().min(1).max(256).meta({ description: 'The id, as the broker returned it.' }),
});

/** The endpoints of lifecycle events (docs/lifecycle-events.md), part of ENDPOINTS. */
export const LIFECYCLE_ENDPOINTS = {
  syncAccount: {
    method: 'POST',
    path: PATHS.accountSync,
    auth: 'apiKey',
    summary: 'Sync one account now; answers once its events are queued',
    description:
      'Incremental by default (what NERM says changed since the last sync, a day early); `mode=full` reconciles the whole tenant and so also finds removed profiles and role changes. Waits for a sync already running on the account.',
    params: IdParams,
    query: SyncQuery,
    status: 200,
    response: SyncResultSchema,
    errors: [
      'invalid_request',
      'not_found',
      'account_needs_reauth',
      'account_disconnected',
      'rate_limited',
      'tenant_unreachable',
      'upstream_error',
    ],
  },
  rotateSyncHook: {
    method: 'POST',
    path: PATHS.accountSyncHook,
    auth: 'apiKey',
    summary: 'Give the account a new sync_hook_url; the old one answers 404 at once',
    params: IdParams,
    status: 200,
    response: AccountSchema,
    errors: ['invalid_request', 'not_found'],
  },
  listAccountAudit: {
    method: 'GET',
    path: PATHS.accountAudit,
    auth: 'apiKey',
    summary: "The account's append-only audit trail, newest first (CSV with format=csv)",
    params: IdParams,
    query: ListAuditQuery,
    status: 200,
    response: AuditListSchema,
    list: true,
    csv: true,
    errors: ['invalid_request', 'invalid_cursor', 'not_found'],
  },
  listEvents: {
    method: 'GET',
    path: PATHS.events,
    auth: 'apiKey',
    summary: 'Lifecycle events, oldest first, kept 30 days, with their delivery state',
    query: ListEventsQuery,
    status: 200,
    response: EventListSchema,
    list: true,
    errors: ['invalid_request', 'invalid_cursor'],
  },
  callNermHook: {
    method: 'POST',
    path: PATHS.nermHook,
    auth: 'none',
    summary: "A NERM workflow's REST action: sync this account (or one profile) now",
    description:
      'The hook id in the path is the only credential (the account shows the URL as `sync_hook_url`). Never answers a 5xx.',
    params: z.strictObject({ hook_id: text().min(1).max(128) }),
    body: NermHookBody,
    bodyOptional: true,
    status: 202,
    response: z.object({ status: z.literal('accepted') }).meta({ id: 'HookAccepted' }),
    errors: ['invalid_request', 'not_found', 'rate_limited', 'payload_too_large'],
  },
} as const;
