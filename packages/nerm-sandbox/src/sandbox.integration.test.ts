import { describe, expect, it } from 'vitest';
import type { Sandbox } from './index.ts';
import { sandboxCall, useSandbox } from '../test/sandbox-calls.ts';

let sandbox: Sandbox;
const call = (path: string, init?: Parameters<typeof sandboxCall>[2]) =>
  sandboxCall(sandbox, path, init);

useSandbox((started) => (sandbox = started));

describe('paging', () => {
  it('returns 100 records by default, wrapped under the plural key, without _metadata', async () => {
    const { status, body } = await call('/api/profiles');
    expect(status).toBe(200);
    expect(body.profiles).toHaveLength(100);
    expect(body).not.toHaveProperty('_metadata');
  });

  it('silently caps limit at 500', async () => {
    const { status, body } = await call('/api/profiles?limit=1000&metadata=true');
    expect(status).toBe(200);
    expect(body.profiles).toHaveLength(500);
    expect(body._metadata.limit).toBe(500);
  });

  it('counts offset in records from 0', async () => {
    const all = (await call('/api/profiles?limit=5')).body.profiles;
    const shifted = (await call('/api/profiles?limit=2&offset=1')).body.profiles;
    expect(shifted.map((p: any) => p.id)).toEqual(all.slice(1, 3).map((p: any) => p.id));
  });

  it('adds _metadata {limit, offset, total, next, previous} with metadata=true', async () => {
    const total = sandbox.data.profiles.filter((p) => !p.archived).length;
    const first = (await call('/api/profiles?limit=10&metadata=true')).body._metadata;
    expect(first).toEqual({
      limit: 10,
      offset: 0,
      total,
      next: expect.stringContaining('offset=10'),
      previous: null,
    });
    const last = (await call(`/api/profiles?limit=10&offset=${total - 3}&metadata=true`)).body;
    expect(last.profiles).toHaveLength(3);
    expect(last._metadata.next).toBeNull();
    expect(last._metadata.previous).toContain(`offset=${total - 13}`);
  });

  it('refuses a limit that is not a positive integer with a NERM error body', async () => {
    for (const bad of ['0', '-1', 'ten']) {
      const { status, body } = await call(`/api/profiles?limit=${bad}`);
      expect(status).toBe(400);
      expect(body).toEqual({ error: expect.any(String) });
    }
  });

  it('pages every resource the same way', async () => {
    for (const key of [
      'profile_types',
      'roles',
      'role_profiles',
      'users',
      'user_roles',
      'workflow_sessions',
      'ne_attributes',
    ]) {
      const { status, body } = await call(`/api/${key}?limit=2&metadata=true`);
      expect(status, key).toBe(200);
      expect(body[key].length, key).toBeLessThanOrEqual(2);
      expect(body._metadata.total, key).toBeGreaterThan(0);
    }
  });

  it('walks profiles in keyset mode with after_id, ending with after_id null', async () => {
    let after = '';
    const seen = new Set<string>();
    for (;;) {
      const { status, body } = await call(
        `/api/profiles?limit=500&metadata=true&exclude_attributes=true&after_id=${after}`,
      );
      expect(status).toBe(200);
      for (const p of body.profiles) seen.add(p.id);
      if (body._metadata.after_id === null) break;
      after = body._metadata.after_id;
    }
    expect(seen.size).toBe(sandbox.data.profiles.length);
    expect((await call('/api/profiles?after_id=&offset=5')).status).toBe(400);
  });
});

describe('filters', () => {
  it('filters profiles by profile_type_id and status', async () => {
    const type = sandbox.data.profileTypes.find((t) => t.uid === 'contractor')!;
    const { body } = await call(
      `/api/profiles?profile_type_id=${type.id}&status=On%20Leave&limit=500`,
    );
    expect(body.profiles.length).toBeGreaterThan(0);
    for (const p of body.profiles) {
      expect(p.profile_type_id).toBe(type.id);
      expect(p.status).toBe('On Leave');
    }
  });

  it('refuses an unknown status value', async () => {
    expect((await call('/api/profiles?status=Gone')).status).toBe(400);
  });

  it('takes a date for updated_after and refuses a timestamp', async () => {
    const { body } = await call('/api/profiles?updated_after=2024-06-01&limit=500&metadata=true');
    const expected = sandbox.data.profiles.filter(
      (p) => !p.archived && Date.parse(p.updated_at) >= Date.UTC(2024, 5, 1),
    );
    expect(body._metadata.total).toBe(expected.length);
    expect((await call('/api/profiles?updated_after=2024-06-01T00:00:00Z')).status).toBe(400);
  });

  it('filters role_profiles, user_roles and users by their keys', async () => {
    const link = sandbox.data.roleProfiles[0]!;
    const byProfile = (await call(`/api/role_profiles?profile_id=${link.profile_id}`)).body
      .role_profiles;
    expect(byProfile.every((rp: any) => rp.profile_id === link.profile_id)).toBe(true);
    expect(byProfile.map((rp: any) => rp.id)).toContain(link.id);
    const byRole = (await call(`/api/role_profiles?role_id=${link.role_id}&limit=500`)).body
      .role_profiles;
    expect(byRole.every((rp: any) => rp.role_id === link.role_id)).toBe(true);
    const userRole = sandbox.data.userRoles[0]!;
    const ur = (await call(`/api/user_roles?user_id=${userRole.user_id}`)).body.user_roles;
    expect(ur.every((x: any) => x.user_id === userRole.user_id)).toBe(true);
    const active = (await call('/api/users?user_status=Active&limit=500')).body.users;
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((u: any) => u.status === 'Active')).toBe(true);
  });
});

describe('objects and errors', () => {
  it('wraps a single profile under "profile"', async () => {
    const target = sandbox.data.profiles[10]!;
    const { status, body } = await call(`/api/profiles/${target.id}`);
    expect(status).toBe(200);
    expect(body.profile).toMatchObject({ id: target.id, uid: target.uid, name: target.name });
    expect(Object.keys(body)).toEqual(['profile']);
  });

  it('answers an unknown profile or role with 400 "not found", as live NERM does', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await call(`/api/profiles/${unknown}`)).toMatchObject({
      status: 400,
      body: { error: 'profile not found' },
    });
    expect(await call(`/api/roles/${unknown}`)).toMatchObject({
      status: 400,
      body: { error: 'role not found' },
    });
    const patch = await call(`/api/profiles/${unknown}`, {
      method: 'PATCH',
      body: JSON.stringify({ profile: { status: 'Active' } }),
    });
    expect(patch).toMatchObject({ status: 400, body: { error: 'profile not found' } });
  });

  it('creates a profile with POST /api/profile and answers {profile}', async () => {
    const type = sandbox.data.profileTypes.find((t) => t.uid === 'contractor')!;
    const { status, body } = await call('/api/profile', {
      method: 'POST',
      body: JSON.stringify({
        profile: {
          profile_type_id: type.id,
          status: 'Active',
          attributes: { first_name: 'Ada', last_name: 'Lovelace', start_date: '03/01/2026' },
        },
      }),
    });
    expect(status).toBe(200);
    expect(body.profile).toMatchObject({
      name: 'Ada Lovelace',
      status: 'Active',
      profile_type_id: type.id,
    });
    expect(
      (await call(`/api/profiles/${body.profile.id}`)).body.profile.attributes.first_name,
    ).toBe('Ada');
  });

  it('answers validation failures as {error, errors: {field: [messages]}}', async () => {
    const { status, body } = await call('/api/profile', {
      method: 'POST',
      body: JSON.stringify({
        profile: { status: 'Sideways', attributes: { nope: 'x', start_date: '2026-03-01' } },
      }),
    });
    expect(status).toBe(400);
    expect(body.error).toBe('The Profile failed to create/update');
    expect(body.errors).toMatchObject({
      profile_type_id: ["can't be blank"],
      status: ['is not included in the list'],
      nope: ['is not a valid attribute'],
      start_date: [expect.stringContaining('date')],
    });
  });

  it("answers malformed JSON with NERM's syntax error", async () => {
    const { status, body } = await call('/api/profile', { method: 'POST', body: '{"profile":' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'Invalid JSON syntax. Please check your syntax and try again.' });
  });

  it('updates status and attributes with PATCH /api/profiles/:id', async () => {
    const target = sandbox.data.profiles.find(
      (p) => p.status === 'Active' && !p.archived && 'first_name' in p.attributes,
    )!;
    const before = target.updated_at;
    // end_date is a dd/mm/yyyy attribute: 12/31/2025 is not a date in it.
    const wrong = await call(`/api/profiles/${target.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ profile: { attributes: { end_date: '12/31/2025' } } }),
    });
    expect(wrong).toMatchObject({
      status: 400,
      body: { errors: { end_date: ['is not a valid date (dd/mm/yyyy)'] } },
    });
    const { status, body } = await call(`/api/profiles/${target.id}`, {
      method: 'PATCH',
      body: JSON.stringify({
        profile: { status: 'Terminated', attributes: { end_date: '31/12/2025' } },
      }),
    });
    expect(status).toBe(200);
    expect(body.profile.status).toBe('Terminated');
    expect(body.profile.attributes.end_date).toBe('31/12/2025');
    expect(body.profile.updated_at).not.toBe(before);
  });

  it('starts a workflow session with run=true and applies an update workflow', async () => {
    const workflow = sandbox.data.workflows.find((w) => w.uid === 'background_check_result')!;
    const profile = sandbox.data.profiles.find(
      (p) => p.profile_type_id === workflow.profile_type_id,
    )!;
    const { status, body } = await call('/api/workflow_sessions?run=true', {
      method: 'POST',
      body: JSON.stringify({
        workflow_session: {
          workflow_id: workflow.id,
          requester_id: sandbox.data.users[0]!.id,
          requester_type: 'User',
          profile_id: profile.id,
          attributes: { background_check: 'Passed' },
        },
      }),
    });
    expect(status).toBe(200);
    expect(body.workflow_session).toMatchObject({
      workflow_id: workflow.id,
      profile_id: profile.id,
      status: 'completed',
    });
    expect(profile.attributes.background_check).toBe('Passed');
  });

  it('refuses a workflow session without a requester', async () => {
    const workflow = sandbox.data.workflows[0]!;
    const { status, body } = await call('/api/workflow_sessions', {
      method: 'POST',
      body: JSON.stringify({ workflow_session: { workflow_id: workflow.id } }),
    });
    expect(status).toBe(400);
    expect(body.errors).toMatchObject({
      requester_id: ["can't be blank"],
      requester_type: ["can't be blank"],
    });
  });
});
