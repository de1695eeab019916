import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../test/fuzz.ts';
import { listJson } from './list-json.ts';

// A users page is sent as listJson's bytes: exactly JSON.stringify's, built a few users
// at a time (docs/decisions/0105-users-pages-serialised-in-chunks.md).
const user = (i: number) => ({
  id: `u-${i}`,
  name: i % 3 ? 'Hương Nguyễn' : 'Zoë 😀 東京',
  emails: [{ email: `p${i}@example.com`, type: 'work', is_primary: true }],
  title: null,
  roles: [],
  remote_data: undefined,
});

describe('listJson', () => {
  it.each([0, 1, 31, 32, 33, 100, 500])('gives the bytes of JSON.stringify for %i users', (n) => {
    const page = {
      result: Array.from({ length: n }, (_, i) => user(i)),
      next_cursor: n ? 'abc.def' : null,
      prev_cursor: null,
      result_count: n,
    };
    expect(listJson(page).equals(Buffer.from(JSON.stringify(page)))).toBe(true);
  });

  it('gives the bytes of JSON.stringify for any page', () => {
    const page = fc.record({
      result: fc.array(fc.jsonValue({ maxDepth: 2, stringUnit: 'grapheme' }), { maxLength: 80 }),
      next_cursor: fc.option(fc.string()),
      prev_cursor: fc.option(fc.string()),
      result_count: fc.nat(),
    });
    fc.assert(
      fc.property(page, (p) => {
        expect(listJson(p).toString('utf8')).toBe(JSON.stringify(p));
      }),
      fuzz(200),
    );
  });
});
