import { randomUUID } from 'node:crypto';
import { validationFailed } from './errors.ts';
import type { ApiContext } from './context.ts';
import { LinkIndex } from './link-index.ts';
import { ordered, parseBool } from './paging.ts';
import { objectField, type FieldErrors } from './profile-input.ts';
import { newUid } from './profiles-api.ts';
import { ok, type ApiRequest, type ApiResponse, type Router } from './router.ts';
import type { ConsoleUser, ProfileType, Role } from './types.ts';

const ORDER_FIELDS = ['id', 'uid', 'name', 'created_at', 'updated_at', 'status'];

function renderRole(role: Role): Record<string, unknown> {
  return { id: role.id, uid: role.uid, name: role.name, groups: [...role.groups] };
}

/** Profile types, attributes, roles and their links to profiles and console users. */
export class DirectoryApi {
  private readonly links = new LinkIndex();

  constructor(private readonly ctx: ApiContext) {}

  /** Indexes the role links now, as a live tenant's database has them before any request. */
  prepare(): void {
    this.links.prepare(this.ctx.data.roleProfiles);
  }

  register(router: Router): void {
    const { ctx } = this;
    const byIdOrUid = <T extends { id: string; uid: string }>(
      items: () => readonly T[],
      objectName: string,
    ) => {
      return (id: string | undefined): T => {
        const found = items().find((item) => item.id === id || item.uid === id);
        if (!found) throw ctx.notFound(objectName);
        return found;
      };
    };
    const profileType = byIdOrUid(() => ctx.data.profileTypes, 'ProfileType');
    const attribute = byIdOrUid(() => ctx.data.neAttributes, 'NeAttribute');
    const role = byIdOrUid(() => ctx.data.roles, 'Role');
    const roleProfile = byIdOrUid(() => ctx.data.roleProfiles, 'RoleProfile');
    const user = byIdOrUid(() => ctx.data.users, 'User');
    const userRole = byIdOrUid(() => ctx.data.userRoles, 'UserRole');

    router.on('GET', '/api/profile_types', (r) => this.listProfileTypes(r));
    router.on('GET', '/api/profile_types/:id', (r) =>
      ok({ profile_type: profileType(r.params.id) }),
    );
    router.on('GET', '/api/ne_attributes', (r) => this.listAttributes(r));
    router.on('GET', '/api/ne_attributes/:id', (r) => ok({ ne_attribute: attribute(r.params.id) }));
    router.on('GET', '/api/roles', (r) => this.listRoles(r));
    router.on('POST', '/api/roles', (r) => this.createRoles(r));
    router.on('GET', '/api/roles/:id', (r) => ok({ role: renderRole(role(r.params.id)) }));
    router.on('GET', '/api/role_profiles', (r) => this.listRoleProfiles(r));
    router.on('GET', '/api/role_profiles/:id', (r) =>
      ok({ role_profile: roleProfile(r.params.id) }),
    );
    router.on('POST', '/api/role_profile', (r) => this.createRoleProfile(r));
    router.on('DELETE', '/api/role_profile/:id', (r) => {
      const link = roleProfile(r.params.id);
      ctx.data.roleProfiles.splice(ctx.data.roleProfiles.indexOf(link), 1);
      return ok({});
    });
    router.on('GET', '/api/users', (r) => this.listUsers(r));
    router.on('GET', '/api/users/:id', (r) => ok({ user: user(r.params.id) }));
    router.on('GET', '/api/user_roles', (r) => this.listUserRoles(r));
    router.on('GET', '/api/user_roles/:id', (r) => ok({ user_role: userRole(r.params.id) }));
  }

  private listProfileTypes(req: ApiRequest): ApiResponse {
    const q = req.query;
    const name = q.get('name');
    const archived = q.has('archived') ? parseBool(q.get('archived')) : undefined;
    const items = this.ctx.data.profileTypes.filter(
      (t) =>
        (!name || t.name.toLowerCase() === name.toLowerCase()) &&
        (archived === undefined || t.archived === archived),
    );
    const sorted = ordered(items, q.get('order'), ORDER_FIELDS);
    return this.ctx.list('profile_types', sorted, q, req.path, (t: ProfileType) => t);
  }

  private listAttributes(req: ApiRequest): ApiResponse {
    const q = req.query;
    const label = q.get('label');
    const dataType = q.get('data_type');
    const items = this.ctx.data.neAttributes.filter(
      (a) => (!label || a.label === label) && (!dataType || a.data_type === dataType),
    );
    return this.ctx.list('ne_attributes', items, q, req.path, (a) => a);
  }

  private listRoles(req: ApiRequest): ApiResponse {
    const q = req.query;
    const type = q.get('type');
    const items = this.ctx.data.roles.filter((r) => !type || r.type === type);
    return this.ctx.list(
      'roles',
      ordered(items, q.get('order'), ORDER_FIELDS),
      q,
      req.path,
      renderRole,
    );
  }

  /**
   * `POST /api/roles {"roles": [{name, uid?, type?, groups?}]}`: the spec's bulk create
   * (`requestBodies/POST/Roles.yaml`), answered with the roles made. New roles join the end
   * of the list's default order, as new records do.
   */
  private createRoles(req: ApiRequest): ApiResponse {
    const body = req.body as { roles?: unknown } | undefined;
    const inputs = Array.isArray(body?.roles) ? (body.roles as unknown[]) : undefined;
    if (!inputs || inputs.length === 0) {
      throw validationFailed('Role', { roles: ['must be a non-empty array'] });
    }
    const made: Role[] = [];
    for (const raw of inputs) {
      const input = (raw ?? {}) as Record<string, unknown>;
      const errors: FieldErrors = {};
      if (typeof input.name !== 'string' || input.name.trim() === '')
        errors.name = ["can't be blank"];
      const type = input.type ?? 'NeprofileRole';
      if (type !== 'NeprofileRole' && type !== 'NeaccessRole')
        errors.type = ['is not included in the list'];
      const groups = input.groups ?? [];
      if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string'))
        errors.groups = ['must be strings'];
      if (Object.keys(errors).length > 0) throw validationFailed('Role', errors);
      made.push({
        id: randomUUID(),
        uid: typeof input.uid === 'string' && input.uid !== '' ? input.uid : newUid(),
        name: input.name as string,
        groups: [...(groups as string[])],
        type: type as Role['type'],
      });
    }
    this.ctx.data.roles.push(...made);
    return ok({ roles: made.map(renderRole) });
  }

  private listRoleProfiles(req: ApiRequest): ApiResponse {
    const q = req.query;
    const roleId = q.get('role_id');
    const profileId = q.get('profile_id');
    const items = this.links.matching(this.ctx.data.roleProfiles, roleId, profileId);
    return this.ctx.list('role_profiles', items, q, req.path, (rp) => rp);
  }

  private createRoleProfile(req: ApiRequest): ApiResponse {
    const input = objectField(req.body, 'role_profile');
    const errors: FieldErrors = {};
    const role = this.ctx.data.roles.find((r) => r.id === input.role_id);
    const profile =
      typeof input.profile_id === 'string' ? this.ctx.profiles.get(input.profile_id) : undefined;
    if (!role) errors.role = ['must exist'];
    if (!profile) errors.profile = ['must exist'];
    if (!role || !profile) throw validationFailed('RoleProfile', errors);
    const link = { id: randomUUID(), uid: newUid(), role_id: role.id, profile_id: profile.id };
    this.ctx.data.roleProfiles.push(link);
    return ok({ role_profile: link });
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
    const items = this.ctx.data.users.filter((u) =>
      filters.every(([key, want]) => !want || u[key] === want),
    );
    const sorted = ordered(items, q.get('order'), [...ORDER_FIELDS, 'login', 'email']);
    return this.ctx.list('users', sorted, q, req.path, (u) => u);
  }

  private listUserRoles(req: ApiRequest): ApiResponse {
    const q = req.query;
    const userId = q.get('user_id');
    const roleId = q.get('role_id');
    const items = this.ctx.data.userRoles.filter(
      (ur) => (!userId || ur.user_id === userId) && (!roleId || ur.role_id === roleId),
    );
    return this.ctx.list('user_roles', items, q, req.path, (ur) => ur);
  }
}
