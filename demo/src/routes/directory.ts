import { UserStatus } from '@nerm-connect/shared';
import type { NermConnectClient } from '@nerm-connect/shared/client';
import { Router } from 'express';
import { z } from 'zod';

const PageQuery = z.object({
  status: z.union([UserStatus, z.literal('')]).optional(),
  cursor: z.string().max(2048).optional(),
});

const DAY = 86_400_000;

/** The workforce as the SaaS reads and writes it through the broker. */
export function directoryRouter(nerm: NermConnectClient, now: () => number = Date.now): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const { status, cursor } = PageQuery.parse(req.query);
    const list = nerm.users.list({ limit: 25, ...(status ? { status } : {}) });
    res.json(await list.page(cursor || undefined));
  });

  router.get('/summary', async (_req, res) => {
    // Streams every user once through the SDK's iterator: nothing held but the counts.
    const counts = { total: 0, active: 0, inactive: 0, deleted: 0, ending_soon: 0 };
    const today = new Date(now()).toISOString().slice(0, 10);
    const soon = new Date(now() + 30 * DAY).toISOString().slice(0, 10);
    for await (const user of nerm.users.list({ limit: 500 })) {
      counts.total++;
      counts[user.status]++;
      const end = user.end_date;
      if (user.status === 'active' && end && end >= today && end <= soon) counts.ending_soon++;
    }
    res.json(counts);
  });

  router.post('/:id/offboard', async (req, res) => {
    res.json(await nerm.users.update(req.params.id, { status: 'deleted' }));
  });

  return router;
}
