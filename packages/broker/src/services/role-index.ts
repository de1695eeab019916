import { randomBytes } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import { NERM_MAX_LIMIT, fetchPage, hasMore } from '../nerm/lists.ts';
import type { NermClient } from '../nerm/nerm-client.ts';
import { NermRoleProfile } from '../nerm/schemas.ts';
import type { Tenant } from '../nerm/tenant.ts';

/** NERM requests in flight at once for one index (docs/decisions/0011-role-index-per-walk.md). */
export const INDEX_CONCURRENCY = 16;
/** A snapshot this young may start a new walk; older ones serve only the walks that began on them. */
export const FRESH_MS = 60_000;
/** A snapshot no page has used for this long is dropped. */
const IDLE_MS = 10 * 60_000;
/** Snapshots kept per process (one of 142,000 links is about 15 MB). */
const MAX_SNAPSHOTS = 8;
/** People whose single reads a snapshot shares before its links are read (first pages' people). */
const MAX_PEOPLE = 1_000;

/** Role ids by profile id. */
export type Memberships = Map<string, string[]>;

export interface Snapshot {
  id: string;
  tenantKey: string;
  builtAt: number;
  lastUsed: number;
  links?: Promise<Memberships>;
  ready?: Memberships;
  /**
   * Single people's role ids, read before the links are (first pages), shared by every
   * page on this snapshot; dropped once the links are read.
   */
  people?: { limit: LimitFunction; reads: Map<string, Promise<string[]>> };
}

/**
 * Who holds which role, as one snapshot per walk: every page of a walk reads the same
 * snapshot (its id travels in the cursor), so a walk reads `role_profiles` once, never again
 * halfway. A snapshot is built lazily, `INDEX_CONCURRENCY` pages at a time.
 */
export class RoleIndexes {
  private readonly snapshots = new Map<string, Snapshot>();

  constructor(private readonly now: () => number) {}

  /** The snapshot a walk's page uses: the cursor's, else a fresh one of the tenant, else a new one. */
  forWalk(tenant: Tenant, id?: string): Snapshot {
    this.evict();
    const now = this.now();
    const known = id === undefined ? undefined : this.snapshots.get(id);
    const snapshot =
      (known?.tenantKey === tenant.cacheKey ? known : undefined) ??
      (id === undefined ? this.freshOf(tenant.cacheKey, now) : undefined) ??
      this.create(tenant.cacheKey, now);
    snapshot.lastUsed = now;
    return snapshot;
  }

  /**
   * A new snapshot, whatever exists, for a sync that must see the latest links. It is the
   * sync's alone and never enters the cache: it goes when the sync does (a tenant of
   * 100,000 people has about 25 MB of links; walks' snapshots are shared and kept).
   */
  fresh(tenant: Tenant): Snapshot {
    const now = this.now();
    const id = randomBytes(9).toString('base64url');
    return { id, tenantKey: tenant.cacheKey, builtAt: now, lastUsed: now };
  }

  /** The snapshot's links, read now if nobody asked for them yet. */
  links(tenant: Tenant, snapshot: Snapshot): Promise<Memberships> {
    snapshot.links ??= readMemberships(tenant.client).then(
      (links) => {
        delete snapshot.people;
        return (snapshot.ready = links);
      },
      (error: unknown) => {
        this.snapshots.delete(snapshot.id);
        throw error;
      },
    );
    return snapshot.links;
  }

  /**
   * One person's role ids on this snapshot: from its links once read, else from `read`
   * (one `role_profiles?profile_id=` query), made once however many first pages ask for
   * that person at the same time, `INDEX_CONCURRENCY` in flight per snapshot
   * (docs/decisions/0082-shared-first-page-roles.md). A failed read is not kept.
   */
  personRoles(
    snapshot: Snapshot,
    profileId: string,
    read: (profileId: string) => Promise<string[]>,
  ): Promise<string[]> {
    if (snapshot.ready) return Promise.resolve(snapshot.ready.get(profileId) ?? []);
    snapshot.people ??= { limit: pLimit(INDEX_CONCURRENCY), reads: new Map() };
    const { limit, reads } = snapshot.people;
    const known = reads.get(profileId);
    if (known) return known;
    const pending = limit(() => read(profileId));
    if (reads.size < MAX_PEOPLE) {
      reads.set(profileId, pending);
      pending.catch(() => {
        if (reads.get(profileId) === pending) reads.delete(profileId);
      });
    }
    return pending;
  }

  private freshOf(tenantKey: string, now: number): Snapshot | undefined {
    let best: Snapshot | undefined;
    for (const s of this.snapshots.values()) {
      if (
        s.tenantKey === tenantKey &&
        now - s.builtAt < FRESH_MS &&
        (!best || s.builtAt > best.builtAt)
      )
        best = s;
    }
    return best;
  }

  private create(tenantKey: string, now: number): Snapshot {
    const snapshot: Snapshot = {
      id: randomBytes(9).toString('base64url'),
      tenantKey,
      builtAt: now,
      lastUsed: now,
    };
    this.snapshots.set(snapshot.id, snapshot);
    return snapshot;
  }

  private evict(): void {
    const now = this.now();
    for (const [id, s] of this.snapshots) if (now - s.lastUsed > IDLE_MS) this.snapshots.delete(id);
    while (this.snapshots.size > MAX_SNAPSHOTS) {
      const oldest = [...this.snapshots.values()].sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!oldest) break;
      this.snapshots.delete(oldest.id);
    }
  }
}

/**
 * All of `role_profiles` as role ids by profile id. The first page tells the total; the
 * rest is read `INDEX_CONCURRENCY` pages at a time, then read on until an empty page in
 * case the list grew meanwhile. Without `_metadata.total`, page after page.
 */
async function readMemberships(client: NermClient): Promise<Memberships> {
  const index: Memberships = new Map();
  const add = (links: { role_id: string; profile_id: string }[]) => {
    for (const { role_id, profile_id } of links) {
      const list = index.get(profile_id);
      if (!list) index.set(profile_id, [role_id]);
      else if (!list.includes(role_id)) list.push(role_id);
    }
  };
  const page = (offset: number) =>
    fetchPage(
      client,
      'role_profiles',
      new URLSearchParams({ limit: String(NERM_MAX_LIMIT), offset: String(offset) }),
      NermRoleProfile,
    );
  const first = await page(0);
  add(first.items);
  let offset = first.items.length;
  if (first.total !== undefined && first.items.length > 0 && offset < first.total) {
    // A tenant capping `limit` lower than asked pages by what it sent.
    const step = first.items.length;
    const offsets: number[] = [];
    for (let o = offset; o < first.total; o += step) offsets.push(o);
    const limit = pLimit(INDEX_CONCURRENCY);
    const pages = await Promise.all(offsets.map((o) => limit(() => page(o))));
    for (const p of pages) add(p.items);
    offset = (offsets.at(-1) ?? offset) + (pages.at(-1)?.items.length ?? 0);
  }
  for (let more = hasMore(first, offset) && first.total === undefined; more;) {
    const next = await page(offset);
    add(next.items);
    offset += next.items.length;
    more = hasMore(next, offset);
  }
  return index;
}
