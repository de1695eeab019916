import {
  CreateUserBody,
  ListRolesQuery,
  ListUsersQuery,
  UpdateUserBody,
} from '@nerm-connect/shared';
import express, { Router, type Request, type Response } from 'express';
import { BrokerError } from '../errors.ts';
import { linkNext } from '../http/link-header.ts';
import { parse } from '../http/validate.ts';
import type { Tenant } from '../nerm/tenant.ts';
import type { IdempotencyService } from '../services/idempotency-service.ts';
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

async function write(
  idempotency: IdempotencyService,
  req: Request,
  res: Response,
  tenant: Tenant,
  status: number,
  work: (idempotent: boolean) => Promise<unknown>,
): Promise<void> {
  const key = req.get('idempotency-key');
  if (key === undefined) {
    res.status(status).json(await work(false));
    return;
  }
  const result = await idempotency.run(
    tenant.accountId,
    `users:${key}`,
    { method: req.method, path: req.path, body: req.body },
    async () => ({
      status,
      body: await work(true),
    }),
  );
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(result.status).json(result.body);
}

/** `/unified/user-directory/*` (integrated_account_token). */
export function unifiedRouter(
  { users, writeBack, roles }: DirectoryServices,
  idempotency: IdempotencyService,
): Router {
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  router.get('/users', async (req, res) => {
    const query = parse(ListUsersQuery, req.query, 'query');
    const page = await users.list(tenantOf(res), query);
    linkNext(req, res, page.nextCursor);
    res.type('application/json').send(page.json);
  });
  router.get('/users/:id', async (req, res) => {
    res.json(await users.get(tenantOf(res), req.params.id));
  });
  router.post('/users', async (req, res) => {
    const tenant = tenantOf(res);
    const body = parse(CreateUserBody, req.body, 'user');
    await write(idempotency, req, res, tenant, 201, (idem) => writeBack.create(tenant, body, idem));
  });
  router.patch('/users/:id', async (req, res) => {
    const tenant = tenantOf(res);
    const body = parse(UpdateUserBody, req.body, 'user update');
    await write(idempotency, req, res, tenant, 200, (idem) =>
      writeBack.update(tenant, req.params.id, body, idem),
    );
  });
  router.get('/roles', async (req, res) => {
    const query = parse(ListRolesQuery, req.query, 'query');
    const page = await roles.list(tenantOf(res), query);
    linkNext(req, res, page.next_cursor);
    res.json(page);
  });
  router.get('/roles/:id', async (req, res) => {
    res.json(await roles.get(tenantOf(res), req.params.id));
  });
  return router;
}
