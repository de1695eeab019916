import type { RoleProfile } from './types.ts';

interface Built {
  length: number;
  last: RoleProfile | undefined;
  byProfile: Map<string, RoleProfile[]>;
  byRole: Map<string, RoleProfile[]>;
}

/**
 * `role_profiles` by profile id and by role id, as a live NERM's database indexes them, so a
 * single person's read costs the sandbox a lookup rather than a scan of every link (a
 * 100,000-person tenant has 142,000): its own CPU must not distort the bench's latency
 * figures (docs/operations.md). Answers exactly what filtering the array would, in its order.
 *
 * The links array is changed in place (push, splice) or replaced (filter) by several
 * modules; the index is rebuilt when the array, its length or its last link changed. A
 * splice followed by a push keeps the length but changes the last link (pushes append).
 */
export class LinkIndex {
  private readonly built = new WeakMap<RoleProfile[], Built>();

  matching(links: RoleProfile[], roleId: string | null, profileId: string | null): RoleProfile[] {
    if (!roleId && !profileId) return links;
    const index = this.of(links);
    const byProfile = profileId ? (index.byProfile.get(profileId) ?? []) : undefined;
    const byRole = roleId ? (index.byRole.get(roleId) ?? []) : undefined;
    if (byProfile && byRole) {
      return byProfile.length <= byRole.length
        ? byProfile.filter((rp) => rp.role_id === roleId)
        : byRole.filter((rp) => rp.profile_id === profileId);
    }
    return [...(byProfile ?? byRole ?? [])];
  }

  /** Builds the index of `links` now rather than at the first query. */
  prepare(links: RoleProfile[]): void {
    this.of(links);
  }

  private of(links: RoleProfile[]): Built {
    const known = this.built.get(links);
    if (known && known.length === links.length && known.last === links.at(-1)) return known;
    const byProfile = new Map<string, RoleProfile[]>();
    const byRole = new Map<string, RoleProfile[]>();
    for (const link of links) {
      append(byProfile, link.profile_id, link);
      append(byRole, link.role_id, link);
    }
    const made = { length: links.length, last: links.at(-1), byProfile, byRole };
    this.built.set(links, made);
    return made;
  }
}

function append(map: Map<string, RoleProfile[]>, key: string, link: RoleProfile): void {
  const list = map.get(key);
  if (list) list.push(link);
  else map.set(key, [link]);
}
