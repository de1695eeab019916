import { ENDPOINTS } from '@nerm-connect/shared';
import express from 'express';
import { BrokerError, isBrokerError } from '../errors.ts';
import { RawBody, type RouteFn } from '../http/endpoint-router.ts';
import { LifecycleService } from '../services/lifecycle-service.ts';

/**
 * A NERM workflow retries what fails, and a 5xx is never its fault: anything the broker
 * itself cannot do right now (the database, say) answers 429 with Retry-After instead.
 */
function softened(error: unknown): unknown {
  if (isBrokerError(error) && error.status < 500) return error;
  return new BrokerError('rate_limited', 'The broker cannot take the hook call right now', {
    retryAfter: 30,
    cause: error,
  });
}

/** Lifecycle events: syncs now, the event feed, the audit trail, the NERM hook. */
export function lifecycleRoutes(route: RouteFn, lifecycle: LifecycleService): void {
  const actor = (locals: { actor?: string | undefined }) => locals.actor ?? 'unknown';
  route(ENDPOINTS.syncAccount, ({ params, query, res }) =>
    lifecycle.sync(params.id, query.mode, actor(res.locals)),
  );
  route(ENDPOINTS.rotateSyncHook, ({ params, res }) =>
    lifecycle.rotateHook(params.id, actor(res.locals)),
  );
  route(ENDPOINTS.listAccountAudit, async ({ params, query }) => {
    const page = await lifecycle.listAudit(params.id, query);
    if (query.format !== 'csv') return page;
    return new RawBody(
      'text/csv; charset=utf-8',
      LifecycleService.auditCsv(page.result),
      page.next_cursor,
    );
  });
  route(ENDPOINTS.listEvents, ({ query }) => lifecycle.listEvents(query));
  route(
    ENDPOINTS.callNermHook,
    async ({ params, body }) => {
      try {
        await lifecycle.hook(params.hook_id, body.profile_id);
      } catch (error) {
        throw softened(error);
      }
      return { status: 'accepted' as const };
    },
    express.json({ limit: '4kb', type: () => true }),
  );
}
