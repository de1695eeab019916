import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

const run = promisify(execFile);
/** The pnpm running this suite (CI starts it with npx, so it may not be on PATH). */
const PNPM = process.env.npm_execpath?.includes('pnpm')
  ? [process.execPath, process.env.npm_execpath]
  : ['pnpm'];
const pnpm = (args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) =>
  run(PNPM[0]!, [...PNPM.slice(1), ...args], options);
const ROOT = resolve(import.meta.dirname, '../../..');
const SHARED = join(ROOT, 'packages/shared');

/** The README's backend section, exactly as written there. */
function readmeBackend(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Call the API from your backend'));
  const block = /```ts\n(\/\/ backend\.ts\n[\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README: no backend.ts block under "Call the API from your backend"');
  return block;
}

/**
 * What a SaaS backend's job does with backend.ts: connect (the widget's step over HTTP),
 * sync, write back; then, when told, survive the broker's clock jumping past every
 * token's expiry, time out on a stalled tenant, and tell a bad token from a
 * disconnected account by code. Each step prints one JSON line.
 */
const HARNESS = `
import { createInterface } from 'node:readline';
import type { User } from '@nerm-connect/shared';
import { createClient, NermConnectError } from '@nerm-connect/shared/client';
import { disconnect, linkTokenFor, nermFor, offboard, onConnected, sync, tokenFor } from './backend.js';

const env = {
  NERM_BROKER_URL: process.env.NERM_BROKER_URL!,
  NERM_CONNECT_API_KEY: process.env.NERM_CONNECT_API_KEY!,
  TENANT_URL: process.env.TENANT_URL!,
  TENANT_KEY: process.env.TENANT_KEY!,
};
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (step: string, value: unknown) => console.log(JSON.stringify({ step, value }));
const codeOf = (error: unknown) => (error instanceof NermConnectError ? error.code : String(error));

const linkToken = await linkTokenFor('customer-e2e');
const connected = await fetch(env.NERM_BROKER_URL + '/link/connect', {
  method: 'POST',
  headers: { authorization: 'Bearer ' + linkToken, 'content-type': 'application/json' },
  body: JSON.stringify({ tenant_url: env.TENANT_URL, auth: { type: 'api_key', api_key: env.TENANT_KEY } }),
});
const accountId = await onConnected(((await connected.json()) as { public_token: string }).public_token);
const seen: User[] = [];
say('sync', await sync(accountId, async (user) => void seen.push(user)));
say('unique', new Set(seen.map((u) => u.id)).size);
say('offboard', await offboard(accountId, seen[0]!.id));
say('token', (await tokenFor(accountId)).split('.').length);

await lines.next(); // the broker's clock has moved past every token's expiry
say('afterExpiry', (await nermFor(accountId).roles.list({ limit: 5 }).firstPage()).result.length);

await lines.next(); // the tenant now stalls
const impatient = createClient({ brokerUrl: env.NERM_BROKER_URL, apiKey: env.NERM_CONNECT_API_KEY, integratedAccountId: accountId, timeoutMs: 300 });
say('stalled', await impatient.users.list({ limit: 5 }).firstPage().then(() => 'answered', codeOf));

await lines.next(); // the tenant answers again
const badToken = createClient({ brokerUrl: env.NERM_BROKER_URL, token: 'not-a-token' });
say('badToken', await badToken.users.get(seen[0]!.id).then(() => 'answered', codeOf));
await disconnect(accountId);
say('disconnected', await sync(accountId, async () => undefined).catch(codeOf));
process.exit(0);
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    outDir: 'dist',
    types: ['node'],
    skipLibCheck: false,
  },
  include: ['*.ts'],
};

let sandbox: Sandbox;
let stack: Stack;
let now = Date.now();

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 120 });
  stack = await startStack({ sandbox, overrides: { now: () => now } });
});
afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

describe('the packed SDK in a fresh project outside the workspace', () => {
  it('installs, compiles with strict TypeScript, and runs the README backend', async () => {
    const cleanEnv = { PATH: process.env.PATH!, HOME: process.env.HOME ?? tmpdir() };
    const packs = mkdtempSync(join(tmpdir(), 'nerm-connect-pack-'));
    await pnpm(['pack', '--pack-destination', packs], { cwd: SHARED, env: cleanEnv });
    const tarball = readdirSync(packs).find((f) => f.endsWith('.tgz'))!;
    const listing = await run('tar', ['-tzf', join(packs, tarball)]);
    const packed = listing.stdout.split('\n').filter(Boolean).sort();
    expect(packed).toEqual(expect.arrayContaining(['package/LICENSE', 'package/README.md']));
    expect(packed.filter((f) => !f.startsWith('package/dist/'))).toEqual([
      'package/LICENSE',
      'package/README.md',
      'package/package.json',
    ]);
    const manifest = JSON.parse(
      (await run('tar', ['-xzOf', join(packs, tarball), 'package/package.json'])).stdout,
    ) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      license: 'Apache-2.0',
      repository: {
        type: 'git',
        url: expect.stringMatching(/^git\+https:\/\//),
        directory: 'packages/shared',
      },
      homepage: expect.stringMatching(/^https:\/\//),
      bugs: { url: expect.stringMatching(/^https:\/\//) },
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    });

    const project = mkdtempSync(join(tmpdir(), 'nerm-connect-consumer-'));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'saas-backend',
        private: true,
        type: 'module',
        dependencies: { '@nerm-connect/shared': `file:${join(packs, tarball)}` },
        devDependencies: { typescript: '~5.9.3', '@types/node': '^20.19.0' },
      }),
    );
    await pnpm(['install', '--prefer-offline', '--ignore-scripts'], {
      cwd: project,
      env: cleanEnv,
    });
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    writeFileSync(join(project, 'backend.ts'), readmeBackend());
    writeFileSync(join(project, 'run.ts'), HARNESS);
    const tsc = await run(join(project, 'node_modules/.bin/tsc'), ['-p', '.'], {
      cwd: project,
    }).catch((e: { stdout: string }) => e);
    expect(tsc.stdout).toBe('');

    const child = spawn(process.execPath, [join(project, 'dist/run.js')], {
      cwd: project,
      env: {
        ...cleanEnv,
        NERM_BROKER_URL: stack.url,
        NERM_CONNECT_API_KEY: stack.apiKey,
        TENANT_URL: sandbox.url,
        TENANT_KEY: sandbox.credentials.apiKey,
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const steps: Record<string, unknown> = {};
    const next = (async function* () {
      for await (const line of createInterface({ input: child.stdout })) {
        const { step, value } = JSON.parse(line) as { step: string; value: unknown };
        steps[step] = value;
        yield step;
      }
    })();
    const until = async (step: string) => {
      for (let s = await next.next(); !s.done; s = await next.next()) if (s.value === step) return;
      throw new Error(`the backend ended before ${step}: ${JSON.stringify(steps)}`);
    };

    await until('token');
    const active = [...sandbox.data.profiles].length;
    expect(steps.sync).toMatch(/^synced \d+$/);
    expect(Number(String(steps.sync).split(' ')[1])).toBeGreaterThan(0);
    expect(Number(String(steps.sync).split(' ')[1])).toBeLessThanOrEqual(active);
    expect(steps.unique).toBe(Number(String(steps.sync).split(' ')[1]));
    expect(steps.offboard).toBe('inactive');
    expect(steps.token).toBe(3);

    now += 2 * 3_600_000;
    child.stdin.write('expired\n');
    await until('afterExpiry');
    expect(steps.afterExpiry).toBe(Math.min(5, sandbox.data.roles.length));

    sandbox.faults.set({ latencyMs: 5_000 });
    child.stdin.write('stall\n');
    await until('stalled');
    sandbox.faults.set({});
    expect(steps.stalled).toBe('timeout');

    child.stdin.write('resume\n');
    await until('disconnected');
    expect(steps.badToken).toBe('unauthorized');
    expect(steps.disconnected).toBe('account_disconnected');
  }, 240_000);
});
