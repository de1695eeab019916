import { CreateLinkTokenBody } from '@nerm-connect/shared';
import { Router } from 'express';
import { parse } from '../http/validate.ts';
import type { LinkService } from '../services/link-service.ts';

/** `POST /link-tokens` (API key). */
export function linkTokensRouter(links: LinkService): Router {
  const router = Router();
  router.post('/', async (req, res) => {
    const body = parse(CreateLinkTokenBody, req.body, 'link token request');
    res
      .status(201)
      .json(await links.createLinkToken(body.tenant_id, body.integrated_account_id ?? undefined));
  });
  return router;
}
