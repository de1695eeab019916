/**
 * `pnpm demo`: the NERM sandbox, the broker and a SaaS settings page, in one command.
 *
 * The page's backend plays the SaaS vendor: it holds the broker API key and the
 * integrated_account_token server side, and reaches the broker only over HTTP through
 * the typed SDK, exactly as a customer's backend would.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdmin, createClient } from '@nerm-connect/shared/client';
import { ActivityLog } from './src/activity.ts';
import { createDemoApp } from './src/app.ts';
import { startWatching } from './src/routes/live.ts';
import { SaasSession } from './src/saas-session.ts';
import { portOrAny, stableSecrets, startDemoStack } from './src/stack.ts';
import { createWeb } from './src/web.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface DemoOptions {
  port?: number;
  brokerPort?: number;
  sandboxPort?: number;
  dataDir?: string;
  /** More browser origins the broker admits (CORS), e.g. another page of a test. */
  extraOrigins?: string[];
  /** `dev` (default): Vite with hot reload; `static`: a build from `staticDir`. */
  web?: 'dev' | 'static';
  staticDir?: string;
  /** Child process output (the CLI: demo/.data/services.log; tests: none). */
  log?: boolean;
  progress?: (line: string) => void;
}

export interface Demo {
  url: string;
  brokerUrl: string;
  sandboxUrl: string;
  /** The broker API key the demo backend holds (for tests; never sent to the page). */
  brokerApiKey: string;
  close(): Promise<void>;
}

const TENANT_ID = 'northwind-health';

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const progress = options.progress ?? (() => {});
  const dataDir = options.dataDir ?? join(here, '.data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = options.log
    ? createWriteStream(join(dataDir, 'services.log'), { flags: 'a' })
    : undefined;

  // The page's server listens first: the broker must know the page's origin (CORS) and
  // where to deliver webhooks.
  let handle: RequestListener = (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '2' }).end('Starting…');
  };
  const server: Server = createServer((req, res) => handle(req, res));
  const wanted = options.port ?? Number(process.env.DEMO_PORT ?? 3000);
  const port = await portOrAny(wanted);
  if (port !== wanted) progress(`Port ${wanted} is in use; the page takes a free port instead.`);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const { port: actual } = server.address() as AddressInfo;
  const url = `http://localhost:${actual}`;
  const pageOrigins = [url, `http://127.0.0.1:${actual}`, ...(options.extraOrigins ?? [])];

  const secrets = stableSecrets(dataDir);
  let stack: Awaited<ReturnType<typeof startDemoStack>>;
  try {
    stack = await startDemoStack({
      dataDir,
      pageOrigins,
      webhookUrl: `http://127.0.0.1:${actual}/webhooks/nerm-connect`,
      logoUrl: `${url}/favicon.svg`,
      secrets,
      sandboxPort: options.sandboxPort ?? Number(process.env.NERM_SANDBOX_PORT ?? 4010),
      brokerPort: options.brokerPort ?? Number(process.env.NERM_BROKER_PORT ?? 8787),
      ...(log ? { log } : {}),
      progress,
    });
  } catch (error) {
    server.close();
    log?.end();
    throw error;
  }
  const { sandbox, brokerUrl } = stack;

  progress(options.web === 'static' ? 'Serving the static build…' : 'Starting Vite…');
  const admin = createAdmin({ brokerUrl, apiKey: stack.apiKey });
  const session = new SaasSession(dataDir, admin);
  const activity = new ActivityLog();
  // After a restart with a saved connection: watch it again, and show what the broker
  // delivered before (its event feed keeps 30 days).
  if (session.accountId) {
    const id = session.accountId;
    void startWatching(admin, activity, id);
    activity
      .restore(admin.events.list({ integrated_account_id: id }), TENANT_ID)
      .catch((error: unknown) => progress(`Could not read the broker's event feed: ${error}`));
  }
  const web = await createWeb(
    options.web === 'static'
      ? { kind: 'static', dir: options.staticDir ?? join(here, 'dist') }
      : { kind: 'dev', httpServer: server },
    here,
    brokerUrl,
  );
  const app = createDemoApp({
    admin,
    session,
    tenantId: TENANT_ID,
    nerm: createClient({ brokerUrl, getToken: session.token }),
    web: web.handler,
    activity,
    sandboxUrl: sandbox.url,
    secret: secrets.webhookSecret,
    // A hosted link completed: Shiftboard takes the new account on, unless one is connected.
    adopt: async (account) => {
      const id = account.id;
      if (session.accountId === id) return;
      if (session.accountId) {
        const current = await admin.accounts.get(session.accountId).catch(() => undefined);
        if (current && current.status !== 'disconnected') return;
      }
      const minted = await admin.accounts.createToken(id);
      session.set(id, minted.integrated_account_token, minted.expires_at);
      void startWatching(admin, activity, id);
    },
    config: () => ({
      brokerUrl,
      saasName: 'Shiftboard',
      demoTenant: {
        tenantUrl: sandbox.url,
        apiKey: sandbox.api_key,
        clientId: sandbox.client_id,
        clientSecret: sandbox.client_secret,
        tokenUrl: sandbox.token_url,
      },
    }),
  });
  handle = app;

  return {
    url,
    brokerUrl,
    sandboxUrl: sandbox.url,
    brokerApiKey: stack.apiKey,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await web.close();
      await stack.close();
      log?.end();
    },
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const web = process.env.DEMO_WEB === 'static' ? 'static' : 'dev';
  if (web === 'static' && !existsSync(join(here, 'dist', 'index.html'))) {
    process.stderr.write(
      'No static build yet: run pnpm --filter @nerm-connect/demo build first.\n',
    );
    process.exit(1);
  }
  let demo: Demo;
  try {
    demo = await startDemo({ log: true, progress: say, web });
  } catch (error) {
    process.stderr.write(`The demo could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  say(
    `  ready in ${((Date.now() - started) / 1000).toFixed(1)} s; service logs: demo/.data/services.log`,
  );
  say(`Demo: ${demo.url}`);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void demo.close().then(() => process.exit(0));
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
