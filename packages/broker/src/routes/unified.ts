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
import type { DirectoryService } from '../services/directory-service.ts';
import type { IdempotencyService } from '../services/idempotency-service.ts';
import type { AccountRow } from '../store/store.ts';

/** A needs_reauth account answers 409 before anything goes upstream. */
export function usableAccount(res: Response): AccountRow {
  const account = res.locals.account!;
  if (account.status !== 'active') {
    throw new BrokerError(
      'account_needs_reauth',
      "NERM refused this account's credential; reconnect it with a new link token",
    );
  }
  return account;
}

async function write(
  idempotency: IdempotencyService,
  req: Request,
  res: Response,
  account: AccountRow,
  status: number,
  work: (idempotent: boolean) => Promise<unknown>,
): Promise<void> {
  const key = req.get('idempotency-key');
  if (key === undefined) {
    res.status(status).json(await work(false));
    return;
  }
  const result = await idempotency.run(
    account.id,
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
  directory: DirectoryService,
  idempotency: IdempotencyService,
): Router {
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  router.get('/users', async (req, res) => {
    const query = parse(ListUsersQuery, req.query, 'query');
    const page = await directory.listUsers(usableAccount(res), query);
    linkNext(req, res, page.nextCursor);
    res.type('application/json').send(page.json);
  });
  router.get('/users/:id', async (req, res) => {
    res.json(await directory.getUser(usableAccount(res), req.params.id));
  });
  router.post('/users', async (req, res) => {
    const account = usableAccount(res);
    const body = parse(CreateUserBody, req.body, 'user');
    await write(idempotency, req, res, account, 201, (idem) =>
      directory.createUser(account, body, idem),
    );
  });
  router.patch('/users/:id', async (req, res) => {
    const account = usableAccount(res);
    const body = parse(UpdateUserBody, req.body, 'user update');
    await write(idempotency, req, res, account, 200, (idem) =>
      directory.updateUser(account, req.params.id, body, idem),
    );
  });
  router.get('/roles', async (req, res) => {
    const query = parse(ListRolesQuery, req.query, 'query');
    const page = await directory.listRoles(usableAccount(res), query);
    linkNext(req, res, page.next_cursor);
    res.json(page);
  });
  router.get('/roles/:id', async (req, res) => {
    res.json(await directory.getRole(usableAccount(res), req.params.id));
  });
  return router;
}
