import { ENDPOINTS } from '@nerm-connect/shared';
import type { Response } from 'express';
import { BrokerError } from '../errors.ts';
import { JsonText, type EndpointRequest, type RouteFn } from '../http/endpoint-router.ts';
import type { Tenant } from '../nerm/tenant.ts';
import type { IdempotencyService, WriteAttempt } from '../services/idempotency-service.ts';
import type { RolesService } from '../services/roles-service.ts';
import type { UserService } from '../services/user-service.ts';
import type { WriteBack } from '../services/write-back.ts';

/** The tenant the account-token guard resolved for this request. */
export function tenantOf(res: Response): Tenant {
  const tenant = res.locals.tenant;
  if (!tenant) throw new BrokerError('unauthorized', 'An integrated_account_token is required');
  return tenant;
}

export interface DirectoryServices {
  users: UserService;
  writeBack: WriteBack;
  roles: RolesService;
}

/** A write, replayed from the store when its Idempotency-Key was seen before. */
async function write<T>(
  idempotency: IdempotencyService,
  {
    req,
    res,
    headers,
  }: Pick<EndpointRequest<typeof ENDPOINTS.createUser>, 'req' | 'res' | 'headers'>,
  status: number,
  work: (attempt: WriteAttempt | undefined) => Promise<T>,
): Promise<T> {
  const key = headers['idempotency-key'];
  if (key === undefined) return work(undefined);
  // The body as sent (before parsing) is what a replay must match.
  const result = await idempotency.run(
    tenantOf(res).accountId,
    `users:${key}`,
    { method: req.method, path: req.path, body: req.body as unknown },
    async (attempt) => ({ status, body: await work(attempt) }),
  );
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return result.body as T;
}

/** `/unified/user-directory/*` (integrated_account_token). */
export function unifiedRoutes(
  route: RouteFn,
  { users, writeBack, roles }: DirectoryServices,
  idempotency: IdempotencyService,
): void {
  route(ENDPOINTS.listUsers, async ({ res, query }) => {
    const page = await users.list(tenantOf(res), query);
    return new JsonText(page.json, page.nextCursor);
  });
  route(ENDPOINTS.getUser, ({ res, params, query }) =>
    users.get(tenantOf(res), params.id, query.include_remote_data),
  );
  route(ENDPOINTS.createUser, (input) =>
    write(idempotency, input, 201, (idem) =>
      writeBack.create(tenantOf(input.res), input.body, idem),
    ),
  );
  route(ENDPOINTS.updateUser, (input) =>
    write(idempotency, input, 200, (idem) =>
      writeBack.update(tenantOf(input.res), input.params.id, input.body, idem),
    ),
  );
  route(ENDPOINTS.listRoles, ({ res, query }) => roles.list(tenantOf(res), query));
  route(ENDPOINTS.getRole, ({ res, params, query }) =>
    roles.get(tenantOf(res), params.id, query.include_remote_data),
  );
}
