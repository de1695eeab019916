import { NermHttpError, badRequest } from './errors.ts';
import { pageOf, parsePaging, type Paging } from './paging.ts';
import type { Quirks } from './quirks.ts';
import type { NeAttribute, Profile, ProfileType, TenantData } from './types.ts';

/** What every resource's handlers share: the data, its indexes, the clock and the quirks. */
export class ApiContext {
  readonly profiles = new Map<string, Profile>();
  readonly types = new Map<string, ProfileType>();
  /** Attributes by uid, as profiles key their values. */
  readonly attributes = new Map<string, NeAttribute>();

  private sorted: { of: Profile[]; length: number; items: Profile[] } | undefined;

  constructor(
    readonly data: TenantData,
    readonly now: () => number,
    public quirks: Quirks,
  ) {
    for (const p of data.profiles) this.profiles.set(p.id, p);
    for (const t of data.profileTypes) this.types.set(t.id, t);
    for (const a of data.neAttributes) this.attributes.set(a.uid, a);
  }

  /**
   * Every profile in id order, for keyset mode. Rebuilt when profiles are added or removed
   * (also by a test writing to `data.profiles` directly), not on every request.
   */
  profilesById(): Profile[] {
    const { profiles } = this.data;
    if (this.sorted?.of !== profiles || this.sorted.length !== profiles.length) {
      const items = [...profiles].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.sorted = { of: profiles, length: profiles.length, items };
    }
    return this.sorted.items;
  }

  /** Profiles were added or removed: the id order must be rebuilt. */
  profilesChanged(): void {
    this.sorted = undefined;
  }

  paging(query: URLSearchParams): Paging {
    if (this.quirks.rejectZeroOffset && query.get('offset') === '0') {
      throw badRequest('offset must be greater than or equal to 1');
    }
    const paging = parsePaging(query);
    return {
      limit: Math.min(paging.limit, this.quirks.maxLimit ?? paging.limit),
      offset: paging.offset,
      metadata: paging.metadata && !this.quirks.noMetadata,
    };
  }

  /**
   * One page of a list. Live NERM answers a page with nothing on it (no match, or an
   * offset past the end) with `400 {"error": "no profiles found"}`.
   */
  list<T>(
    key: string,
    items: readonly T[],
    query: URLSearchParams,
    path: string,
    render: (item: T) => unknown,
  ): { status: number; body: unknown } {
    const paging = this.paging(query);
    if (paging.offset >= items.length && !this.quirks.emptyListAs200) throw this.noneFound(key);
    return { status: 200, body: pageOf(key, items, paging, path, query, render) };
  }

  noneFound(key: string): NermHttpError {
    return badRequest(`no ${key.replace(/_/g, ' ')} found`);
  }

  /** An unknown (or archived) id: live NERM's 400, or the spec's 404 as a quirk. */
  notFound(objectName: string): NermHttpError {
    if (this.quirks.notFoundAs404) {
      return new NermHttpError(404, { error: `The requested ${objectName} was not found` });
    }
    return badRequest(`${objectName.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase()} not found`);
  }
}
