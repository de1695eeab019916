import { NermConnectError } from '@nerm-connect/shared/client';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { ZodError } from 'zod';
import { connectionRouter, type ConnectionDeps } from './routes/connection.ts';
import { directoryRouter } from './routes/directory.ts';
import { liveRouter } from './routes/live.ts';
import { webhookRouter, type WebhookDeps } from './routes/webhooks.ts';
import type { NermConnectClient } from '@nerm-connect/shared/client';

export interface DemoAppDeps extends ConnectionDeps, Pick<WebhookDeps, 'secret' | 'adopt'> {
  nerm: NermConnectClient;
  /** The page itself: Vite's dev middleware or the static build (web.ts). */
  web: RequestHandler;
  now?: () => number;
  sandboxUrl: string;
}

/** `{error: {code, message, request_id?}}`, the broker's envelope, for the page to show. */
const errors: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  if (error instanceof NermConnectError) {
    res.status(error.status || 502).json({
      error: { code: error.code, message: error.message, request_id: error.requestId },
    });
  } else if (error instanceof ZodError) {
    res.status(400).json({
      error: { code: 'invalid_request', message: 'The request is not valid', issues: error.issues },
    });
  } else {
    console.error('demo backend error', error);
    res.status(500).json({ error: { code: 'internal', message: 'The demo backend failed' } });
  }
};

/** The SaaS backend: its JSON API under /api, then the page. Listening is server.ts's job. */
export function createDemoApp(deps: DemoAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const api = express.Router();
  api.use(express.json({ limit: '16kb' }));
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(connectionRouter(deps));
  api.use('/directory', directoryRouter(deps.nerm, deps.now));
  api.use(liveRouter(deps));
  api.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'No such demo API route' } });
  });
  api.use(errors);
  app.use('/api', api);
  app.use(webhookRouter(deps));
  app.use(deps.web);
  return app;
}
