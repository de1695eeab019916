import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers.ts';

/**
 * Dates in their attribute's own format (docs/nerm-live-behaviour.md): the sandbox's
 * `start_date`/`end_date` are `dd/mm/yyyy`, bots' `activation_date` is `yyyy/mm/dd`.
 */
const USERS = '/unified/user-directory/users';
let sandbox: Sandbox;
let stack: Stack;
let token: string;

function contractor(index: number) {
  const type = sandbox.data.profileTypes.find((t) => t.uid === 'contractor')!;
  const found = sandbox.data.profiles.filter(
    (p) => p.profile_type_id === type.id && !p.archived && p.attributes.end_date,
  )[index];
  if (!found) throw new Error('no contractor');
  return found;
}

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 200 });
  stack = await startStack({ sandbox });
  ({ token } = await stack.connectAccount('api_key'));
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
});

describe('dates read in their attribute format', () => {
  it('reads 03/04/2024 in a dd/mm/yyyy attribute as 3 April, and 13/01/2024 as 13 January', async () => {
    const person = contractor(0);
    sandbox.admin.setAttributes(person.id, { start_date: '03/04/2024', end_date: '13/01/2027' });
    const res = await stack.call(`${USERS}/${person.id}`, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.start_date).toBe('2024-04-03');
    expect(res.body.end_date).toBe('2027-01-13');
  });

  it('answers null, never a guess, for a value that is no date in its format', async () => {
    const person = contractor(1);
    // Stored as a tenant that changed the attribute's format later would hold it.
    person.attributes.start_date = '2024-04-03';
    person.attributes.end_date = '31/02/2027';
    const res = await stack.call(`${USERS}/${person.id}`, { token });
    expect(res.body.start_date).toBeNull();
    expect(res.body.end_date).toBeNull();
  });

  it('reads a yyyy/mm/dd attribute the account maps', async () => {
    const { accountId, token: mapped } = await stack.connectAccount('api_key');
    const patched = await stack.admin(`/integrated-accounts/${accountId}`, {
      method: 'PATCH',
      json: { field_mapping: { start_date: 'activation_date' } },
    });
    expect(patched.status, patched.text).toBe(200);
    const bot = sandbox.data.profiles.find((p) => p.attributes.activation_date && !p.archived)!;
    sandbox.admin.setAttributes(bot.id, { activation_date: '2023/11/05' });
    const res = await stack.call(`${USERS}/${bot.id}`, { token: mapped });
    expect(res.body.start_date).toBe('2023-11-05');
  });
});

describe('dates written in their attribute format', () => {
  it('writes 2025-04-03 to a dd/mm/yyyy attribute as 03/04/2025, and reads it back', async () => {
    const person = contractor(2);
    const res = await stack.call(`${USERS}/${person.id}`, {
      token,
      method: 'PATCH',
      json: { end_date: '2025-04-03' },
    });
    expect(res.status, res.text).toBe(200);
    expect(person.attributes.end_date).toBe('03/04/2025');
    expect(res.body.end_date).toBe('2025-04-03');
  });

  it('creates a user with dates in the tenant formats', async () => {
    const res = await stack.call(USERS, {
      token,
      method: 'POST',
      json: {
        user_type: 'Contractor',
        first_name: 'Ada',
        last_name: 'Lovelace',
        start_date: '2026-01-13',
        end_date: '2026-12-01',
      },
    });
    expect(res.status, res.text).toBe(201);
    const stored = sandbox.data.profiles.find((p) => p.id === res.body.id)!;
    expect(stored.attributes).toMatchObject({ start_date: '13/01/2026', end_date: '01/12/2026' });
    expect(res.body).toMatchObject({ start_date: '2026-01-13', end_date: '2026-12-01' });
  });
});

describe('field_mapping by_profile_type', () => {
  it("reads and writes a type's own date attributes, other types keeping theirs", async () => {
    const { accountId, token: mapped } = await stack.connectAccount('api_key');
    const patched = await stack.admin(`/integrated-accounts/${accountId}`, {
      method: 'PATCH',
      json: {
        field_mapping: {
          by_profile_type: {
            bot: { start_date: 'activation_date', end_date: 'decommission_date' },
          },
        },
      },
    });
    expect(patched.status, patched.text).toBe(200);
    const bot = sandbox.data.profiles.find((p) => p.attributes.activation_date && !p.archived)!;
    sandbox.admin.setAttributes(bot.id, { activation_date: '2022/02/13' });
    const read = await stack.call(`${USERS}/${bot.id}`, { token: mapped });
    expect(read.body.start_date).toBe('2022-02-13');
    const written = await stack.call(`${USERS}/${bot.id}`, {
      token: mapped,
      method: 'PATCH',
      json: { end_date: '2027-03-04' },
    });
    expect(written.status, written.text).toBe(200);
    expect(bot.attributes.decommission_date).toBe('2027/03/04');
    expect(bot.attributes.end_date).toBeUndefined();
    const person = contractor(3);
    const other = await stack.call(`${USERS}/${person.id}`, { token: mapped });
    expect(other.body.end_date).not.toBeNull();
  });
});
