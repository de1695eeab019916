import { describe, expect, it } from 'vitest';
import type { OffsetCursor } from '../crypto/cursor.ts';
import type { NermPage } from '../nerm/lists.ts';
import { ANCHORS, OVERLAP, anchoredPage, type AnchoredPage } from './offset-walk.ts';

/** A list in a stable order, read by offset as NERM reads it (live NERM: no page past the end). */
class List {
  reads = 0;
  private next = 0;
  readonly items: { id: string }[] = [];

  constructor(
    size: number,
    private readonly options: { total?: boolean; cap?: number } = {},
  ) {
    for (let i = 0; i < size; i++) this.items.push(this.make());
  }

  make(): { id: string } {
    return { id: `r${String(this.next++).padStart(6, '0')}` };
  }

  read = async (offset: number, limit: number): Promise<NermPage<{ id: string }>> => {
    this.reads++;
    const items = this.items.slice(offset, offset + Math.min(limit, this.options.cap ?? limit));
    return { items, total: this.options.total === false ? undefined : this.items.length };
  };

  insertAt(index: number): string {
    const item = this.make();
    this.items.splice(index, 0, item);
    return item.id;
  }

  removeAt(index: number): string {
    return this.items.splice(index, 1)[0]!.id;
  }
}

/** A small seeded generator, so every run is the same walk. */
function rng(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % below;
  };
}

const idOf = (item: { id: string }) => item.id;

async function walk(
  list: List,
  limit: number,
  between: (page: AnchoredPage<{ id: string }>) => void = () => undefined,
): Promise<{ ids: string[]; pages: AnchoredPage<{ id: string }>[] }> {
  const ids: string[] = [];
  const pages: AnchoredPage<{ id: string }>[] = [];
  let at: OffsetCursor | null = { o: 0 };
  while (at) {
    const page: AnchoredPage<{ id: string }> = await anchoredPage(list.read, idOf, at, limit);
    ids.push(...page.items.map(idOf));
    pages.push(page);
    at = page.next;
    between(page);
    if (pages.length > 10_000) throw new Error('the walk never ended');
  }
  return { ids, pages };
}

describe('anchoredPage', () => {
  it.each([
    ['with _metadata.total', { total: true }],
    ['without a total', { total: false }],
    ['without a total, the tenant capping pages at 100', { total: false, cap: 100 }],
  ])(
    'returns each record present throughout exactly once under random inserts and deletes (%s)',
    async (_name, options) => {
      for (let seed = 1; seed <= 60; seed++) {
        const random = rng(seed);
        const list = new List(300 + random(300), options);
        const before = list.items.map(idOf);
        const removed = new Set<string>();
        const added = new Set<string>();
        const { ids } = await walk(list, 1 + random(120), () => {
          // Up to 12 deletions and 12 inserts anywhere, not all of one page's last records.
          for (let n = random(13); n > 0 && list.items.length > 0; n--) {
            removed.add(list.removeAt(random(list.items.length)));
          }
          for (let n = random(13); n > 0; n--)
            added.add(list.insertAt(random(list.items.length + 1)));
        });
        expect(new Set(ids).size, `seed ${seed}: no record twice`).toBe(ids.length);
        const seen = new Set(ids);
        expect(
          before.filter((id) => !removed.has(id) && !seen.has(id)),
          `seed ${seed}: records present throughout, never returned`,
        ).toEqual([]);
        expect(ids.every((id) => before.includes(id) || added.has(id))).toBe(true);
      }
    },
  );

  it('reads once per page while nothing changes, and carries the last ids, newest first', async () => {
    const list = new List(95);
    const { ids, pages } = await walk(list, 10);
    expect(ids).toEqual(list.items.map(idOf));
    expect(list.reads).toBe(pages.length);
    expect(pages[0]!.next).toEqual({
      o: 10,
      t: list.items
        .slice(10 - ANCHORS, 10)
        .map(idOf)
        .reverse(),
    });
    expect(pages.at(-1)!.next).toBeNull();
  });

  it('reads a wider window, once, when more records went before its place than the first re-read covers', async () => {
    const list = new List(400);
    const first = await anchoredPage(list.read, idOf, { o: 0 }, 100);
    const second = await anchoredPage(list.read, idOf, first.next!, 100);
    list.items.splice(10, OVERLAP + 40); // 65 records before the place
    list.reads = 0;
    const third = await anchoredPage(list.read, idOf, second.next!, 100);
    expect(list.reads).toBe(2);
    expect(third.anchored).toBe(true);
    expect(third.items[0]!.id).toBe('r000200');
  });

  it('finds its place after more inserts before it than a page holds, in the wider window', async () => {
    const list = new List(300);
    const first = await anchoredPage(list.read, idOf, { o: 0 }, 10);
    const second = await anchoredPage(list.read, idOf, first.next!, 10);
    for (let i = 0; i < 120; i++) list.insertAt(5);
    list.reads = 0;
    const third = await anchoredPage(list.read, idOf, second.next!, 10);
    expect(list.reads).toBe(2);
    expect(third.items.map(idOf)).toEqual(list.items.slice(140, 150).map(idOf));
    expect(third.items[0]!.id).toBe('r000020');
  });

  it('continues at the plain offset when every anchor is gone, never returning an anchor again', async () => {
    const list = new List(100);
    const first = await anchoredPage(list.read, idOf, { o: 0 }, 20);
    // The page's last eight records are deleted.
    const anchors = list.items.splice(12, ANCHORS).map(idOf);
    const second = await anchoredPage(list.read, idOf, first.next!, 20);
    expect(second.anchored).toBe(false);
    expect(second.items.map(idOf)).not.toEqual(expect.arrayContaining([anchors[0]]));
    // The plain offset (20) now points 8 records further on: what it skips is the documented loss.
    expect(second.items[0]!.id).toBe('r000028');
  });

  it('pages records without ids by plain offset', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ n: i }));
    const read = async (offset: number, limit: number) => ({
      items: rows.slice(offset, offset + limit),
      total: rows.length,
    });
    const first = await anchoredPage(read, () => undefined, { o: 0 }, 20);
    expect(first.next).toEqual({ o: 20 });
    const second = await anchoredPage(read, () => undefined, first.next!, 20);
    expect(second.items.map((r) => r.n)).toEqual([...Array(10).keys()].map((i) => i + 20));
    expect(second.next).toBeNull();
  });

  it('ends a walk whose last records were deleted (live NERM answers past the end with no page)', async () => {
    const list = new List(50, { total: false });
    const first = await anchoredPage(list.read, idOf, { o: 0 }, 40);
    list.items.splice(30);
    const second = await anchoredPage(list.read, idOf, first.next!, 40);
    expect(second.items).toEqual([]);
    expect(second.next).toBeNull();
  });
});
