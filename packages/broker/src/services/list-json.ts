/**
 * A list page (`{result: [...], ...}`) as the bytes of JSON.stringify, built a few items
 * at a time. One JSON.stringify of a 500-user page is a string of 250,000 characters, two
 * bytes each as soon as one name is not Latin-1: a V8 large object (over 128 KB) mapped
 * afresh for every page, which cost more than serialising it
 * (docs/decisions/0105-users-pages-serialised-in-chunks.md). Each chunk's text stays an
 * ordinary string; only the bytes are joined.
 */

/** Items per chunk: 32 users with their raw profiles are about 40,000 characters. */
const ITEMS_PER_CHUNK = 32;

export function listJson(page: { result: readonly unknown[] }): Buffer {
  const { result, ...rest } = page;
  const parts = [Buffer.from('{"result":[')];
  for (let start = 0; start < result.length; start += ITEMS_PER_CHUNK) {
    // An array's text without its brackets: the items as JSON.stringify writes them in one.
    const items = JSON.stringify(result.slice(start, start + ITEMS_PER_CHUNK)).slice(1, -1);
    parts.push(Buffer.from(start === 0 ? items : `,${items}`));
  }
  const others = JSON.stringify(rest);
  parts.push(Buffer.from(others === '{}' ? ']}' : `],${others.slice(1)}`));
  return Buffer.concat(parts);
}
