/**
 * The NERM sandbox and the broker, started as child processes exactly as an operator
 * starts them (`pnpm sandbox`, then `pnpm broker` configured by its environment). The
 * demo, the bench and the end-to-end suites all start theirs here.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonLine, spawnNode, stop } from './process.ts';

/** The one JSON line `pnpm sandbox` prints (docs/api.md, the sandbox). */
export interface SandboxInfo {
  url: string;
  api_key: string;
  client_id: string;
  client_secret: string;
  token_url: string;
}

export interface SandboxOptions {
  /** 0 (the default): any free port. */
  port?: number;
  persons?: number;
  /** Fixed credentials (the demo keeps them across restarts); else the sandbox makes some. */
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
}

export interface StackOptions {
  sandbox?: SandboxOptions;
  broker?: {
    port?: number;
    /** The broker's API key; else a fresh one. */
    apiKey?: string;
    /**
     * More environment for the broker, on top of the defaults (development mode, loopback,
     * SQLite in `dataDir`, the sandbox as the only allowed host). A function gets the
     * sandbox first, for settings that name it. The broker says it is ready at log level
     * info: a NERM_BROKER_LOG_LEVEL above that is refused.
     */
    env?: Record<string, string> | ((sandbox: SandboxInfo) => Record<string, string>);
  };
  /** The broker's data folder (keys, SQLite); else a fresh temporary one. */
  dataDir?: string;
  /** Where both processes' output goes (else nowhere); errors always reach stderr. */
  log?: NodeJS.WritableStream;
  /** Told each step as it happens ("Starting the broker…"). */
  progress?: (line: string) => void;
}

export interface Stack {
  sandbox: SandboxInfo;
  brokerUrl: string;
  /** The API key the broker accepts from a SaaS backend. */
  apiKey: string;
  dataDir: string;
  /** The broker's and the sandbox's process ids (pnpm bench reads their CPU time in /proc). */
  pids: { broker: number; sandbox: number };
  /** Stops the broker, then the sandbox, and waits for both. */
  close(): Promise<void>;
}

/** Generous: two cold `tsx` starts on a loaded machine take tens of seconds. */
const READY_WITHIN_MS = 180_000;

/** `pnpm sandbox` alone, as a process: its ready line, and how to stop it. */
export async function startSandboxProcess(
  options: SandboxOptions = {},
  log?: NodeJS.WritableStream,
): Promise<{ sandbox: SandboxInfo; process: ChildProcess; close: () => Promise<void> }> {
  const child = spawnNode('packages/nerm-sandbox/src/cli.ts', {
    env: {
      NERM_SANDBOX_PORT: String(options.port ?? 0),
      NERM_SANDBOX_PERSONS: options.persons === undefined ? undefined : String(options.persons),
      NERM_SANDBOX_API_KEY: options.apiKey,
      NERM_SANDBOX_CLIENT_ID: options.clientId,
      NERM_SANDBOX_CLIENT_SECRET: options.clientSecret,
    },
  });
  try {
    const sandbox = await readJsonLine<SandboxInfo>(child, {
      name: 'The NERM sandbox',
      timeoutMs: READY_WITHIN_MS,
      match: (line) => typeof line.url === 'string',
      ...(log ? { log } : {}),
    });
    return { sandbox, process: child, close: async () => void (await stop(child)) };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

/** A broker process: where it listens, and how to stop (or kill) it. */
export interface BrokerProcess {
  url: string;
  process: ChildProcess;
  /** SIGTERM, then waits for the exit (a graceful stop). */
  close(): Promise<void>;
  /** Ends it with `signal` (SIGKILL: no cleanup at all) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `pnpm broker` as a process, configured only by `env` (on loopback, any free port unless
 * `NERM_BROKER_PORT` says otherwise), resolved once it logs that it listens. Its log
 * lines go to `log` when given. Tests that kill, stop or run several brokers start them here.
 */
export async function startBrokerProcess(options: {
  env: Record<string, string | undefined>;
  log?: NodeJS.WritableStream;
  /** How errors name it ("Replica 2"). */
  name?: string;
}): Promise<BrokerProcess> {
  if (
    options.env.NERM_BROKER_LOG_LEVEL &&
    !['trace', 'debug', 'info'].includes(options.env.NERM_BROKER_LOG_LEVEL)
  )
    throw new TypeError(
      'startBrokerProcess reads the broker\'s info-level "listening" line: keep NERM_BROKER_LOG_LEVEL at info or below',
    );
  const child = spawnNode('packages/broker/src/server.ts', {
    env: { NERM_BROKER_PORT: '0', NERM_BROKER_HOST: '127.0.0.1', ...options.env },
  });
  try {
    const { port } = await readJsonLine<{ port: number }>(child, {
      name: options.name ?? 'The broker',
      timeoutMs: READY_WITHIN_MS,
      match: (line) => String(line.msg).includes('broker listening'),
      ...(options.log ? { log: options.log } : {}),
    });
    const host = options.env.NERM_BROKER_HOST ?? '127.0.0.1';
    return {
      url: `http://${host}:${port}`,
      process: child,
      close: async () => void (await stop(child)),
      kill: async (signal = 'SIGKILL') => void (await stop(child, signal)),
    };
  } catch (error) {
    await stop(child, 'SIGKILL');
    throw error;
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const progress = options.progress ?? (() => {});
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'nerm-stack-'));
  const persons = options.sandbox?.persons;
  progress(
    `Starting the NERM sandbox${persons ? ` (${persons.toLocaleString('en')} people)` : ''}…`,
  );
  const { sandbox, process: sandboxProc } = await startSandboxProcess(options.sandbox, options.log);
  const children: ChildProcess[] = [sandboxProc];
  const stopAll = async () => {
    for (const child of [...children].reverse()) await stop(child);
  };
  try {
    progress(`  NERM sandbox ready at ${sandbox.url}`);
    progress('Starting the broker…');
    const apiKey = options.broker?.apiKey ?? `nbk_${randomBytes(18).toString('base64url')}`;
    const extra = options.broker?.env;
    const env = typeof extra === 'function' ? extra(sandbox) : extra;
    const broker = await startBrokerProcess({
      env: {
        NODE_ENV: 'development',
        NERM_BROKER_PORT: String(options.broker?.port ?? 0),
        NERM_BROKER_HOST: '127.0.0.1',
        NERM_BROKER_API_KEYS: apiKey,
        NERM_BROKER_DATA_DIR: dataDir,
        NERM_BROKER_DATABASE_URL: `sqlite:${join(dataDir, 'broker.db')}`,
        NERM_BROKER_ALLOWED_HOSTS: sandbox.url,
        ...env,
      },
      ...(options.log ? { log: options.log } : {}),
    });
    children.push(broker.process);
    const brokerUrl = broker.url;
    progress(`  broker ready at ${brokerUrl}`);
    const pids = { broker: broker.process.pid!, sandbox: sandboxProc.pid! };
    return { sandbox, brokerUrl, apiKey, dataDir, pids, close: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
