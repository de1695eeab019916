import type { Vault } from '../crypto/vault.ts';
import type { Store } from '../store/store.ts';

export interface RotationReport {
  rotated: number;
  /** Sealed with a key id that is no longer configured: cannot be opened. */
  unreadable: string[];
  /** Changed by someone else between read and write; the next run picks them up. */
  raced: number;
  done: boolean;
}

/**
 * Re-seals every stored credential with the active encryption key, a batch at a time,
 * each row on its own (compare-and-swap on the key id). Stopping at any point is safe;
 * running it again continues where it stopped.
 */
export async function rotateCredentials(
  store: Store,
  vault: Vault,
  options: { batchSize?: number; max?: number; onBatch?: (report: RotationReport) => void } = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 100;
  const report: RotationReport = { rotated: 0, unreadable: [], raced: 0, done: false };
  let afterId = '';
  for (;;) {
    const rows = await store.listCredentialsNotSealedWith(vault.activeKid, afterId, batchSize);
    if (rows.length === 0) {
      report.done = true;
      return report;
    }
    for (const row of rows) {
      afterId = row.id;
      if (options.max !== undefined && report.rotated >= options.max) return report;
      if (!vault.has(row.credential_kid)) {
        report.unreadable.push(row.id);
        continue;
      }
      const plaintext = vault.open({ kid: row.credential_kid, blob: row.credential }, row.id);
      const sealed = vault.seal(plaintext, row.id);
      const swapped = await store.replaceCredential(row.id, row.credential_kid, {
        kid: sealed.kid,
        credential: sealed.blob,
      });
      if (swapped) report.rotated++;
      else report.raced++;
    }
    options.onBatch?.(report);
  }
}
