import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CursorCodec, scopeDigest } from '../src/crypto/cursor.ts';
import { TokenService } from '../src/services/token-service.ts';
import { bitPositions, flipBits, fuzz } from './fuzz.ts';
import { signingKeyJson } from './helpers.ts';

// Issue 13, item 5: a cursor (HMAC) or an account token (JWT) with any 1–3 bits flipped
// is refused with its contract code, never accepted and never another error
// (docs/security.md, "What each test proves").

/** The error code a call rejects with, or 'accepted'. */
async function outcome(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? `not a contract error: ${String(error)}`;
  }
}

describe('cursors under bit flips', () => {
  const codec = new CursorCodec([{ kid: 'k1', key: randomBytes(32) }]);
  const scope = scopeDigest('users', { status: 'active' });
  const account = '5b1f0c1e-7d1a-4c5e-9a55-0f0e3c2b1a00';

  it('refuses every flipped cursor as invalid_cursor', async () => {
    const flippedCursors = fc
      .tuple(fc.nat(1_000_000), fc.boolean())
      .map(([o, back]) => codec.encode(account, scope, back ? { o, b: true } : { o }))
      .chain((cursor) => bitPositions(cursor.length).map((bits) => flipBits(cursor, bits)));
    await fc.assert(
      fc.asyncProperty(flippedCursors, async (flipped) => {
        expect(await outcome(() => codec.decode(flipped, account, scope))).toBe('invalid_cursor');
      }),
      fuzz(300),
    );
  });

  it('still accepts the cursor it issued (the property can pass only by refusing flips)', () => {
    const cursor = codec.encode(account, scope, { o: 42 });
    expect(codec.decode(cursor, account, scope)).toEqual({ o: 42 });
  });
});

describe.each(['EdDSA', 'ES256'] as const)('%s account tokens under bit flips', (alg) => {
  it('refuses every flipped token as unauthorized', async () => {
    const service = await TokenService.create({
      signingKeys: [await signingKeyJson('s1', alg)],
      issuer: 'nerm-connect-broker',
      ttlSeconds: 600,
    });
    const { token } = await service.issue({
      id: '5b1f0c1e-7d1a-4c5e-9a55-0f0e3c2b1a00',
      tenant_id: 'tenant-flips',
      token_generation: 3,
    });
    expect((await service.verify(token)).generation).toBe(3);
    await fc.assert(
      fc.asyncProperty(bitPositions(token.length), async (bits) => {
        expect(await outcome(() => service.verify(flipBits(token, bits)))).toBe('unauthorized');
      }),
      fuzz(300),
    );
  });
});
