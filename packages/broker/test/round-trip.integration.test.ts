import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

/** Write bodies take the User shape exactly as it is read, so read-modify-write works. */
const USERS = '/unified/user-directory/users';
let sandbox: Sandbox;
let stack: Stack;
let token: string;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 150 });
  stack = await startStack({ sandbox });
  ({ token } = await stack.connectAccount('api_key'));
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
});

describe('read-modify-write', () => {
  it('creates a user from the emails exactly as a read returns them (type and is_primary)', async () => {
    const person = sandbox.data.profiles.find(
      (p) => !p.archived && p.attributes.email && p.attributes.personal_email,
    )!;
    const read = await stack.call(`${USERS}/${person.id}`, { token });
    expect(read.body.emails).toHaveLength(2);
    const created = await stack.call(USERS, {
      token,
      method: 'POST',
      json: {
        user_type: read.body.user_type,
        first_name: read.body.first_name ?? 'Copy',
        last_name: 'Copy',
        emails: read.body.emails,
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.emails).toEqual(read.body.emails);
  });

  it('updates a user with the emails it read, unchanged', async () => {
    const person = sandbox.data.profiles.find((p) => !p.archived && p.attributes.email)!;
    const read = await stack.call(`${USERS}/${person.id}`, { token });
    const patched = await stack.call(`${USERS}/${person.id}`, {
      token,
      method: 'PATCH',
      json: { emails: read.body.emails, title: read.body.title ?? 'Auditor' },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.emails).toEqual(read.body.emails);
  });
});

describe('statuses NERM does not document', () => {
  it('map to inactive, never active, and are logged', async () => {
    const contractor = sandbox.data.profileTypes.find((t) => t.uid === 'contractor')!;
    const person = sandbox.data.profiles.find(
      (p) => !p.archived && p.status === 'Active' && p.profile_type_id === contractor.id,
    )!;
    (person as { status: string }).status = 'Suspended';
    const res = await stack.call(`${USERS}/${person.id}`, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe('inactive');
    expect(stack.logs.text).toContain('"nerm_status":"Suspended"');
    expect(stack.logs.text).toContain(`"profile_id":"${person.id}"`);
  });
});
