import fc from 'fast-check';

/**
 * Property runs are seeded and bounded (docs/decisions/0095-property-tests-with-fast-check.md):
 * every run of the suite tries the same inputs, and a failure prints its seed and path
 * (fast-check's report) so `FUZZ_SEED=<seed>` replays it. `FUZZ_SEED` also explores.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_306);

export function fuzz(numRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns, verbose: fc.VerbosityLevel.Verbose };
}

/** Flips each bit of `positions` (bit i of byte i >> 3) in the token's bytes, read as latin1. */
export function flipBits(token: string, positions: readonly number[]): string {
  const bytes = Buffer.from(token, 'latin1');
  for (const bit of positions) bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (1 << (bit & 7));
  return bytes.toString('latin1');
}

/** 1–3 distinct bit positions inside a string of `length` characters. */
export const bitPositions = (length: number) =>
  fc.uniqueArray(fc.nat(length * 8 - 1), { minLength: 1, maxLength: 3 });

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The same bytes spelled another way: the last character of a base64url string whose
 * length is not a multiple of 4 carries unused low bits, which lenient decoders ignore.
 */
export function otherSpelling(encoded: string): string {
  const last = BASE64URL.indexOf(encoded.slice(-1));
  return `${encoded.slice(0, -1)}${BASE64URL[last ^ 1]}`;
}
