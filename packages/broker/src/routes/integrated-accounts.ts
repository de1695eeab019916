import { ListAccountsQuery, UpdateAccountBody } from '@nerm-connect/shared';
import { Router } from 'express';
import { linkNext } from '../http/link-header.ts';
import { parse } from '../http/validate.ts';
import type { AccountService } from '../services/account-service.ts';

/** `/integrated-accounts` (API key). */
export function integratedAccountsRouter(accounts: AccountService): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parse(ListAccountsQuery, req.query, 'query');
    const page = await accounts.list(query);
    linkNext(req, res, page.next_cursor);
    res.json(page);
  });
  router.get('/:id', async (req, res) => {
    res.json(await accounts.get(req.params.id));
  });
  router.patch('/:id', async (req, res) => {
    const body = parse(UpdateAccountBody, req.body, 'account update');
    res.json(await accounts.setFieldMapping(req.params.id, body.field_mapping));
  });
  router.post('/:id/verify', async (req, res) => {
    res.json(await accounts.verify(req.params.id));
  });
  router.post('/:id/tokens', async (req, res) => {
    res.status(201).json(await accounts.mintToken(req.params.id));
  });
  router.delete('/:id', async (req, res) => {
    await accounts.disconnect(req.params.id);
    res.status(204).end();
  });
  return router;
}
