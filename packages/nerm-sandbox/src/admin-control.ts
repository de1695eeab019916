import { TenantAdminError, type TenantAdmin } from './tenant-admin.ts';

/**
 * `POST /__sandbox/admin`: a tenant administrator's console actions over HTTP, for a
 * demo or test that runs the sandbox as a process (packages/nerm-sandbox/README.md).
 * Not NERM's API: NERM admins do this in the console, and NERM's workflows then tell
 * the SaaS. Body `{action, …}`:
 *
 * - `terminate` `{profile_id}`: status Terminated.
 * - `end_contract` `{profile_id}`: end date today (in its attribute's format), status Inactive.
 * - `reactivate` `{profile_id}`: status Active.
 * - `hire` `{type?, first_name, last_name, email?, job_title?}`: a new Active profile
 *   (type by name, default Contractor).
 * - `create_role` `{name}`: a new role → 201 `{role}`.
 * - `delete_role` `{role_id}`: the role and its links gone → 200 `{}`.
 *
 * Answers `{profile}` (201 for hire), or NERM's own refusal (400 "profile not found"…).
 */
export function adminAction(
  admin: TenantAdmin,
  body: Record<string, unknown>,
  now: number,
): { status: number; body: unknown } {
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
  const id = text('profile_id');
  try {
    switch (body.action) {
      case 'terminate':
      case 'end_contract':
      case 'reactivate': {
        if (!id) return { status: 400, body: { error: 'profile_id is required' } };
        const profile =
          body.action === 'terminate'
            ? admin.terminate(id)
            : body.action === 'reactivate'
              ? admin.reactivate(id)
              : admin.endContract(id, now);
        return { status: 200, body: { profile } };
      }
      case 'hire': {
        const first = text('first_name');
        const last = text('last_name');
        if (!first || !last)
          return { status: 400, body: { error: 'first_name and last_name are required' } };
        const attributes: Record<string, string> = { first_name: first, last_name: last };
        for (const key of ['email', 'job_title'] as const) {
          const value = text(key);
          if (value) attributes[key] = value;
        }
        const profile = admin.hire({ type: text('type') ?? 'Contractor', attributes });
        return { status: 201, body: { profile } };
      }
      case 'create_role': {
        const name = text('name');
        if (!name) return { status: 400, body: { error: 'name is required' } };
        return { status: 201, body: { role: admin.createRole(name) } };
      }
      case 'delete_role': {
        const roleId = text('role_id');
        if (!roleId) return { status: 400, body: { error: 'role_id is required' } };
        admin.deleteRole(roleId);
        return { status: 200, body: {} };
      }
      default:
        return {
          status: 400,
          body: {
            error:
              'action must be terminate, end_contract, reactivate, hire, create_role or delete_role',
          },
        };
    }
  } catch (error) {
    if (error instanceof TenantAdminError) return { status: error.status, body: error.body };
    if (error instanceof TypeError) return { status: 400, body: { error: error.message } };
    throw error;
  }
}
