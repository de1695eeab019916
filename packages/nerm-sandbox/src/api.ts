import { randomBytes, randomUUID } from 'node:crypto';
import { NermHttpError, badRequest, notFound, validationFailed } from './errors.ts';
import { ordered, pageOf, parseBool, parsePaging, type Paging } from './paging.ts';
import { nermTimestamp } from './seed.ts';
import {
  PROFILE_STATUSES,
  type ConsoleUser,
  type Profile,
  type ProfileStatus,
  type ProfileType,
  type Role,
  type TenantData,
  type WorkflowSession,
} from './types.ts';

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
}

type Handler = (req: ApiRequest) => ApiResponse;

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

const ORDER_FIELDS = ['id', 'uid', 'name', 'created_at', 'updated_at', 'status'];
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const NERM_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;

function ok(body: unknown, status = 200): ApiResponse {
  return { status, body };
}

function uid(): string {
  return randomBytes(16).toString('hex');
}

function objectField(body: unknown, key: string): Record<string, unknown> {
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`param is missing or the value is empty: ${key}`);
  }
  return value as Record<string, unknown>;
}

function parseDateFilter(raw: string | null, name: string): number | undefined {
  if (raw === null || raw === '') return undefined;
  const m = DATE_ONLY.exec(raw);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(m[3])) {
    throw badRequest(`${name} must be a date in the format YYYY-MM-DD`);
  }
  return ms;
}

function isValidNermDate(value: string): boolean {
  const m = NERM_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])));
  return d.getUTCMonth() === Number(m[1]) - 1 && d.getUTCDate() === Number(m[2]);
}

function renderProfile(profile: Profile, withAttributes = true): Record<string, unknown> {
  const { archived: _archived, attributes, ...rest } = profile;
  return withAttributes ? { ...rest, attributes: { ...attributes } } : rest;
}

function renderRole(role: Role): Record<string, unknown> {
  return { id: role.id, uid: role.uid, name: role.name, groups: [...role.groups] };
}

function renderSession(session: WorkflowSession): Record<string, unknown> {
  const { created_at: _c, updated_at: _u, ...rest } = session;
  return rest;
}

/**
 * The NERM v1 REST surface over one tenant's data. Shapes, wrapping, paging and error
 * bodies follow sailpoint-oss/api-specs `nerm/openapi.yaml`.
 */
/**
 * Spec-legal variations a real tenant may show; the broker must not depend on the
 * sandbox's particular choices.
 */
export interface Quirks {
  /** Ignore `metadata=true`: never send `_metadata`. */
  noMetadata?: boolean;
  /** Cap `limit` below NERM's 500. */
  maxLimit?: number;
  /** Refuse `offset=0`, reading the spec's `minimum: 1` literally (the docs count from 0). */
  rejectZeroOffset?: boolean;
}

export class NermApi {
  private readonly routes: Route[] = [];
  private readonly profiles = new Map<string, Profile>();
  private readonly types = new Map<string, ProfileType>();
  private readonly attributeUids = new Map<string, string>();

  constructor(
    readonly data: TenantData,
    private readonly now: () => number = Date.now,
    private readonly quirks: Quirks = {},
  ) {
    for (const p of data.profiles) this.profiles.set(p.id, p);
    for (const t of data.profileTypes) this.types.set(t.id, t);
    for (const a of data.neAttributes) this.attributeUids.set(a.uid, a.data_type);

    this.on('GET', '/api/profiles', (r) => this.listProfiles(r));
    this.on('POST', '/api/profile', (r) => this.createProfile(r));
    this.on('GET', '/api/profiles/:id', (r) =>
      ok({ profile: renderProfile(this.profile(r.params.id)) }),
    );
    this.on('PATCH', '/api/profiles/:id', (r) => this.updateProfile(r));
    this.on('DELETE', '/api/profiles/:id', (r) => this.deleteProfile(r));
    this.on('GET', '/api/profile_types', (r) => this.listProfileTypes(r));
    this.on('GET', '/api/profile_types/:id', (r) =>
      ok({ profile_type: this.profileType(r.params.id) }),
    );
    this.on('GET', '/api/ne_attributes', (r) => this.listAttributes(r));
    this.on('GET', '/api/ne_attributes/:id', (r) =>
      ok({ ne_attribute: this.attribute(r.params.id) }),
    );
    this.on('GET', '/api/roles', (r) => this.listRoles(r));
    this.on('GET', '/api/roles/:id', (r) => ok({ role: renderRole(this.role(r.params.id)) }));
    this.on('GET', '/api/role_profiles', (r) => this.listRoleProfiles(r));
    this.on('GET', '/api/role_profiles/:id', (r) =>
      ok({ role_profile: this.roleProfile(r.params.id) }),
    );
    this.on('POST', '/api/role_profile', (r) => this.createRoleProfile(r));
    this.on('DELETE', '/api/role_profile/:id', (r) => this.deleteRoleProfile(r));
    this.on('GET', '/api/users', (r) => this.listUsers(r));
    this.on('GET', '/api/users/:id', (r) => ok({ user: this.user(r.params.id) }));
    this.on('GET', '/api/user_roles', (r) => this.listUserRoles(r));
    this.on('GET', '/api/user_roles/:id', (r) => ok({ user_role: this.userRole(r.params.id) }));
    this.on('GET', '/api/workflow_sessions', (r) => this.listSessions(r));
    this.on('POST', '/api/workflow_sessions', (r) => this.createSession(r));
    this.on('GET', '/api/workflow_sessions/:id', (r) =>
      ok({ workflow_session: renderSession(this.session(r.params.id)) }),
    );
  }

  /** Finds the route for a request; `undefined` means 404, `null` means 405. */
  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | null | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route, params };
    }
    return pathMatched ? null : undefined;
  }

  private on(method: string, template: string, handler: Handler): void {
    const keys: string[] = [];
    const source = template.replace(/:(\w+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.routes.push({ method, template, pattern: new RegExp(`^${source}/?$`), keys, handler });
  }

  private paging(query: URLSearchParams): Paging {
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

  // ---- profiles -------------------------------------------------------------------

  private profile(id: string | undefined): Profile {
    const profile = id
      ? (this.profiles.get(id) ?? this.data.profiles.find((p) => p.uid === id))
      : undefined;
    if (!profile) throw notFound('Profile');
    return profile;
  }

  private listProfiles(req: ApiRequest): ApiResponse {
    const q = req.query;
    const typeId = q.get('profile_type_id');
    const status = q.get('status');
    const name = q.get('name');
    const updatedAfter = parseDateFilter(q.get('updated_after'), 'updated_after');
    const withAttributes = !parseBool(q.get('exclude_attributes'));
    if (status && !PROFILE_STATUSES.includes(status as ProfileStatus)) {
      throw badRequest(`status must be one of: ${PROFILE_STATUSES.join(', ')}`);
    }
    const afterId = q.get('after_id');
    if (afterId !== null)
      return this.listProfilesAfterId(req, afterId, typeId, updatedAfter, withAttributes);

    let items: readonly Profile[] = this.data.profiles.filter(
      (p) =>
        (!typeId || p.profile_type_id === typeId) &&
        (!status || p.status === status) &&
        (!name || p.name.toLowerCase() === name.toLowerCase()) &&
        (updatedAfter === undefined || Date.parse(p.updated_at) >= updatedAfter),
    );
    items = ordered(items, q.get('order'), ORDER_FIELDS);
    return ok(
      pageOf('profiles', items, this.paging(q), req.path, q, (p) =>
        renderProfile(p, withAttributes),
      ),
    );
  }

  /** Keyset mode: sorted by id, `offset` refused, `_metadata.after_id` = next id or null. */
  private listProfilesAfterId(
    req: ApiRequest,
    afterId: string,
    typeId: string | null,
    updatedAfter: number | undefined,
    withAttributes: boolean,
  ): ApiResponse {
    const q = req.query;
    if (q.has('offset')) throw badRequest('offset cannot be used together with after_id');
    for (const key of ['status', 'name', 'order']) {
      if (q.has(key)) throw badRequest(`${key} cannot be used together with after_id`);
    }
    const { limit, metadata } = this.paging(q);
    const sorted = this.data.profiles
      .filter(
        (p) =>
          (!typeId || p.profile_type_id === typeId) &&
          (updatedAfter === undefined || Date.parse(p.updated_at) >= updatedAfter),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const rest = afterId === '' ? sorted : sorted.filter((p) => p.id > afterId);
    const page = rest.slice(0, limit);
    const body: Record<string, unknown> = {
      profiles: page.map((p) => renderProfile(p, withAttributes)),
    };
    if (metadata) {
      body._metadata = {
        limit,
        offset: sorted.length - rest.length,
        total: sorted.length,
        next: null,
        previous: null,
        after_id: rest.length > limit ? (page.at(-1)?.id ?? null) : null,
      };
    }
    return ok(body);
  }

  private createProfile(req: ApiRequest): ApiResponse {
    const input = objectField(req.body, 'profile');
    const errors: Record<string, string[]> = {};
    const type = this.checkType(input.profile_type_id, errors, true);
    const status = this.checkStatus(input.status, errors, true);
    const attributes = this.checkAttributes(input.attributes, errors);
    const name = this.checkName(input.name, type, attributes, errors);
    if (Object.keys(errors).length > 0 || !type || !status)
      throw validationFailed('Profile', errors);
    const stamp = nermTimestamp(this.now());
    const profile: Profile = {
      id: randomUUID(),
      uid: uid(),
      name: name ?? '',
      profile_type_id: type.id,
      status,
      id_proofing_status: this.checkProofing(input.id_proofing_status) ?? 'pending',
      archived: input.archived === true,
      created_at: stamp,
      updated_at: stamp,
      attributes: attributes ?? {},
    };
    this.data.profiles.push(profile);
    this.profiles.set(profile.id, profile);
    return ok({ profile: renderProfile(profile) });
  }

  private updateProfile(req: ApiRequest): ApiResponse {
    const profile = this.profile(req.params.id);
    const input = objectField(req.body, 'profile');
    const errors: Record<string, string[]> = {};
    const type =
      'profile_type_id' in input ? this.checkType(input.profile_type_id, errors, true) : undefined;
    const status = 'status' in input ? this.checkStatus(input.status, errors, true) : undefined;
    const attributes = this.checkAttributes(input.attributes, errors);
    const name = 'name' in input ? this.checkName(input.name, type, undefined, errors) : undefined;
    if (Object.keys(errors).length > 0) throw validationFailed('Profile', errors);
    if (type) profile.profile_type_id = type.id;
    if (status) profile.status = status;
    if (attributes) Object.assign(profile.attributes, attributes);
    if (name) profile.name = name;
    else if (attributes) {
      const derived = this.derivedName(this.types.get(profile.profile_type_id), profile.attributes);
      if (derived) profile.name = derived;
    }
    const proofing = this.checkProofing(input.id_proofing_status);
    if (proofing) profile.id_proofing_status = proofing;
    if (typeof input.archived === 'boolean') profile.archived = input.archived;
    profile.updated_at = nermTimestamp(this.now());
    return ok({ profile: renderProfile(profile) });
  }

  private deleteProfile(req: ApiRequest): ApiResponse {
    const profile = this.profile(req.params.id);
    this.profiles.delete(profile.id);
    this.data.profiles.splice(this.data.profiles.indexOf(profile), 1);
    this.data.roleProfiles = this.data.roleProfiles.filter((rp) => rp.profile_id !== profile.id);
    return { status: 204 };
  }

  private checkType(
    value: unknown,
    errors: Record<string, string[]>,
    required: boolean,
  ): ProfileType | undefined {
    if (value === undefined || value === null || value === '') {
      if (required) errors.profile_type_id = ["can't be blank"];
      return undefined;
    }
    const type = typeof value === 'string' ? this.types.get(value) : undefined;
    if (!type) errors.profile_type_id = ['is invalid'];
    return type;
  }

  private checkStatus(
    value: unknown,
    errors: Record<string, string[]>,
    required: boolean,
  ): ProfileStatus | undefined {
    if (value === undefined || value === null || value === '') {
      if (required) errors.status = ["can't be blank"];
      return undefined;
    }
    if (!PROFILE_STATUSES.includes(value as ProfileStatus)) {
      errors.status = ['is not included in the list'];
      return undefined;
    }
    return value as ProfileStatus;
  }

  private checkProofing(value: unknown): Profile['id_proofing_status'] | undefined {
    return value === 'pending' || value === 'pass' || value === 'fail' ? value : undefined;
  }

  /** Attribute values are strings keyed by an existing attribute uid; dates are mm/dd/yyyy. */
  private checkAttributes(
    value: unknown,
    errors: Record<string, string[]>,
  ): Record<string, string> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      errors.attributes = ['must be an object'];
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [key, raw] of Object.entries(value)) {
      const dataType = this.attributeUids.get(key);
      if (dataType === undefined) {
        (errors[key] ??= []).push('is not a valid attribute');
      } else if (typeof raw !== 'string') {
        (errors[key] ??= []).push('must be a string');
      } else if (dataType === 'date' && raw !== '' && !isValidNermDate(raw)) {
        (errors[key] ??= []).push('is not a valid date (mm/dd/yyyy)');
      } else {
        out[key] = raw;
      }
    }
    return out;
  }

  private checkName(
    value: unknown,
    type: ProfileType | undefined,
    attributes: Record<string, string> | undefined,
    errors: Record<string, string[]>,
  ): string | undefined {
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (value !== undefined && value !== null && typeof value !== 'string') {
      errors.name = ['must be a string'];
      return undefined;
    }
    const derived = attributes ? this.derivedName(type, attributes) : undefined;
    if (!derived && type) errors.name = ["can't be blank"];
    return derived;
  }

  /** A profile's name comes from its type's naming attributes, in order. */
  private derivedName(
    type: ProfileType | undefined,
    attributes: Record<string, string>,
  ): string | undefined {
    if (!type) return undefined;
    const byId = new Map(this.data.neAttributes.map((a) => [a.id, a.uid]));
    const parts = [...type.profile_type_namings]
      .sort((a, b) => a.order - b.order)
      .map((n) => attributes[byId.get(n.ne_attribute_id) ?? ''])
      .filter((v): v is string => typeof v === 'string' && v.trim() !== '');
    return parts.length > 0 ? parts.join(' ') : undefined;
  }

  // ---- profile types, attributes --------------------------------------------------

  private profileType(id: string | undefined): ProfileType {
    const type = id
      ? (this.types.get(id) ?? this.data.profileTypes.find((t) => t.uid === id))
      : undefined;
    if (!type) throw notFound('ProfileType');
    return type;
  }

  private listProfileTypes(req: ApiRequest): ApiResponse {
    const q = req.query;
    const name = q.get('name');
    const archived = q.has('archived') ? parseBool(q.get('archived')) : undefined;
    const items = this.data.profileTypes.filter(
      (t) =>
        (!name || t.name.toLowerCase() === name.toLowerCase()) &&
        (archived === undefined || t.archived === archived),
    );
    return ok(
      pageOf(
        'profile_types',
        ordered(items, q.get('order'), ORDER_FIELDS),
        this.paging(q),
        req.path,
        q,
        (t) => t,
      ),
    );
  }

  private attribute(id: string | undefined) {
    const attr = this.data.neAttributes.find((a) => a.id === id || a.uid === id);
    if (!attr) throw notFound('NeAttribute');
    return attr;
  }

  private listAttributes(req: ApiRequest): ApiResponse {
    const q = req.query;
    const label = q.get('label');
    const dataType = q.get('data_type');
    const items = this.data.neAttributes.filter(
      (a) => (!label || a.label === label) && (!dataType || a.data_type === dataType),
    );
    return ok(pageOf('ne_attributes', items, this.paging(q), req.path, q, (a) => a));
  }

  // ---- roles and relationships ----------------------------------------------------

  private role(id: string | undefined): Role {
    const role = this.data.roles.find((r) => r.id === id || r.uid === id);
    if (!role) throw notFound('Role');
    return role;
  }

  private listRoles(req: ApiRequest): ApiResponse {
    const q = req.query;
    const type = q.get('type');
    const items = this.data.roles.filter((r) => !type || r.type === type);
    return ok(
      pageOf(
        'roles',
        ordered(items, q.get('order'), ORDER_FIELDS),
        this.paging(q),
        req.path,
        q,
        renderRole,
      ),
    );
  }

  private roleProfile(id: string | undefined) {
    const link = this.data.roleProfiles.find((rp) => rp.id === id || rp.uid === id);
    if (!link) throw notFound('RoleProfile');
    return link;
  }

  private listRoleProfiles(req: ApiRequest): ApiResponse {
    const q = req.query;
    const roleId = q.get('role_id');
    const profileId = q.get('profile_id');
    const items = this.data.roleProfiles.filter(
      (rp) => (!roleId || rp.role_id === roleId) && (!profileId || rp.profile_id === profileId),
    );
    return ok(pageOf('role_profiles', items, this.paging(q), req.path, q, (rp) => rp));
  }

  private createRoleProfile(req: ApiRequest): ApiResponse {
    const input = objectField(req.body, 'role_profile');
    const errors: Record<string, string[]> = {};
    const role = this.data.roles.find((r) => r.id === input.role_id);
    const profile =
      typeof input.profile_id === 'string' ? this.profiles.get(input.profile_id) : undefined;
    if (!role) errors.role = ['must exist'];
    if (!profile) errors.profile = ['must exist'];
    if (!role || !profile) throw validationFailed('RoleProfile', errors);
    const link = { id: randomUUID(), uid: uid(), role_id: role.id, profile_id: profile.id };
    this.data.roleProfiles.push(link);
    return ok({ role_profile: link });
  }

  private deleteRoleProfile(req: ApiRequest): ApiResponse {
    const link = this.roleProfile(req.params.id);
    this.data.roleProfiles.splice(this.data.roleProfiles.indexOf(link), 1);
    return ok({});
  }

  private user(id: string | undefined): ConsoleUser {
    const user = this.data.users.find((u) => u.id === id || u.uid === id);
    if (!user) throw notFound('User');
    return user;
  }

  private listUsers(req: ApiRequest): ApiResponse {
    const q = req.query;
    // The spec names the filter `user_status`; older clients send `status`.
    const status = q.get('user_status') ?? q.get('status');
    const filters: [keyof ConsoleUser, string | null][] = [
      ['type', q.get('type')],
      ['name', q.get('name')],
      ['login', q.get('login')],
      ['email', q.get('email')],
      ['title', q.get('title')],
      ['sailpoint_identity_id', q.get('sailpoint_identity_id')],
      ['status', status],
    ];
    const items = this.data.users.filter((u) =>
      filters.every(([key, want]) => !want || u[key] === want),
    );
    return ok(
      pageOf(
        'users',
        ordered(items, q.get('order'), [...ORDER_FIELDS, 'login', 'email']),
        this.paging(q),
        req.path,
        q,
        (u) => u,
      ),
    );
  }

  private userRole(id: string | undefined) {
    const link = this.data.userRoles.find((ur) => ur.id === id || ur.uid === id);
    if (!link) throw notFound('UserRole');
    return link;
  }

  private listUserRoles(req: ApiRequest): ApiResponse {
    const q = req.query;
    const userId = q.get('user_id');
    const roleId = q.get('role_id');
    const items = this.data.userRoles.filter(
      (ur) => (!userId || ur.user_id === userId) && (!roleId || ur.role_id === roleId),
    );
    return ok(pageOf('user_roles', items, this.paging(q), req.path, q, (ur) => ur));
  }

  // ---- workflow sessions ----------------------------------------------------------

  private session(id: string | undefined): WorkflowSession {
    const session = this.data.workflowSessions.find((s) => s.id === id || s.uid === id);
    if (!session) throw notFound('WorkflowSession');
    return session;
  }

  private listSessions(req: ApiRequest): ApiResponse {
    const q = req.query;
    // The filter spells statuses with spaces ("pending approval"); objects use snake_case.
    const status = q.get('status')?.replace(/ /g, '_') ?? null;
    const filters: [keyof WorkflowSession, string | null][] = [
      ['profile_id', q.get('profile_id')],
      ['workflow_id', q.get('workflow_id')],
      ['requester_id', q.get('requester_id')],
      ['uid', q.get('uid')],
      ['status', status],
    ];
    const items = this.data.workflowSessions.filter((s) =>
      filters.every(([key, want]) => !want || s[key] === want),
    );
    return ok(
      pageOf(
        'workflow_sessions',
        ordered(items, q.get('order'), ORDER_FIELDS),
        this.paging(q),
        req.path,
        q,
        renderSession,
      ),
    );
  }

  /** `POST /api/workflow_sessions?run=true` starts the workflow; update workflows apply their attributes. */
  private createSession(req: ApiRequest): ApiResponse {
    const input = objectField(req.body, 'workflow_session');
    const errors: Record<string, string[]> = {};
    const workflow = this.data.workflows.find(
      (w) => w.id === input.workflow_id || w.uid === input.workflow_id,
    );
    if (!input.workflow_id) errors.workflow_id = ["can't be blank"];
    else if (!workflow) errors.workflow = ['must exist'];
    if (!input.requester_id) errors.requester_id = ["can't be blank"];
    const requesterTypes = ['User', 'NeprofileUser', 'NeaccessUser', 'NeaccessRegistrant'];
    if (!input.requester_type) errors.requester_type = ["can't be blank"];
    else if (!requesterTypes.includes(String(input.requester_type)))
      errors.requester_type = ['is not included in the list'];
    else if (!this.data.users.some((u) => u.id === input.requester_id))
      errors.requester = ['must exist'];
    const profileId = typeof input.profile_id === 'string' ? input.profile_id : null;
    const profile = profileId ? this.profiles.get(profileId) : undefined;
    if (profileId && !profile) errors.profile = ['must exist'];
    if (workflow?.kind === 'update' && !profileId) errors.profile_id = ["can't be blank"];
    const attributes = this.checkAttributes(input.attributes, errors) ?? {};
    if (Object.keys(errors).length > 0 || !workflow)
      throw validationFailed('WorkflowSession', errors);

    const stamp = nermTimestamp(this.now());
    const session: WorkflowSession = {
      id: randomUUID(),
      uid: uid(),
      workflow_id: workflow.id,
      requester_id: String(input.requester_id),
      requester_type: String(input.requester_type),
      profile_id: profile?.id ?? null,
      profile_ids: Array.isArray(input.profile_ids) ? input.profile_ids.map(String) : [],
      status: 'new',
      attributes,
      created_at: stamp,
      updated_at: stamp,
    };
    if (parseBool(req.query.get('run')))
      this.run(session, workflow.kind, workflow.profile_type_id, profile);
    this.data.workflowSessions.push(session);
    return ok({ workflow_session: renderSession(session) });
  }

  private run(
    session: WorkflowSession,
    kind: 'create' | 'update',
    typeId: string,
    profile: Profile | undefined,
  ): void {
    const stamp = nermTimestamp(this.now());
    if (kind === 'update' && profile) {
      Object.assign(profile.attributes, session.attributes);
      profile.updated_at = stamp;
    } else if (kind === 'create') {
      const type = this.types.get(typeId);
      const created: Profile = {
        id: randomUUID(),
        uid: uid(),
        name: this.derivedName(type, session.attributes) ?? 'New Profile',
        profile_type_id: typeId,
        status: 'Active',
        id_proofing_status: 'pending',
        archived: false,
        created_at: stamp,
        updated_at: stamp,
        attributes: { ...session.attributes },
      };
      this.data.profiles.push(created);
      this.profiles.set(created.id, created);
      session.profile_id = created.id;
    }
    session.status = 'completed';
    session.updated_at = stamp;
  }

  /** Runs one request; NERM error bodies for thrown `NermHttpError`s. */
  handle(req: Omit<ApiRequest, 'params'>): ApiResponse & { route: string } {
    const found = this.match(req.method, req.path);
    if (found === undefined)
      return { status: 404, body: { error: 'Not Found' }, route: `${req.method} (unknown)` };
    if (found === null)
      return {
        status: 405,
        body: { error: 'Method Not Allowed' },
        route: `${req.method} ${req.path}`,
      };
    const route = `${found.route.method} ${found.route.template}`;
    try {
      return { ...found.route.handler({ ...req, params: found.params }), route };
    } catch (error) {
      if (error instanceof NermHttpError) return { status: error.status, body: error.body, route };
      throw error;
    }
  }
}
