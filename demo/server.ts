/**
 * `pnpm demo`: the NERM sandbox, the broker and a SaaS settings page, in one command.
 *
 * The page's backend plays the SaaS vendor: it holds the broker API key and the
 * integrated_account_token server side, and reaches the broker only over HTTP through
 * the typed SDK, exactly as a customer's backend would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createAdmin, createClient, NermConnectError } from '@nerm-connect/shared/client';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');

export interface DemoOptions {
  port?: number;
  brokerPort?: number;
  sandboxPort?: number;
  dataDir?: string;
  /** Print the banner and child logs (the CLI does; tests do not). */
  quiet?: boolean;
}

export interface Demo {
  url: string;
  brokerUrl: string;
  sandboxUrl: string;
  close(): Promise<void>;
}

interface SandboxLine {
  url: string;
  api_key: string;
  client_id: string;
  client_secret: string;
  token_url: string;
}

const TENANT_ID = 'northwind-health';

/** Reads a child's stdout until a line satisfies `pick`. */
async function firstLine<T>(
  child: ChildProcess,
  pick: (line: string) => T | undefined,
  log?: NodeJS.WritableStream,
): Promise<T> {
  let buffer = '';
  child.stdout!.setEncoding('utf8');
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`child exited early with code ${code}`);
  });
  for (;;) {
    const chunk = await Promise.race([
      once(child.stdout!, 'data').then(([c]) => c as string),
      exited,
    ]);
    log?.write(chunk);
    buffer += chunk;
    for (const line of buffer.split('\n')) {
      const found = line.trim() ? pick(line) : undefined;
      if (found !== undefined) {
        if (log) child.stdout!.pipe(log);
        else child.stdout!.resume();
        return found;
      }
    }
  }
}

function node(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Sandbox credentials stay the same across restarts, so a connection made yesterday still works. */
function sandboxSecrets(dataDir: string): {
  apiKey: string;
  clientId: string;
  clientSecret: string;
} {
  const file = join(dataDir, 'sandbox-credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = {
    apiKey: `nerm_demo_${randomBytes(12).toString('hex')}`,
    clientId: `demo${randomBytes(8).toString('hex')}`,
    clientSecret: randomBytes(24).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const dataDir = options.dataDir ?? join(here, '.data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The page's server listens first: the broker must know the page's origin (CORS).
  const server: Server = createServer((req, res) => handle(req, res));
  server.listen(options.port ?? Number(process.env.DEMO_PORT ?? 3000), '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) =>
    send(res, 503, { error: 'starting' });
  const log = options.quiet
    ? undefined
    : createWriteStream(join(dataDir, 'services.log'), { flags: 'a' });

  // 1. The NERM sandbox: a tenant with 1,500 people, stable credentials.
  const secrets = sandboxSecrets(dataDir);
  const sandboxProc = node('packages/nerm-sandbox/src/cli.ts', {
    NERM_SANDBOX_PORT: String(options.sandboxPort ?? process.env.NERM_SANDBOX_PORT ?? 4010),
    NERM_SANDBOX_PERSONS: '1500',
    NERM_SANDBOX_API_KEY: secrets.apiKey,
    NERM_SANDBOX_CLIENT_ID: secrets.clientId,
    NERM_SANDBOX_CLIENT_SECRET: secrets.clientSecret,
  });
  const sandbox = await firstLine(
    sandboxProc,
    (line) => (line.startsWith('{') ? (JSON.parse(line) as SandboxLine) : undefined),
    log,
  );

  // 2. The broker, configured by its environment like any deployment.
  const apiKey = `nbk_demo_${randomBytes(18).toString('base64url')}`;
  const pageOrigins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
  const brokerProc = node('packages/broker/src/server.ts', {
    NODE_ENV: 'development',
    NERM_BROKER_PORT: String(options.brokerPort ?? process.env.NERM_BROKER_PORT ?? 8787),
    NERM_BROKER_HOST: '127.0.0.1',
    NERM_BROKER_API_KEYS: apiKey,
    NERM_BROKER_DATA_DIR: dataDir,
    NERM_BROKER_DATABASE_URL: `sqlite:${join(dataDir, 'broker.db')}`,
    NERM_BROKER_ALLOWED_HOSTS: `${sandbox.url},*.nonemployee.com,*.mynonemployee.com,*.seczetta.com,*.api.identitynow.com`,
    NERM_BROKER_ALLOWED_ORIGINS: pageOrigins.join(','),
  });
  const brokerPort = await firstLine(
    brokerProc,
    (line) => {
      if (!line.includes('broker listening')) return undefined;
      return (JSON.parse(line) as { port: number }).port;
    },
    log,
  );
  const brokerUrl = `http://127.0.0.1:${brokerPort}`;

  // 3. The SaaS backend and its page.
  const admin = createAdmin({ brokerUrl, apiKey });
  const sessionFile = join(dataDir, 'saas-session.json');
  let session: { accountId: string; token: string; expiresAt: string } | undefined = existsSync(
    sessionFile,
  )
    ? JSON.parse(readFileSync(sessionFile, 'utf8'))
    : undefined;
  const save = () => writeFileSync(sessionFile, JSON.stringify(session ?? null), { mode: 0o600 });

  /** The account token, minted again when it is about to expire. */
  const token = async (): Promise<string> => {
    if (!session) throw new NermConnectError('not_found', 'NERM is not connected', { status: 404 });
    if (Date.parse(session.expiresAt) - Date.now() < 60_000) {
      const fresh = await admin.accounts.createToken(session.accountId);
      session = { ...session, token: fresh.integrated_account_token, expiresAt: fresh.expires_at };
      save();
    }
    return session.token;
  };
  const nerm = createClient({ brokerUrl, getToken: token });

  const bundle = await build({
    entryPoints: [join(here, 'web', 'app.ts')],
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
    target: 'es2022',
    tsconfig: join(repo, 'packages', 'widget', 'tsconfig.json'),
  });
  const assets: Record<string, { type: string; body: string | Buffer }> = {
    '/': { type: 'text/html; charset=utf-8', body: readFileSync(join(here, 'web', 'index.html')) },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: bundle.outputFiles[0]!.text },
    '/styles.css': {
      type: 'text/css; charset=utf-8',
      body: readFileSync(join(here, 'web', 'styles.css')),
    },
  };
  const csp = `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${brokerUrl}; frame-ancestors 'none'`;

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /api/config') {
      return send(res, 200, {
        brokerUrl,
        tenantName: 'Northwind Health',
        demoTenant: {
          tenantUrl: sandbox.url,
          apiKey: sandbox.api_key,
          clientId: sandbox.client_id,
          clientSecret: sandbox.client_secret,
          tokenUrl: sandbox.token_url,
        },
      });
    }
    if (route === 'POST /api/link-token') {
      const body = await readJson(req);
      const reauth =
        body.reauth === true && session ? { integrated_account_id: session.accountId } : {};
      return send(res, 201, await admin.linkTokens.create({ tenant_id: TENANT_ID, ...reauth }));
    }
    if (route === 'GET /api/connection') {
      if (!session) return send(res, 200, { connected: false });
      return send(res, 200, {
        connected: true,
        account: await admin.accounts.get(session.accountId),
      });
    }
    if (route === 'POST /api/connection') {
      const { public_token } = await readJson(req);
      if (typeof public_token !== 'string')
        return send(res, 400, { error: 'public_token required' });
      const exchanged = await admin.tokens.exchange(public_token);
      session = {
        accountId: exchanged.integrated_account_id,
        token: exchanged.integrated_account_token,
        expiresAt: exchanged.expires_at,
      };
      save();
      return send(res, 200, {
        connected: true,
        account: await admin.accounts.get(session.accountId),
      });
    }
    if (route === 'DELETE /api/connection') {
      if (session) await admin.accounts.delete(session.accountId);
      session = undefined;
      save();
      return send(res, 200, { connected: false });
    }
    if (route === 'GET /api/directory') {
      const status = url.searchParams.get('status');
      const list = nerm.users.list({
        limit: 25,
        ...(status ? { status: status as 'active' | 'inactive' | 'deleted' } : {}),
      });
      return send(res, 200, await list.page(url.searchParams.get('cursor') ?? undefined));
    }
    if (route === 'GET /api/directory/summary') {
      // Streams every user once through the SDK's iterator: nothing held but the counts.
      const counts = { total: 0, active: 0, inactive: 0, deleted: 0, ending_soon: 0 };
      const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
      const today = new Date().toISOString().slice(0, 10);
      for await (const user of nerm.users.list({ limit: 500 })) {
        counts.total++;
        counts[user.status]++;
        if (
          user.status === 'active' &&
          user.end_date &&
          user.end_date <= soon &&
          user.end_date >= today
        )
          counts.ending_soon++;
      }
      return send(res, 200, counts);
    }
    const offboard = /^POST \/api\/directory\/([^/]+)\/offboard$/.exec(route);
    if (offboard) {
      return send(
        res,
        200,
        await nerm.users.update(decodeURIComponent(offboard[1]!), { status: 'deleted' }),
      );
    }
    send(res, 404, { error: 'not found' });
  }

  handle = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    if (url.pathname.startsWith('/api/')) {
      api(req, res, url).catch((error: unknown) => {
        if (error instanceof NermConnectError) {
          return send(res, error.status || 502, {
            error: { code: error.code, message: error.message, request_id: error.requestId },
          });
        }
        send(res, 500, { error: { code: 'internal', message: 'demo backend error' } });
      });
      return;
    }
    const asset = assets[url.pathname];
    if (!asset || (req.method !== 'GET' && req.method !== 'HEAD'))
      return send(res, 404, { error: 'not found' });
    res.writeHead(200, {
      'content-type': asset.type,
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(asset.body);
  };
  const url = `http://localhost:${port}`;

  const children = [brokerProc, sandboxProc];
  return {
    url,
    brokerUrl,
    sandboxUrl: sandbox.url,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      for (const child of children) {
        if (child.exitCode !== null) continue;
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      log?.end();
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const demo = await startDemo();
  console.log(`
  nerm-connect demo is running

    Settings page   ${demo.url}
    Broker          ${demo.brokerUrl}   (GET /openapi.json)
    NERM sandbox    ${demo.sandboxUrl}

  Open the page, click "Connect SailPoint NERM", and use the demo tenant
  credentials shown on the page. Logs: demo/.data/services.log. Ctrl+C stops everything.
`);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void demo.close().then(() => process.exit(0));
    });
  }
}
