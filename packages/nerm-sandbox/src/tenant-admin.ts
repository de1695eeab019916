import type { NermApi } from './api.ts';
import { formatDate } from './dates.ts';
import type { Profile, ProfileStatus, Role } from './types.ts';

/** A NERM API call the admin made that NERM refused. */
export class TenantAdminError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`NERM answered ${status}: ${JSON.stringify(body)}`);
    this.name = 'TenantAdminError';
  }
}

export interface NewProfile {
  /** Profile type by name (`Contractor`) or id. */
  type: string;
  name?: string;
  status?: ProfileStatus;
  attributes?: Record<string, string>;
}

/**
 * What a tenant administrator does in the NERM console — hire, rename, terminate,
 * reactivate, archive, delete, grant and revoke roles, create and delete roles — for tests
 * and demos. Every action but deleting a role runs through the same API code as NERM's
 * REST calls, so it has their effects: profile edits move `updated_at`, role grants and
 * revocations do not (they are `role_profile` records), deleting a profile drops its role
 * links. The API has no role delete (`nerm/paths/roles_id.yaml`: GET and PATCH only), so
 * `deleteRole` acts on the data as the console would, its links going with it.
 */
export class TenantAdmin {
  constructor(private readonly api: NermApi) {}

  private call(method: string, path: string, body?: unknown): Record<string, unknown> {
    const res = this.api.handle({
      method,
      path: `/api/${path}`,
      query: new URLSearchParams(),
      body,
    });
    if (res.status < 200 || res.status > 299) throw new TenantAdminError(res.status, res.body);
    return (res.body ?? {}) as Record<string, unknown>;
  }

  private patch(id: string, profile: Record<string, unknown>): Profile {
    return this.call('PATCH', `profiles/${encodeURIComponent(id)}`, { profile }).profile as Profile;
  }

  hire(input: NewProfile): Profile {
    const type = this.api.data.profileTypes.find(
      (t) => t.name === input.type || t.id === input.type,
    );
    if (!type) throw new TypeError(`no profile type ${input.type}`);
    const created = this.call('POST', 'profile', {
      profile: {
        profile_type_id: type.id,
        status: input.status ?? 'Active',
        ...(input.name ? { name: input.name } : {}),
        attributes: input.attributes ?? {},
      },
    });
    return created.profile as Profile;
  }

  setStatus(id: string, status: ProfileStatus): Profile {
    return this.patch(id, { status });
  }

  terminate(id: string): Profile {
    return this.setStatus(id, 'Terminated');
  }

  reactivate(id: string): Profile {
    return this.setStatus(id, 'Active');
  }

  /**
   * The engagement ends on `day` (UTC milliseconds): the end date written in its
   * attribute's own format and the status set to Inactive, as a NERM admin (or the
   * tenant's end-date workflow) does.
   */
  endContract(id: string, day: number): Profile {
    const format =
      this.api.data.neAttributes.find((a) => a.uid === 'end_date')?.date_format ?? 'mm/dd/yyyy';
    return this.patch(id, {
      status: 'Inactive',
      attributes: { end_date: formatDate(day, format) },
    });
  }

  rename(id: string, name: string): Profile {
    return this.patch(id, { name });
  }

  /** Attribute values by uid; dates in the attribute's own format. */
  setAttributes(id: string, attributes: Record<string, string>): Profile {
    return this.patch(id, { attributes });
  }

  /** Archived profiles leave offset lists; keyset lists show them with `archived: true`. */
  archive(id: string): Profile {
    return this.patch(id, { archived: true });
  }

  remove(id: string): void {
    this.call('DELETE', `profiles/${encodeURIComponent(id)}`);
  }

  /** A new role (`POST /api/roles`), at the end of the roles list's default order. */
  createRole(name: string, groups: string[] = []): Role {
    const made = this.call('POST', 'roles', { roles: [{ name, groups }] }).roles as Role[];
    return made[0] as Role;
  }

  /** Deletes a role and its `role_profiles` links; later roles move up in offset lists. */
  deleteRole(id: string): void {
    const { data } = this.api;
    const index = data.roles.findIndex((r) => r.id === id);
    if (index < 0) throw new TenantAdminError(400, { error: 'role not found' });
    data.roles.splice(index, 1);
    data.roleProfiles = data.roleProfiles.filter((rp) => rp.role_id !== id);
  }

  grantRole(profileId: string, roleId: string): void {
    this.call('POST', 'role_profile', { role_profile: { role_id: roleId, profile_id: profileId } });
  }

  revokeRole(profileId: string, roleId: string): void {
    for (const link of this.api.data.roleProfiles.filter(
      (rp) => rp.profile_id === profileId && rp.role_id === roleId,
    )) {
      this.call('DELETE', `role_profile/${encodeURIComponent(link.id)}`);
    }
  }
}
