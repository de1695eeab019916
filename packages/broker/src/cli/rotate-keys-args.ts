import { parseArgs } from 'node:util';
import { z } from 'zod';

/** Wrong command-line arguments; the command prints the message and exits 64 (EX_USAGE). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const ROTATE_KEYS_USAGE = 'usage: rotate-keys [--batch N] [--max N]';

const positive = z.coerce.number().int().min(1);

/** `rotate-keys [--batch N] [--max N]`: credentials per transaction, and at most this many in all. */
export function parseRotateKeysArgs(argv: string[]): { batchSize?: number; max?: number } {
  let values: { batch?: string | undefined; max?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { batch: { type: 'string' }, max: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const number = (flag: 'batch' | 'max'): number | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    const parsed = positive.safeParse(raw);
    if (!parsed.success) throw new UsageError(`--${flag} takes a positive whole number`);
    return parsed.data;
  };
  const batchSize = number('batch');
  const max = number('max');
  return { ...(batchSize ? { batchSize } : {}), ...(max ? { max } : {}) };
}
