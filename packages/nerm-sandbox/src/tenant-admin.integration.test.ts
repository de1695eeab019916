import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, TenantAdminError, type Sandbox } from './index.ts';

let sandbox: Sandbox;

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sandbox.url}/api/${path}`, {
    headers: { authorization: `Bearer ${sandbox.credentials.apiKey}` },
  });
  return { status: res.status, body: await res.json() };
}

function person(index = 0) {
  const contractor = sandbox.data.profileTypes.find((t) => t.name === 'Contractor')!;
  const found = sandbox.data.profiles.filter(
    (p) => p.profile_type_id === contractor.id && p.status === 'Active' && !p.archived,
  )[index];
  if (!found) throw new Error('no active contractor');
  return found;
}

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 200 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('tenant admin actions', () => {
  it('hires a person that the REST API then serves', async () => {
    const hired = sandbox.admin.hire({
      type: 'Contractor',
      attributes: { first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com' },
    });
    const { status, body } = await get(`profiles/${hired.id}`);
    expect(status).toBe(200);
    expect(body.profile).toMatchObject({ name: 'Grace Hopper', status: 'Active' });
  });

  it('terminates, reactivates and renames through PATCH, moving updated_at each time', async () => {
    const p = person();
    const before = (await get(`profiles/${p.id}`)).body.profile;
    sandbox.admin.terminate(p.id);
    const terminated = (await get(`profiles/${p.id}`)).body.profile;
    expect(terminated.status).toBe('Terminated');
    expect(terminated.updated_at).not.toBe(before.updated_at);
    sandbox.admin.reactivate(p.id);
    sandbox.admin.rename(p.id, 'Someone Else');
    expect((await get(`profiles/${p.id}`)).body.profile).toMatchObject({
      status: 'Active',
      name: 'Someone Else',
    });
  });

  it('grants and revokes roles without touching the profile, as NERM does', async () => {
    const p = person(1);
    const role = sandbox.data.roles.find(
      (r) => !sandbox.data.roleProfiles.some((rp) => rp.profile_id === p.id && rp.role_id === r.id),
    )!;
    const stamp = (await get(`profiles/${p.id}`)).body.profile.updated_at;
    sandbox.admin.grantRole(p.id, role.id);
    let links = (await get(`role_profiles?profile_id=${p.id}&limit=500`)).body.role_profiles;
    expect(links.map((l: { role_id: string }) => l.role_id)).toContain(role.id);
    sandbox.admin.revokeRole(p.id, role.id);
    links = (await get(`role_profiles?profile_id=${p.id}&limit=500`)).body.role_profiles ?? [];
    expect(links.map((l: { role_id: string }) => l.role_id)).not.toContain(role.id);
    expect((await get(`profiles/${p.id}`)).body.profile.updated_at).toBe(stamp);
  });

  it('archives a profile (a PATCH) and deletes one with its role links', async () => {
    const archived = person(2);
    const stamp = archived.updated_at;
    expect(sandbox.admin.archive(archived.id).updated_at).not.toBe(stamp);
    expect(sandbox.data.profiles.find((p) => p.id === archived.id)?.archived).toBe(true);

    const removed = person(3);
    sandbox.admin.remove(removed.id);
    expect((await get(`profiles/${removed.id}`)).status).not.toBe(200);
    expect(sandbox.data.roleProfiles.some((rp) => rp.profile_id === removed.id)).toBe(false);
  });

  it('creates roles at the end of the roles list and deletes them with their links, moving later roles up', async () => {
    const made = sandbox.admin.createRole('Auditors', ['ad_auditors']);
    const listed = (await get('roles?limit=500')).body.roles;
    expect(listed.at(-1)).toEqual({
      id: made.id,
      uid: made.uid,
      name: 'Auditors',
      groups: ['ad_auditors'],
    });
    expect((await get(`roles/${made.id}`)).body.role.name).toBe('Auditors');

    const first = listed[0];
    const second = listed[1];
    sandbox.admin.grantRole(person(4).id, first.id);
    sandbox.admin.deleteRole(first.id);
    expect((await get(`roles/${first.id}`)).status).toBe(400);
    expect(sandbox.data.roleProfiles.some((rp) => rp.role_id === first.id)).toBe(false);
    // Offset lists shift: the second role is now the first.
    expect((await get('roles?limit=1')).body.roles[0].id).toBe(second.id);
    expect(() => sandbox.admin.deleteRole(first.id)).toThrow(TenantAdminError);
  });

  it('creates roles over POST /api/roles (bulk, as the spec has it) and refuses a nameless one', async () => {
    const post = (body: unknown) =>
      fetch(`${sandbox.url}/api/roles`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${sandbox.credentials.apiKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
    const made = await post({
      roles: [{ name: 'Badge office' }, { name: 'Canteen', uid: 'canteen' }],
    });
    expect(made.status).toBe(200);
    expect(made.body.roles.map((r: { name: string }) => r.name)).toEqual([
      'Badge office',
      'Canteen',
    ]);
    expect(made.body.roles[1].uid).toBe('canteen');
    const refused = await post({ roles: [{ groups: [] }] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual({ name: ["can't be blank"] });
    expect((await post({})).status).toBe(400);
  });

  it('fails loudly with NERM’s answer when NERM refuses', () => {
    expect(() => sandbox.admin.terminate('no-such-profile')).toThrow(TenantAdminError);
    expect(() => sandbox.admin.setStatus(person().id, 'Fired' as never)).toThrow(/status/);
  });
});

describe('POST /__sandbox/admin (the console actions over HTTP)', () => {
  const post = async (
    body: unknown,
    type = 'application/json',
  ): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${sandbox.url}/__sandbox/admin`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };

  it('ends a contract today: end date in its attribute’s format (dd/mm/yyyy here), status Inactive', async () => {
    const p = person(10);
    const res = await post({ action: 'end_contract', profile_id: p.id });
    expect(res.status).toBe(200);
    const today = new Date();
    const dd = String(today.getUTCDate()).padStart(2, '0');
    const mm = String(today.getUTCMonth() + 1).padStart(2, '0');
    expect(res.body.profile).toMatchObject({
      id: p.id,
      status: 'Inactive',
      attributes: { end_date: `${dd}/${mm}/${today.getUTCFullYear()}` },
    });
    expect((await get(`profiles/${p.id}`)).body.profile.status).toBe('Inactive');
  });

  it('terminates, reactivates and hires, as the console does', async () => {
    const p = person(11);
    expect((await post({ action: 'terminate', profile_id: p.id })).body.profile.status).toBe(
      'Terminated',
    );
    expect((await post({ action: 'reactivate', profile_id: p.id })).body.profile.status).toBe(
      'Active',
    );
    const hired = await post({
      action: 'hire',
      first_name: 'Katherine',
      last_name: 'Johnson',
      email: 'katherine@example.com',
    });
    expect(hired.status).toBe(201);
    expect(hired.body.profile).toMatchObject({ name: 'Katherine Johnson', status: 'Active' });
    expect((await get(`profiles/${hired.body.profile.id}`)).status).toBe(200);
  });

  it('creates and deletes a role, as the console does', async () => {
    const made = await post({ action: 'create_role', name: 'Night shift' });
    expect(made.status).toBe(201);
    expect(made.body.role).toMatchObject({ name: 'Night shift' });
    expect((await get(`roles/${made.body.role.id}`)).status).toBe(200);
    expect(await post({ action: 'delete_role', role_id: made.body.role.id })).toEqual({
      status: 200,
      body: {},
    });
    expect((await get(`roles/${made.body.role.id}`)).status).toBe(400);
    expect(await post({ action: 'delete_role', role_id: made.body.role.id })).toEqual({
      status: 400,
      body: { error: 'role not found' },
    });
    expect((await post({ action: 'create_role' })).status).toBe(400);
    expect((await post({ action: 'delete_role' })).status).toBe(400);
  });

  it('answers NERM’s refusal, a missing field, an unknown action, and only JSON', async () => {
    const missing = await post({ action: 'terminate', profile_id: 'no-such-profile' });
    expect(missing).toEqual({ status: 400, body: { error: 'profile not found' } });
    expect((await post({ action: 'terminate' })).status).toBe(400);
    expect((await post({ action: 'hire', first_name: 'Solo' })).status).toBe(400);
    expect((await post({ action: 'fire' })).status).toBe(400);
    // A plain-text POST is what another site's page could send without asking first.
    expect(
      (await post({ action: 'terminate', profile_id: person(12).id }, 'text/plain')).status,
    ).toBe(415);
    expect(person(12).status).toBe('Active');
  });
});
