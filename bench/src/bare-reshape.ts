/**
 * The baseline reshape of one NERM profile into a unified user: the fields and status
 * table only (no attribute fallbacks, date formats, email dedupe, roles or types). The
 * load baseline server answers with it; section 2 times the broker's mapping against it.
 */
const STATUS: Record<string, string> = {
  Active: 'active',
  Inactive: 'inactive',
  'On Leave': 'inactive',
  Terminated: 'deleted',
};

export function bareUser(p: Record<string, unknown>) {
  const a = (p.attributes ?? {}) as Record<string, string | undefined>;
  return {
    id: p.id,
    external_id: p.uid,
    name: p.name,
    first_name: a.first_name ?? null,
    last_name: a.last_name ?? null,
    emails: a.email ? [{ email: a.email, type: 'work', is_primary: true }] : [],
    title: a.job_title ?? null,
    status: STATUS[String(p.status)] ?? 'inactive',
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}
