/**
 * The two services behind the demo page, started as child processes exactly as an
 * operator would start them: the NERM sandbox (`pnpm sandbox`) and the broker
 * (`pnpm broker`, configured by its environment).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface SandboxInfo {
  url: string;
  api_key: string;
  client_id: string;
  client_secret: string;
  token_url: string;
}

export interface StackOptions {
  repo: string;
  dataDir: string;
  /** The demo page's own origin: the broker's CORS list and webhook receiver. */
  pageOrigins: readonly string[];
  webhookUrl: string;
  secrets: StableSecrets;
  sandboxPort: number;
  brokerPort: number;
  /** Where the children's output goes (the CLI: a log file; tests: nowhere). */
  log?: NodeJS.WritableStream;
  progress: (line: string) => void;
}

export interface Stack {
  sandbox: SandboxInfo;
  brokerUrl: string;
  apiKey: string;
  close(): Promise<void>;
}

/** Reads a child's stdout until a line satisfies `pick`. */
async function firstLine<T>(
  child: ChildProcess,
  name: string,
  pick: (line: string) => T | undefined,
  log?: NodeJS.WritableStream,
): Promise<T> {
  let buffer = '';
  child.stdout!.setEncoding('utf8');
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${name} stopped while starting (exit code ${code}); see its output above`);
  });
  for (;;) {
    const chunk = await Promise.race([
      once(child.stdout!, 'data').then(([c]) => c as string),
      exited,
    ]);
    log?.write(chunk);
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const found = line.trim() ? pick(line) : undefined;
      if (found !== undefined) {
        if (log) child.stdout!.pipe(log);
        else child.stdout!.resume();
        return found;
      }
    }
  }
}

function node(repo: string, script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** `preferred` when nothing listens there, else 0 (any free port). */
export async function portOrAny(preferred: number): Promise<number> {
  if (preferred === 0) return 0;
  const probe = createServer();
  try {
    probe.listen(preferred, '127.0.0.1');
    await once(probe, 'listening');
    return preferred;
  } catch {
    return 0;
  } finally {
    probe.close();
  }
}

/** Sandbox credentials and the webhook secret stay the same across restarts. */
export interface StableSecrets {
  apiKey: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
}

export function stableSecrets(dataDir: string): StableSecrets {
  const file = join(dataDir, 'sandbox-credentials.json');
  const saved = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)
    : {};
  const secrets = {
    apiKey: saved.apiKey ?? `nerm_demo_${randomBytes(12).toString('hex')}`,
    clientId: saved.clientId ?? `demo${randomBytes(8).toString('hex')}`,
    clientSecret: saved.clientSecret ?? randomBytes(24).toString('base64url'),
    webhookSecret: saved.webhookSecret ?? `whsec_${randomBytes(32).toString('base64')}`,
  };
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { repo, dataDir, log, progress, secrets } = options;
  const children: ChildProcess[] = [];
  try {
    progress('Starting the NERM sandbox (1,500 people)…');
    const sandboxProc = node(repo, 'packages/nerm-sandbox/src/cli.ts', {
      NERM_SANDBOX_PORT: String(await portOrAny(options.sandboxPort)),
      NERM_SANDBOX_PERSONS: '1500',
      NERM_SANDBOX_API_KEY: secrets.apiKey,
      NERM_SANDBOX_CLIENT_ID: secrets.clientId,
      NERM_SANDBOX_CLIENT_SECRET: secrets.clientSecret,
    });
    children.push(sandboxProc);
    const sandbox = await firstLine(
      sandboxProc,
      'The NERM sandbox',
      (line) => (line.startsWith('{') ? (JSON.parse(line) as SandboxInfo) : undefined),
      log,
    );
    progress(`  NERM sandbox ready at ${sandbox.url}`);

    progress('Starting the broker…');
    const apiKey = `nbk_demo_${randomBytes(18).toString('base64url')}`;
    const receiver = new URL(options.webhookUrl).origin;
    const brokerProc = node(repo, 'packages/broker/src/server.ts', {
      NODE_ENV: 'development',
      NERM_BROKER_PORT: String(await portOrAny(options.brokerPort)),
      NERM_BROKER_HOST: '127.0.0.1',
      NERM_BROKER_API_KEYS: apiKey,
      NERM_BROKER_DATA_DIR: dataDir,
      NERM_BROKER_DATABASE_URL: `sqlite:${join(dataDir, 'broker.db')}`,
      NERM_BROKER_ALLOWED_HOSTS: [
        sandbox.url,
        receiver,
        '*.nonemployee.com',
        '*.mynonemployee.com',
        '*.seczetta.com',
        '*.api.identitynow.com',
      ].join(','),
      NERM_BROKER_ALLOWED_ORIGINS: options.pageOrigins.join(','),
      NERM_BROKER_WEBHOOK_URL: options.webhookUrl,
      NERM_BROKER_WEBHOOK_SECRET: secrets.webhookSecret,
    });
    children.push(brokerProc);
    const brokerPort = await firstLine(
      brokerProc,
      'The broker',
      (line) =>
        line.includes('broker listening') ? (JSON.parse(line) as { port: number }).port : undefined,
      log,
    );
    const brokerUrl = `http://127.0.0.1:${brokerPort}`;
    progress(`  broker ready at ${brokerUrl}`);
    return {
      sandbox,
      brokerUrl,
      apiKey,
      close: async () => {
        for (const child of children.reverse()) await stop(child);
      },
    };
  } catch (error) {
    for (const child of children.reverse()) await stop(child);
    throw error;
  }
}
