import { configOrExit } from './config-or-exit.ts';
import { parseRotateKeysArgs, ROTATE_KEYS_USAGE, UsageError } from './rotate-keys-args.ts';
import { Vault } from '../crypto/vault.ts';
import { rotateCredentials } from '../services/rotation.ts';
import { openStore } from '../store/open-store.ts';

/**
 * `pnpm --filter @nerm-connect/broker rotate-keys [--batch N] [--max N]`
 *
 * Re-encrypts every stored credential with the first key of NERM_BROKER_ENCRYPTION_KEYS.
 * Put the new key first and keep the old one after it, run this, then drop the old key.
 * Resumable: interrupt it and run it again. Exit code 0 when every credential is on the
 * active key, 2 when some are sealed with a key that is no longer configured.
 */
let options: ReturnType<typeof parseRotateKeysArgs>;
try {
  options = parseRotateKeysArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n${ROTATE_KEYS_USAGE}`);
  process.exit(64);
}

const config = await configOrExit();
const store = openStore(config.databaseUrl);
await store.migrate();
const vault = new Vault(config.encryptionKeys);
const report = await rotateCredentials(store, vault, {
  ...options,
  onBatch: (r) => process.stderr.write(`rotated ${r.rotated} so far\n`),
});
await store.close();
process.stdout.write(
  `${JSON.stringify({ active_kid: vault.activeKid, rotated: report.rotated, raced: report.raced, unreadable: report.unreadable, complete: report.done && report.unreadable.length === 0 })}\n`,
);
process.exit(report.unreadable.length > 0 ? 2 : 0);
