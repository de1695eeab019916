import { randomBytes, randomUUID } from 'node:crypto';
import { badRequest, validationFailed } from './errors.ts';
import type { ApiContext } from './context.ts';
import { ordered, parseBool } from './paging.ts';
import { ProfileInput, objectField, type FieldErrors } from './profile-input.ts';
import { ok, type ApiRequest, type ApiResponse, type Router } from './router.ts';
import { nermTimestamp } from './seed.ts';
import { PROFILE_STATUSES, type Profile, type ProfileStatus } from './types.ts';

const ORDER_FIELDS = ['id', 'uid', 'name', 'created_at', 'updated_at', 'status'];
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDateFilter(raw: string | null, name: string): number | undefined {
  if (raw === null || raw === '') return undefined;
  const m = DATE_ONLY.exec(raw);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(m[3])) {
    throw badRequest(`${name} must be a date in the format YYYY-MM-DD`);
  }
  return ms;
}

/**
 * A profile as NERM answers it. `archived` is not in the spec's profile; keyset mode,
 * which also returns archived profiles, marks them with it (docs/nerm-live-behaviour.md).
 */
export function renderProfile(
  profile: Profile,
  { attributes = true, archived = false } = {},
): Record<string, unknown> {
  const { archived: isArchived, attributes: values, ...rest } = profile;
  return {
    ...rest,
    ...(archived ? { archived: isArchived } : {}),
    ...(attributes ? { attributes: { ...values } } : {}),
  };
}

export function newUid(): string {
  return randomBytes(16).toString('hex');
}

/** `/api/profiles` and `/api/profile`: offset and keyset listing, single reads and writes. */
export class ProfilesApi {
  private readonly input: ProfileInput;

  constructor(private readonly ctx: ApiContext) {
    this.input = new ProfileInput(ctx);
  }

  register(router: Router): void {
    router.on('GET', '/api/profiles', (r) => this.list(r));
    router.on('POST', '/api/profile', (r) => this.create(r));
    router.on('GET', '/api/profiles/:id', (r) =>
      ok({ profile: renderProfile(this.find(r.params.id)) }),
    );
    router.on('PATCH', '/api/profiles/:id', (r) => this.update(r));
    router.on('DELETE', '/api/profiles/:id', (r) => this.remove(r));
  }

  /** A live profile by id or uid; archived ones are not found, as in live NERM. */
  find(id: string | undefined): Profile {
    const profile = id
      ? (this.ctx.profiles.get(id) ?? this.ctx.data.profiles.find((p) => p.uid === id))
      : undefined;
    if (!profile || profile.archived) throw this.ctx.notFound('Profile');
    return profile;
  }

  private list(req: ApiRequest): ApiResponse {
    const q = req.query;
    const typeId = q.get('profile_type_id');
    const status = q.get('status');
    const name = q.get('name');
    const updatedAfter = parseDateFilter(q.get('updated_after'), 'updated_after');
    const attributes = !parseBool(q.get('exclude_attributes'));
    if (status && !PROFILE_STATUSES.includes(status as ProfileStatus)) {
      throw badRequest(`status must be one of: ${PROFILE_STATUSES.join(', ')}`);
    }
    const afterId = q.get('after_id');
    if (afterId !== null) return this.listAfterId(q, afterId, typeId, updatedAfter, attributes);

    const items = this.ctx.data.profiles.filter(
      (p) =>
        !p.archived &&
        (!typeId || p.profile_type_id === typeId) &&
        (!status || p.status === status) &&
        (!name || p.name.toLowerCase() === name.toLowerCase()) &&
        (updatedAfter === undefined || Date.parse(p.updated_at) >= updatedAfter),
    );
    return this.ctx.list(
      'profiles',
      ordered(items, q.get('order'), ORDER_FIELDS),
      q,
      req.path,
      (p) => renderProfile(p, { attributes }),
    );
  }

  /**
   * Keyset mode: id order, archived profiles included, `offset` and most filters refused,
   * `_metadata.after_id` the id to continue after, null on the last page (tenants before
   * May 2025: the last id, then 400 "no profiles found" for the page after it).
   */
  private listAfterId(
    q: URLSearchParams,
    afterId: string,
    typeId: string | null,
    updatedAfter: number | undefined,
    attributes: boolean,
  ): ApiResponse {
    if (q.has('offset')) throw badRequest('offset cannot be used together with after_id');
    for (const key of ['status', 'name', 'order']) {
      if (q.has(key)) throw badRequest(`${key} cannot be used together with after_id`);
    }
    const { limit, metadata } = this.ctx.paging(q);
    const matches = (p: Profile) =>
      (!typeId || p.profile_type_id === typeId) &&
      (updatedAfter === undefined || Date.parse(p.updated_at) >= updatedAfter);
    const all = this.ctx.profilesById();
    // The first profile after `afterId`, by binary search; then the matching ones from there.
    let lo = 0;
    for (let hi = all.length; lo < hi;) {
      const mid = (lo + hi) >>> 1;
      if ((all[mid] as Profile).id <= afterId) lo = mid + 1;
      else hi = mid;
    }
    const rest: Profile[] = [];
    for (let i = lo; i < all.length && rest.length <= limit; i++) {
      const p = all[i] as Profile;
      if (matches(p)) rest.push(p);
    }
    const page = rest.slice(0, limit);
    const legacy = this.ctx.quirks.keysetEndAs400 === true;
    if (page.length === 0 && legacy) throw this.ctx.noneFound('profiles');
    const body: Record<string, unknown> = {
      profiles: page.map((p) => renderProfile(p, { attributes, archived: true })),
    };
    if (metadata) {
      const more = legacy ? page.length > 0 : rest.length > limit;
      const total = all.filter(matches).length;
      body._metadata = {
        limit,
        offset: all.slice(0, lo).filter(matches).length,
        total,
        next: null,
        previous: null,
        after_id: more ? (page.at(-1)?.id ?? null) : null,
      };
    }
    return ok(body);
  }

  private create(req: ApiRequest): ApiResponse {
    const input = objectField(req.body, 'profile');
    const errors: FieldErrors = {};
    const type = this.input.type(input.profile_type_id, errors, true);
    const status = this.input.status(input.status, errors, true);
    const attributes = this.input.attributes(input.attributes, errors);
    const name = this.input.name(input.name, type, attributes, errors);
    if (Object.keys(errors).length > 0 || !type || !status)
      throw validationFailed('Profile', errors);
    const stamp = nermTimestamp(this.ctx.now());
    const profile: Profile = {
      id: randomUUID(),
      uid: newUid(),
      name: name ?? '',
      profile_type_id: type.id,
      status,
      id_proofing_status: this.input.proofing(input.id_proofing_status) ?? 'pending',
      archived: input.archived === true,
      created_at: stamp,
      updated_at: stamp,
      attributes: attributes ?? {},
    };
    this.add(profile);
    return ok({ profile: renderProfile(profile) });
  }

  add(profile: Profile): void {
    this.ctx.data.profiles.push(profile);
    this.ctx.profiles.set(profile.id, profile);
    this.ctx.profilesChanged();
  }

  /** Applies what differs; a PATCH that changes nothing leaves `updated_at` alone (May 2025). */
  private update(req: ApiRequest): ApiResponse {
    const profile = this.find(req.params.id);
    const input = objectField(req.body, 'profile');
    const errors: FieldErrors = {};
    const type =
      'profile_type_id' in input ? this.input.type(input.profile_type_id, errors, true) : undefined;
    const status = 'status' in input ? this.input.status(input.status, errors, true) : undefined;
    const attributes = this.input.attributes(input.attributes, errors);
    const name = 'name' in input ? this.input.name(input.name, type, undefined, errors) : undefined;
    if (Object.keys(errors).length > 0) throw validationFailed('Profile', errors);

    const next: Profile = { ...profile, attributes: { ...profile.attributes, ...attributes } };
    if (type) next.profile_type_id = type.id;
    if (status) next.status = status;
    if (name) next.name = name;
    else if (attributes) {
      // The name follows the type's naming attributes when one of them changes.
      const type = this.ctx.types.get(next.profile_type_id);
      const derived = this.input.derivedName(type, next.attributes);
      if (derived !== this.input.derivedName(type, profile.attributes))
        next.name = derived ?? next.name;
    }
    next.id_proofing_status =
      this.input.proofing(input.id_proofing_status) ?? next.id_proofing_status;
    if (typeof input.archived === 'boolean') next.archived = input.archived;
    if (JSON.stringify(next) !== JSON.stringify(profile)) {
      Object.assign(profile, next, { updated_at: nermTimestamp(this.ctx.now()) });
    } else if (this.ctx.quirks.noChangeWithoutProfile) {
      return ok({ message: 'No Change' });
    }
    return ok({ profile: renderProfile(profile) });
  }

  private remove(req: ApiRequest): ApiResponse {
    const profile = this.find(req.params.id);
    const { data } = this.ctx;
    this.ctx.profiles.delete(profile.id);
    data.profiles.splice(data.profiles.indexOf(profile), 1);
    this.ctx.profilesChanged();
    data.roleProfiles = data.roleProfiles.filter((rp) => rp.profile_id !== profile.id);
    return { status: 204 };
  }
}
