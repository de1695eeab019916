import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CursorCodec, scopeDigest } from '../crypto/cursor.ts';
import {
  HISTORY,
  UsersCursor,
  neighbours,
  packId,
  unpackId,
  type UsersCursor as Cursor,
} from './users-cursor.ts';

describe('users cursors', () => {
  it('packs UUIDs to 23 characters and unpacks them exactly; other ids pass as they are', () => {
    const id = randomUUID();
    expect(packId(id)).toHaveLength(23);
    expect(unpackId(packId(id))).toBe(id);
    expect(unpackId(packId('profile-uid_7'))).toBe('profile-uid_7');
  });

  it('steps back exactly HISTORY pages, then answers no prev_cursor', () => {
    const starts: Cursor[] = [];
    let cursor: Cursor = { k: packId(randomUUID()), h: [] };
    for (let page = 0; page < HISTORY + 6; page++) {
      starts.push(cursor);
      cursor = neighbours(cursor, randomUUID(), true).next!;
    }
    const back: string[] = [];
    for (let prev = neighbours(cursor, randomUUID(), true).prev; prev;) {
      back.push(prev.k);
      prev = neighbours(prev, randomUUID(), true).prev;
    }
    expect(back).toEqual(
      starts
        .slice(-HISTORY)
        .reverse()
        .map((c) => c.k),
    );
  });

  it('ends the walk with no next_cursor', () => {
    expect(neighbours({ k: packId(randomUUID()), h: [] }, randomUUID(), false).next).toBeNull();
  });

  it('travels signed, and an offset cursor is no users cursor', () => {
    const codec = new CursorCodec([{ kid: 'k1', key: randomBytes(32) }]);
    const scope = scopeDigest('users', {});
    const cursor: Cursor = { k: packId(randomUUID()), h: [packId(randomUUID())] };
    const encoded = codec.encode('acct', scope, cursor);
    expect(codec.decode(encoded, 'acct', scope, UsersCursor)).toEqual(cursor);
    const offset = codec.encode('acct', scope, { o: 5 });
    expect(() => codec.decode(offset, 'acct', scope, UsersCursor)).toThrow(
      expect.objectContaining({ code: 'invalid_cursor' }),
    );
    expect(() => codec.encode('acct', scope, { a: 'x' })).toThrow(TypeError);
  });

  it('stays well under the 2,048 characters a next_cursor may have', () => {
    let cursor: Cursor = { k: packId(randomUUID()), h: [] };
    for (let i = 0; i < HISTORY + 3; i++) cursor = neighbours(cursor, randomUUID(), true).next!;
    const codec = new CursorCodec([{ kid: 'k1', key: randomBytes(32) }]);
    expect(codec.encode(randomUUID(), scopeDigest('users', {}), cursor).length).toBeLessThan(1_400);
  });
});
