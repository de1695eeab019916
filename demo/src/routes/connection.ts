import type { NermConnectAdmin } from '@nerm-connect/shared/client';
import { Router } from 'express';
import { z } from 'zod';
import type { ActivityLog } from '../activity.ts';
import type { SaasSession } from '../saas-session.ts';
import { startWatching } from './live.ts';

export interface ConnectionDeps {
  admin: NermConnectAdmin;
  session: SaasSession;
  /** The SaaS's own id for this customer: the broker's `tenant_id`. */
  tenantId: string;
  /** What the page needs to know: the broker's URL and the sandbox's credentials. */
  config: () => Record<string, unknown>;
  activity: ActivityLog;
}

/** How long a hosted link sent to the customer's NERM admin lives: a week. */
const HOSTED_LINK_SECONDS = 7 * 24 * 3600;

const LinkTokenRequest = z.strictObject({ reauth: z.boolean().optional() });
const ConnectionRequest = z.strictObject({ public_token: z.string().min(1).max(512) });

/** The SaaS backend's part of the connect flow (docs/architecture.md, "The flow"). */
export function connectionRouter(deps: ConnectionDeps): Router {
  const { admin, session, tenantId } = deps;
  const router = Router();

  router.get('/config', (_req, res) => {
    res.json(deps.config());
  });

  router.post('/link-token', async (req, res) => {
    const { reauth } = LinkTokenRequest.parse(req.body ?? {});
    const repair = reauth && session.accountId ? { integrated_account_id: session.accountId } : {};
    res.status(201).json(await admin.linkTokens.create({ tenant_id: tenantId, ...repair }));
  });

  // "Send a link to your NERM admin": a hosted connect page (docs/hosted-link.md). The
  // account arrives with the integrated_account.connected webhook (routes/webhooks.ts).
  router.post('/hosted-link', async (_req, res) => {
    const link = await admin.linkTokens.create({
      tenant_id: tenantId,
      hosted: true,
      expires_in: HOSTED_LINK_SECONDS,
    });
    res.status(201).json({ hosted_url: link.hosted_url, expires_at: link.expires_at });
  });

  router.get('/connection', async (_req, res) => {
    if (!session.accountId) return void res.json({ connected: false });
    const account = await admin.accounts.get(session.accountId);
    res.json({ connected: account.status !== 'disconnected', account });
  });

  router.post('/connection', async (req, res) => {
    const { public_token } = ConnectionRequest.parse(req.body);
    const exchanged = await admin.tokens.exchange(public_token);
    const fresh = exchanged.integrated_account_id !== session.accountId;
    session.set(
      exchanged.integrated_account_id,
      exchanged.integrated_account_token,
      exchanged.expires_at,
    );
    // A new account (not a credential update): the broker's first look at the tenant.
    if (fresh || deps.activity.watching === 'off')
      void startWatching(admin, deps.activity, exchanged.integrated_account_id);
    res.json({ connected: true, account: await admin.accounts.get(session.accountId!) });
  });

  router.delete('/connection', async (_req, res) => {
    if (session.accountId) await admin.accounts.delete(session.accountId);
    session.clear();
    deps.activity.reset();
    res.json({ connected: false });
  });

  return router;
}
