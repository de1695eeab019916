/**
 * Child processes the way the repository's own scripts run them (`node --import tsx`),
 * and the one way to read what they print: line by line, until the line that says the
 * process is ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: scripts are named relative to it (`packages/broker/src/server.ts`). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface SpawnOptions {
  /** Added to this process's environment. */
  env?: Record<string, string | undefined>;
  args?: readonly string[];
  /** Where stderr goes: the terminal (default), or a pipe the caller reads. */
  stderr?: 'inherit' | 'pipe' | 'ignore';
  cwd?: string;
}

/** `node --import tsx <script>`; stdout is always a pipe. `script` may be repo-relative. */
export function spawnNode(script: string, options: SpawnOptions = {}): ChildProcess {
  const cwd = options.cwd ?? REPO_ROOT;
  return spawn(process.execPath, ['--import', 'tsx', script, ...(options.args ?? [])], {
    cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'],
  });
}

export interface ReadOptions {
  /** How errors name the process ("The NERM sandbox"). */
  name?: string;
  /** Everything the process prints goes here too, before and after the line is found. */
  log?: NodeJS.WritableStream;
  /** Gives up (and says so) when the line has not come by then; a guard, not a timing. */
  timeoutMs?: number;
}

/**
 * Reads the child's stdout line by line until `pick` returns something, and returns it.
 * Rejects, naming the process and its exit code, if the process ends first. Afterwards
 * the output keeps draining (into `log` when given), so the child never blocks on a full pipe.
 */
export function readLine<T>(
  child: ChildProcess,
  pick: (line: string) => T | undefined,
  options: ReadOptions = {},
): Promise<T> {
  const stdout = child.stdout;
  if (!stdout) throw new TypeError('readLine needs a child whose stdout is a pipe');
  const name = options.name ?? 'The process';
  return new Promise<T>((resolve, reject) => {
    let buffer = '';
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            done();
            reject(new Error(`${name} did not say it was ready within ${options.timeoutMs} ms`));
          }, options.timeoutMs);
    const done = () => {
      clearTimeout(timer);
      stdout.off('data', onData);
      child.off('close', onClose);
      if (options.log) stdout.pipe(options.log, { end: false });
      else stdout.resume();
    };
    const onData = (chunk: string) => {
      options.log?.write(chunk);
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        let found: T | undefined;
        try {
          found = pick(line);
        } catch (error) {
          done();
          return reject(error as Error);
        }
        if (found !== undefined) {
          done();
          return resolve(found);
        }
      }
    };
    // 'close', not 'exit': every line the process printed has been read by then.
    const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
      done();
      reject(
        new Error(
          `${name} stopped before it was ready (${signal ? `signal ${signal}` : `exit code ${code}`})`,
        ),
      );
    };
    stdout.setEncoding('utf8');
    stdout.on('data', onData);
    child.once('close', onClose);
  });
}

/** The first stdout line that is a JSON object (and that `match` accepts), parsed. */
export function readJsonLine<T = Record<string, unknown>>(
  child: ChildProcess,
  options: ReadOptions & { match?: (value: Record<string, unknown>) => boolean } = {},
): Promise<T> {
  return readLine(
    child,
    (line) => {
      if (!line.trimStart().startsWith('{')) return undefined;
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return undefined;
      }
      return !options.match || options.match(value) ? (value as T) : undefined;
    },
    options,
  );
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Waits for the child to end; what it printed on the pipes it has (stderr only if piped). */
export function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Asks the child to stop (SIGTERM by default) and waits until it has; its exit code. */
export async function stop(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const ended = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.kill(signal);
  return ended;
}
