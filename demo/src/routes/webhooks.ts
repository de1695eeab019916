import {
  verifyWebhook,
  WebhookVerificationFailed,
  type Account,
  type LifecycleEvent,
} from '@nerm-connect/shared';
import express, { Router } from 'express';
import type { ActivityLog } from '../activity.ts';

export interface WebhookDeps {
  /** The broker's NERM_BROKER_WEBHOOK_SECRET (`whsec_…`), shared with this receiver only. */
  secret: string;
  activity: ActivityLog;
  /** The SaaS's own id for this customer: events of other tenants are not ours. */
  tenantId: string;
  /** A tenant connected from a hosted link: Shiftboard takes the account on. */
  adopt(account: Account): Promise<void>;
}

/**
 * `POST /webhooks/nerm-connect`: the broker's signed lifecycle events, verified with the
 * SDK's verifyWebhook (Standard Webhooks) on the raw body, as the README's receiver does.
 * A delivery that does not verify is refused (and shown in the feed); a retry of an event
 * already handled is acknowledged without acting twice.
 */
export function webhookRouter(deps: WebhookDeps): Router {
  const router = Router();
  router.post(
    '/webhooks/nerm-connect',
    express.raw({ type: () => true, limit: '1mb' }),
    async (req, res) => {
      let event: LifecycleEvent;
      try {
        event = verifyWebhook(req.body as Buffer, req.headers, deps.secret);
      } catch (error) {
        if (!(error instanceof WebhookVerificationFailed)) throw error;
        deps.activity.add({
          kind: 'refused',
          code: error.code,
          text: 'Refused a delivery that was not signed by the broker.',
        });
        res.status(400).json({ error: { code: error.code, message: error.message } });
        return;
      }
      if (event.tenant_id === deps.tenantId) {
        const entry = deps.activity.receive(event);
        if (entry && event.type === 'integrated_account.connected')
          await deps.adopt(event.data.integrated_account);
      }
      res.sendStatus(204);
    },
  );
  return router;
}
