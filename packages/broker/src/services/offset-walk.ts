import type { OffsetCursor } from '../crypto/cursor.ts';
import { NERM_MAX_LIMIT, hasMore, type NermPage } from '../nerm/lists.ts';
import { packId, unpackId } from './users-cursor.ts';

/**
 * Offset paging that stays exact while the list changes (docs/decisions/0013-anchored-offset-paging.md).
 *
 * NERM pages every list but profiles by offset alone. A record deleted before the walk's
 * position shifts the rest back (one is never seen), one added before it shifts them forward
 * (one comes twice). So a cursor carries the offset after its page and the ids of the page's
 * last records (anchors, newest first). The next page re-reads a window that starts a little
 * before that offset, finds the newest anchor still there, and continues right after it;
 * records it already returned (the anchors) are dropped. As long as NERM keeps the records
 * of a list in one order (its default order, or `order=` on a field that does not change),
 * every record present for the whole walk comes exactly once.
 */

/** Ids a cursor remembers: the walk still finds its place when up to 7 of them are deleted. */
export const ANCHORS = 8;
/** Records re-read before the offset on the first try: deletions it absorbs in one request. */
export const OVERLAP = 25;
/** The second, wider try starts this far back and reads NERM's largest page (500). */
export const WIDE_OVERLAP = 250;

/** Reads `limit` records of a list from `offset` (a NERM page; `total` when sent). */
export type WindowReader<T> = (offset: number, limit: number) => Promise<NermPage<T>>;

export interface AnchoredPage<T> {
  items: T[];
  /** Where this page began in the list as it was read (for prev_cursor). */
  start: number;
  /** Where the next page continues; null at the end. */
  next: OffsetCursor | null;
  /** False when no anchor was found again (all deleted, or moved further than a wide window). */
  anchored: boolean;
}

/**
 * One page of up to `limit` records from `at`. `idOf` names a record; records without an
 * id cannot anchor a walk, which then pages by plain offset (as a cursor without anchors,
 * such as prev_cursor, does).
 */
export async function anchoredPage<T>(
  read: WindowReader<T>,
  idOf: (item: T) => string | undefined,
  at: OffsetCursor,
  limit: number,
): Promise<AnchoredPage<T>> {
  const anchors = (at.t ?? []).map(unpackId);
  if (anchors.length === 0) {
    return pageFrom({ window: await read(at.o, limit), begin: at.o, asked: limit }, 0, limit, idOf);
  }

  const seen = new Set(anchors);
  let tried: Window<T> | undefined;
  // First a little before the offset; then one page of NERM's largest size around it.
  for (const wide of [false, true]) {
    const begin = Math.max(0, at.o - (wide ? WIDE_OVERLAP : OVERLAP));
    const asked = wide ? NERM_MAX_LIMIT : Math.min(NERM_MAX_LIMIT, at.o - begin + limit + OVERLAP);
    if (tried !== undefined && begin === tried.begin && asked === tried.asked) break;
    tried = { window: await read(begin, asked), begin, asked };
    const found = placeAfter(tried.window.items, anchors, idOf);
    if (found !== undefined) return pageFrom(tried, found, limit, idOf, seen);
  }
  // Every anchor is gone (or moved further than the wide window): continue at the plain
  // offset, still dropping the anchors themselves. A record may then be skipped or repeated.
  const last = tried as Window<T>;
  return { ...pageFrom(last, at.o - last.begin, limit, idOf, seen), anchored: false };
}

/** A window read: the page, where it began, and how many records were asked for. */
interface Window<T> {
  window: NermPage<T>;
  begin: number;
  asked: number;
}

/** Index right after the newest anchor found in `items`; undefined when none is there. */
function placeAfter<T>(
  items: readonly T[],
  anchors: readonly string[],
  idOf: (item: T) => string | undefined,
): number | undefined {
  const index = new Map<string, number>();
  items.forEach((item, i) => {
    const id = idOf(item);
    if (id !== undefined) index.set(id, i);
  });
  for (const anchor of anchors) {
    const i = index.get(anchor);
    if (i !== undefined) return i + 1;
  }
  return undefined;
}

/** The page after the first `skip` records of a window, and the cursor after it. */
function pageFrom<T>(
  { window, begin, asked }: Window<T>,
  skip: number,
  limit: number,
  idOf: (item: T) => string | undefined,
  seen: ReadonlySet<string> = new Set(),
): AnchoredPage<T> {
  const items: T[] = [];
  const first = Math.min(skip, window.items.length);
  let end = first;
  while (end < window.items.length && items.length < limit) {
    const item = window.items[end] as T;
    end++;
    const id = idOf(item);
    if (id === undefined || !seen.has(id)) items.push(item);
  }
  // Nothing after the place in a window shorter than asked: the end of the list, also for
  // a tenant that sends no total (re-reading the overlap, the window is never empty).
  const atEnd = end === first && window.items.length < asked;
  const more =
    end < window.items.length || (!atEnd && hasMore(window, begin + window.items.length));
  const ids = window.items
    .slice(0, end)
    .map(idOf)
    .filter((id): id is string => id !== undefined)
    .slice(-ANCHORS)
    .reverse();
  return {
    items,
    start: begin + first,
    next: more ? { o: begin + end, ...(ids.length > 0 ? { t: ids.map(packId) } : {}) } : null,
    anchored: true,
  };
}
