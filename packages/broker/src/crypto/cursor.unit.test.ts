import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { otherSpelling } from '../../test/fuzz.ts';
import { CursorCodec, scopeDigest } from './cursor.ts';

const keys = [{ kid: 'k1', key: randomBytes(32) }];
const scope = scopeDigest('users', { status: 'active' });

function code(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('CursorCodec', () => {
  it('round-trips an offset for its account and scope', () => {
    const codec = new CursorCodec(keys);
    expect(codec.decode(codec.encode('acct', scope, { o: 500 }), 'acct', scope)).toEqual({
      o: 500,
    });
  });

  it('refuses an altered payload, a forged MAC and garbage', () => {
    const codec = new CursorCodec(keys);
    const cursor = codec.encode('acct', scope, { o: 500 });
    const [payload, mac] = cursor.split('.') as [string, string];
    const altered = Buffer.from(JSON.stringify({ v: 1, a: 'acct', s: scope, o: 0 })).toString(
      'base64url',
    );
    expect(code(() => codec.decode(`${altered}.${mac}`, 'acct', scope))).toBe('invalid_cursor');
    expect(code(() => codec.decode(`${payload}.${mac.slice(0, -2)}AA`, 'acct', scope))).toBe(
      'invalid_cursor',
    );
    expect(code(() => codec.decode('not-a-cursor', 'acct', scope))).toBe('invalid_cursor');
    expect(
      code(() =>
        new CursorCodec([{ kid: 'k9', key: randomBytes(32) }]).decode(cursor, 'acct', scope),
      ),
    ).toBe('invalid_cursor');
  });

  it('refuses a cursor used for another account or other filters', () => {
    const codec = new CursorCodec(keys);
    const cursor = codec.encode('acct', scope, { o: 100 });
    expect(code(() => codec.decode(cursor, 'other', scope))).toBe('invalid_cursor');
    expect(
      code(() => codec.decode(cursor, 'acct', scopeDigest('users', { status: 'deleted' }))),
    ).toBe('invalid_cursor');
  });

  it('keeps accepting cursors across an encryption key rotation', () => {
    const before = new CursorCodec(keys);
    const after = new CursorCodec([{ kid: 'k2', key: randomBytes(32) }, ...keys]);
    expect(after.decode(before.encode('acct', scope, { o: 7 }), 'acct', scope)).toEqual({ o: 7 });
  });

  // Found by test/bit-flips.unit.test.ts (seed 20261306): a flip in the MAC's last
  // character's unused bits decoded to the same MAC and the cursor was accepted.
  it('refuses a MAC spelled another way that decodes to the same bytes', () => {
    const codec = new CursorCodec(keys);
    const cursor = codec.encode('acct', scope, { o: 593064 });
    const [payload, mac] = cursor.split('.') as [string, string];
    const respelled = otherSpelling(mac);
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    expect(code(() => codec.decode(`${payload}.${respelled}`, 'acct', scope))).toBe(
      'invalid_cursor',
    );
  });
});
