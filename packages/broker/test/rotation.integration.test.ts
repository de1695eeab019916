import { fileURLToPath } from 'node:url';
import { startSandbox } from '@nerm-connect/nerm-sandbox';
import { finished, spawnNode } from '@nerm-connect/test-kit';
import { describe, expect, it } from 'vitest';
import { createBroker } from '../src/broker.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { encryptionKey, LogCapture, startStack } from './helpers.ts';

const cli = fileURLToPath(new URL('../src/cli/rotate-keys.ts', import.meta.url));

async function rotate(env: Record<string, string>, args: string[] = []) {
  const { code, stdout } = await finished(spawnNode(cli, { env, args, stderr: 'pipe' }));
  return { code: code ?? -1, out: stdout };
}

describe('encryption key rotation (pnpm --filter @nerm-connect/broker rotate-keys)', () => {
  it('re-seals every credential with the new key, resumably, so the old key can be retired', async () => {
    const oldKey = encryptionKey('old');
    const sandbox = await startSandbox({ persons: 50 });
    const stack = await startStack({ sandbox, env: { NERM_BROKER_ENCRYPTION_KEYS: oldKey } });
    const accounts = [];
    for (let i = 0; i < 3; i++)
      accounts.push(await stack.connectAccount(i % 2 ? 'pat' : 'api_key', 'tenant-rotate'));
    await stack.close();

    const newKey = encryptionKey('new');
    const env = { ...stack.env, NERM_BROKER_ENCRYPTION_KEYS: `${newKey},${oldKey}` };
    const partial = await rotate(env, ['--max', '1', '--batch', '1']);
    expect(partial.code).toBe(0);
    expect(JSON.parse(partial.out)).toMatchObject({ rotated: 1, complete: false });
    const rest = await rotate(env);
    expect(JSON.parse(rest.out)).toMatchObject({
      active_kid: 'new',
      rotated: 2,
      unreadable: [],
      complete: true,
    });
    const again = await rotate(env);
    expect(JSON.parse(again.out)).toMatchObject({ rotated: 0, complete: true });

    // The old key is gone; every account still works.
    const retired = await startStack({
      sandbox,
      env: { ...stack.env, NERM_BROKER_ENCRYPTION_KEYS: newKey },
    });
    try {
      for (const { token } of accounts) {
        expect(
          (await retired.call('/unified/user-directory/roles?limit=1', { token })).status,
        ).toBe(200);
      }
    } finally {
      await retired.close();
      await sandbox.close();
    }
  }, 60_000); // three child processes: slow on a loaded machine (each imports Kysely through tsx), never a timing check

  it('refuses to start in production when stored credentials use a key that is not configured', async () => {
    const stack = await startStack({ env: { NERM_BROKER_ENCRYPTION_KEYS: encryptionKey('gone') } });
    await stack.connectAccount('api_key');
    await stack.close();
    const config = await loadConfig({
      ...stack.env,
      NODE_ENV: 'production',
      NERM_BROKER_ENCRYPTION_KEYS: encryptionKey('other'),
    });
    await expect(
      createBroker(config, { logger: createLogger({ destination: new LogCapture() }) }),
    ).rejects.toThrow(/gone/);
  });
});
