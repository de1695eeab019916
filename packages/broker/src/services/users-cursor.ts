import { z } from 'zod';

/**
 * A users cursor: the id the page continues after (`k`), and the starts of the pages before
 * it, newest first (`h`), so prev_cursor can step back up to `HISTORY` pages. NERM's
 * keyset mode only runs forwards; a walk further back starts again from the first page
 * (docs/decisions/0010-keyset-users-walk.md). UUIDs travel as 22 base64url characters.
 */
export const HISTORY = 24;

const Packed = z.string().min(1).max(256);
export const UsersCursor = z.strictObject({
  k: Packed,
  h: z.array(Packed).max(HISTORY),
  /** The walk's role snapshot (docs/decisions/0011-role-index-per-walk.md). */
  x: z.string().max(32).optional(),
});
export type UsersCursor = z.infer<typeof UsersCursor>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A UUID as `~` + base64url of its 16 bytes; any other id as it is. */
export function packId(id: string): string {
  return UUID.test(id) ? `~${Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url')}` : id;
}

export function unpackId(packed: string): string {
  if (!packed.startsWith('~')) return packed;
  const hex = Buffer.from(packed.slice(1), 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The cursors around the page `cursor` pointed at, which read up to profile `last`. */
export function neighbours(
  cursor: UsersCursor,
  last: string,
  more: boolean,
): { next: UsersCursor | null; prev: UsersCursor | null } {
  const [previous, ...older] = cursor.h;
  const walk = cursor.x === undefined ? {} : { x: cursor.x };
  return {
    next: more ? { k: packId(last), h: [cursor.k, ...cursor.h].slice(0, HISTORY), ...walk } : null,
    prev: previous === undefined ? null : { k: previous, h: older, ...walk },
  };
}
