import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { RoleSchema, UserListSchema, UserSchema } from '@nerm-connect/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedUsers, normalizeRoles } from './expected-mapping.ts';
import { startStack, type Stack } from './helpers.ts';

/**
 * `remote_data` (the raw NERM object) only when a read says `include_remote_data=true`
 * (docs/architecture.md, "The unified model"): smaller pages and less personal data by default.
 */
let sandbox: Sandbox;
let stack: Stack;
let token: string;

const USERS = '/unified/user-directory/users';
const ROLES = '/unified/user-directory/roles';

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 300 });
  stack = await startStack({ sandbox });
  ({ token } = await stack.connectAccount('api_key', 'tenant-remote'));
});
afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

const person = () =>
  sandbox.data.profiles.find(
    (p) =>
      !p.archived &&
      sandbox.data.profileTypes.find((t) => t.id === p.profile_type_id)?.category ===
        'non-employee',
  )!;

describe('users', () => {
  it('leave remote_data out of a page unless include_remote_data=true', async () => {
    const plain = await stack.call(`${USERS}?limit=50`, { token });
    expect(plain.status).toBe(200);
    UserListSchema.parse(plain.body);
    expect(plain.body.result.length).toBeGreaterThan(0);
    for (const user of plain.body.result) expect(user).not.toHaveProperty('remote_data');
    const off = await stack.call(`${USERS}?limit=50&include_remote_data=false`, { token });
    expect(off.body.result).toEqual(plain.body.result);

    const raw = await stack.call(`${USERS}?limit=50&include_remote_data=true`, { token });
    expect(raw.status).toBe(200);
    const want = expectedUsers(sandbox, { remoteData: true });
    expect(raw.body.result.map((u: { id: string }) => u.id)).toEqual(
      plain.body.result.map((u: { id: string }) => u.id),
    );
    for (const user of raw.body.result) {
      expect(normalizeRoles(user)).toEqual(normalizeRoles(want.get(user.id) as never));
    }
  });

  it('binds no cursor to it: a walk may switch it page by page', async () => {
    const first = await stack.call(`${USERS}?limit=40`, { token });
    const second = await stack.call(
      `${USERS}?limit=40&include_remote_data=true&next_cursor=${first.body.next_cursor}`,
      { token },
    );
    expect(second.status).toBe(200);
    expect(second.body.result[0]).toHaveProperty('remote_data.id', second.body.result[0].id);
  });

  it('return one user with remote_data only when asked', async () => {
    const p = person();
    const plain = await stack.call(`${USERS}/${p.id}`, { token });
    expect(plain.status).toBe(200);
    UserSchema.parse(plain.body);
    expect(plain.body).not.toHaveProperty('remote_data');
    const raw = await stack.call(`${USERS}/${p.id}?include_remote_data=true`, { token });
    const { archived: _archived, ...profile } = p;
    expect(raw.body.remote_data).toEqual(profile);
    const { remote_data: _raw, ...rest } = raw.body;
    expect(rest).toEqual(plain.body);
  });

  it('never send remote_data back from a write', async () => {
    const p = person();
    const res = await stack.call(`${USERS}/${p.id}`, {
      token,
      method: 'PATCH',
      json: { title: 'Auditor' },
    });
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('Auditor');
    expect(res.body).not.toHaveProperty('remote_data');
  });

  it('refuse a value other than true or false', async () => {
    for (const path of [`${USERS}?include_remote_data=yes`, `${USERS}/x?include_remote_data=1`]) {
      const res = await stack.call(path, { token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.issues[0].path).toEqual(['include_remote_data']);
    }
  });
});

describe('roles', () => {
  it('leave remote_data out of lists and single reads unless asked', async () => {
    const role = sandbox.data.roles[0]!;
    const plain = await stack.call(`${ROLES}?limit=3`, { token });
    expect(plain.status).toBe(200);
    for (const r of plain.body.result) expect(r).not.toHaveProperty('remote_data');
    const raw = await stack.call(`${ROLES}?limit=3&include_remote_data=true`, { token });
    expect(raw.body.result[0].remote_data).toEqual({
      id: role.id,
      uid: role.uid,
      name: role.name,
      groups: role.groups,
    });

    const one = await stack.call(`${ROLES}/${role.id}`, { token });
    RoleSchema.parse(one.body);
    expect(one.body).toEqual({
      id: role.id,
      name: role.name,
      external_id: role.uid,
      groups: role.groups,
    });
    const oneRaw = await stack.call(`${ROLES}/${role.id}?include_remote_data=true`, { token });
    expect(oneRaw.body).toEqual({ ...one.body, remote_data: raw.body.result[0].remote_data });
  });
});
