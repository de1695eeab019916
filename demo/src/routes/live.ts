import type { NermConnectAdmin } from '@nerm-connect/shared/client';
import { Router } from 'express';
import { z } from 'zod';
import { nameOf, type ActivityLog } from '../activity.ts';
import type { SaasSession } from '../saas-session.ts';

export interface LiveDeps {
  admin: NermConnectAdmin;
  session: SaasSession;
  activity: ActivityLog;
  tenantId: string;
  /** The NERM sandbox, whose console a NERM admin uses (`POST /__sandbox/admin`). */
  sandboxUrl: string;
}

const ActivityQuery = z.object({ after: z.coerce.number().int().min(0).default(0) });
const Simulate = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.enum(['end_contract', 'terminate']),
    user_id: z.string().min(1).max(256),
  }),
  z.strictObject({
    action: z.literal('hire'),
    first_name: z.string().trim().min(1).max(60),
    last_name: z.string().trim().min(1).max(60),
  }),
]);

const DONE: Record<z.infer<typeof Simulate>['action'], string> = {
  end_contract: 'ended the contract of',
  terminate: 'terminated',
  hire: 'hired',
};

/**
 * The live half of the demo: the activity feed the page polls, and "Simulate in NERM",
 * where the presenter acts as the customer's NERM admin. An action changes the sandbox
 * through its console (not through the broker), then calls the account's sync hook as the
 * NERM workflow of docs/nerm-workflow-hook.md would; the change comes back as a signed
 * webhook (routes/webhooks.ts).
 */
export function liveRouter(deps: LiveDeps): Router {
  const { activity } = deps;
  const router = Router();

  router.get('/activity', (req, res) => {
    const { after } = ActivityQuery.parse(req.query);
    res.json({
      watching: deps.session.accountId ? activity.watching : 'off',
      entries: activity.since(after),
      revoked: [...activity.revoked.keys()],
    });
  });

  router.post('/simulate', async (req, res) => {
    const input = Simulate.parse(req.body);
    const accountId = deps.session.accountId;
    if (!accountId || activity.watching !== 'live') {
      res.status(409).json({
        error: { code: 'not_watching', message: 'Shiftboard is not watching NERM yet' },
      });
      return;
    }
    const answer = await fetch(`${deps.sandboxUrl}/__sandbox/admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        input.action === 'hire'
          ? {
              action: 'hire',
              first_name: input.first_name,
              last_name: input.last_name,
              email: `${input.first_name}.${input.last_name}@contractors.example`.toLowerCase(),
            }
          : { action: input.action, profile_id: input.user_id },
      ),
    });
    const body = (await answer.json()) as {
      profile?: { id: string; name?: string };
      error?: string;
    };
    if (!answer.ok || !body.profile) {
      res.status(502).json({
        error: { code: 'nerm_refused', message: `NERM refused: ${body.error ?? answer.status}` },
      });
      return;
    }
    const profile = body.profile;
    const name = nameOf({ name: profile.name ?? null, first_name: null, last_name: null });
    activity.add({
      kind: 'nerm_admin',
      code: input.action,
      userId: profile.id,
      text: `In NERM, the admin ${DONE[input.action]} ${name}.`,
    });
    // NERM's workflow tells the broker at once (docs/nerm-workflow-hook.md).
    const account = await deps.admin.accounts.get(accountId);
    if (account.sync_hook_url) {
      await fetch(account.sync_hook_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ profile_id: profile.id }),
      });
    }
    res.status(202).json({ profile_id: profile.id, name });
  });

  return router;
}

/**
 * Before NERM's changes can be told apart, the broker takes a first look at the tenant
 * (its baseline). The demo asks for it right after connecting and says "live" when done.
 */
export async function startWatching(
  admin: NermConnectAdmin,
  activity: ActivityLog,
  accountId: string,
): Promise<void> {
  activity.reset();
  activity.watching = 'starting';
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      await admin.accounts.sync(accountId, { mode: 'full' });
      activity.watching = 'live';
      return;
    } catch {
      // Another sync of the account holds it (the scheduler's): try again shortly.
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  activity.watching = 'off';
}
