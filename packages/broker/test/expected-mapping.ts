import { formatDate, parseDate, type Sandbox } from '@nerm-connect/nerm-sandbox';

/**
 * docs/architecture.md's unified model table, written out a second time from the table itself (not from the broker's
 * mapping code), so the walk tests compare two independent readings of the contract.
 */
export function expectedUsers(
  sandbox: Sandbox,
  {
    keyset = true,
    remoteData = false,
  }: {
    /** Read from keyset pages, whose profiles carry `archived`. */
    keyset?: boolean;
    /** As read with `include_remote_data=true`. */
    remoteData?: boolean;
  } = {},
): Map<string, Record<string, unknown>> {
  const { data } = sandbox;
  const typeById = new Map(data.profileTypes.map((t) => [t.id, t]));
  const roleName = new Map(data.roles.map((r) => [r.id, r.name]));
  const formatOf = new Map(data.neAttributes.map((a) => [a.uid, a.date_format]));
  const rolesOf = new Map<string, string[]>();
  for (const rp of data.roleProfiles) {
    const list = rolesOf.get(rp.profile_id) ?? [];
    if (!list.includes(rp.role_id)) list.push(rp.role_id);
    rolesOf.set(rp.profile_id, list);
  }
  const expected = new Map<string, Record<string, unknown>>();
  for (const p of data.profiles) {
    const type = typeById.get(p.profile_type_id);
    // Archived profiles are hidden by live NERM and are never users.
    if (p.archived) continue;
    if (!type || (type.category !== 'employee' && type.category !== 'non-employee')) continue;
    const a = p.attributes;
    const first = (...keys: string[]) => keys.map((k) => a[k]?.trim()).find((v) => v) ?? null;
    const space = p.name.indexOf(' ');
    const splitFirst = space < 0 ? p.name : p.name.slice(0, space);
    const splitLast = space < 0 ? null : p.name.slice(space + 1);
    const work = first('email', 'email_address', 'work_email');
    const personal = first('personal_email');
    const emails: { email: string; type: string; is_primary: boolean }[] = [];
    if (work) emails.push({ email: work, type: 'work', is_primary: true });
    if (personal)
      emails.push({ email: personal, type: 'personal', is_primary: emails.length === 0 });
    // Each date in its own attribute's format; a value that is no date in it is null.
    const iso = (uid: string) => {
      const value = a[uid]?.trim();
      const format = formatOf.get(uid);
      const ms = value && format ? parseDate(value, format) : undefined;
      return ms === undefined ? null : formatDate(ms, 'yyyy-mm-dd');
    };
    // Walks read keyset pages, which carry `archived`; single reads do not
    // (docs/nerm-live-behaviour.md).
    const { archived, ...rest } = p;
    const remote = keyset ? { ...rest, archived } : rest;
    expected.set(p.id, {
      id: p.id,
      external_id: p.uid,
      name: p.name,
      first_name: first('first_name', 'firstname', 'given_name') ?? splitFirst,
      last_name: first('last_name', 'lastname', 'surname', 'family_name') ?? splitLast,
      emails,
      title: first('job_title', 'title'),
      status: {
        Active: 'active',
        Inactive: 'inactive',
        'On Leave': 'inactive',
        Terminated: 'deleted',
      }[p.status],
      user_type: type.name,
      roles: (rolesOf.get(p.id) ?? []).map((id) => ({ id, name: roleName.get(id) })),
      start_date: iso('start_date'),
      end_date: iso('end_date'),
      // NERM's timestamps are ISO 8601 with the tenant's offset: they pass unchanged.
      created_at: p.created_at,
      updated_at: p.updated_at,
      ...(remoteData ? { remote_data: remote } : {}),
    });
  }
  return expected;
}

/** Roles compared as a set: their order is NERM's, not part of the contract. */
export function normalizeRoles<T extends { roles?: unknown }>(user: T): T {
  const roles = [...((user.roles as { id: string }[] | undefined) ?? [])].sort((x, y) =>
    x.id.localeCompare(y.id),
  );
  return { ...user, roles };
}
