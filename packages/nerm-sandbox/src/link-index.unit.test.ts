import { describe, expect, it } from 'vitest';
import { LinkIndex } from './link-index.ts';
import type { RoleProfile } from './types.ts';

let n = 0;
const link = (role_id: string, profile_id: string): RoleProfile => {
  n += 1;
  return { id: `l${n}`, uid: `u${n}`, role_id, profile_id };
};
const scan = (links: RoleProfile[], roleId: string | null, profileId: string | null) =>
  links.filter(
    (rp) => (!roleId || rp.role_id === roleId) && (!profileId || rp.profile_id === profileId),
  );

describe('LinkIndex', () => {
  const queries: [string | null, string | null][] = [
    [null, 'p1'],
    [null, 'p2'],
    ['r1', null],
    ['r2', null],
    ['r1', 'p1'],
    ['r2', 'p2'],
    ['r9', null],
    [null, 'p9'],
    [null, null],
  ];
  const same = (index: LinkIndex, links: RoleProfile[]) => {
    for (const [roleId, profileId] of queries) {
      expect(index.matching(links, roleId, profileId)).toEqual(scan(links, roleId, profileId));
    }
  };

  it('answers what a scan answers, in the array order', () => {
    const links = [link('r1', 'p1'), link('r2', 'p1'), link('r1', 'p2'), link('r2', 'p2')];
    links.push(link('r1', 'p1'));
    const index = new LinkIndex();
    same(index, links);
    expect(index.matching(links, null, 'p1').map((l) => l.role_id)).toEqual(['r1', 'r2', 'r1']);
  });

  it('follows pushes, splices (also a splice then a push: same length) and a replaced array', () => {
    let links = [link('r1', 'p1'), link('r2', 'p1'), link('r1', 'p2')];
    const index = new LinkIndex();
    same(index, links);
    links.push(link('r2', 'p2'));
    same(index, links);
    links.splice(0, 1);
    same(index, links);
    links.splice(1, 1);
    links.push(link('r1', 'p1'));
    expect(index.matching(links, null, 'p1')).toEqual(scan(links, null, 'p1'));
    same(index, links);
    links = links.filter((l) => l.role_id !== 'r1');
    same(index, links);
  });

  it('does not hand out its own lists (callers may change what they get)', () => {
    const links = [link('r1', 'p1')];
    const index = new LinkIndex();
    index.matching(links, null, 'p1').pop();
    expect(index.matching(links, null, 'p1')).toHaveLength(1);
  });
});
