import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedUsers, normalizeRoles } from './expected-mapping.ts';
import { startStack, type Stack } from './helpers.ts';

/**
 * A tenant that sends no `_metadata`, caps `limit` at 100 and refuses `offset=0`: all within NERM's
 * documented behaviour, and the broker must still read everything exactly once.
 */
describe('a tenant without _metadata, with a lower page cap, refusing offset=0', () => {
  let sandbox: Sandbox;
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    sandbox = await startSandbox({
      persons: 700,
      quirks: { noMetadata: true, maxLimit: 100, rejectZeroOffset: true },
    });
    stack = await startStack({ sandbox });
    ({ token } = await stack.connectAccount('pat'));
  });
  afterAll(async () => {
    await stack.close();
    await sandbox.close();
  });

  it('walks every user exactly once, roles joined from every role_profiles page', async () => {
    const expected = expectedUsers(sandbox);
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const res = await stack.call(
        `/unified/user-directory/users?limit=500${cursor ? `&next_cursor=${cursor}` : ''}`,
        { token },
      );
      expect(res.status).toBe(200);
      expect(res.body.result.length).toBeLessThanOrEqual(500);
      seen.push(...res.body.result);
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen.length).toBe(expected.size);
    for (const user of seen)
      expect(normalizeRoles(user)).toEqual(normalizeRoles(expected.get(user.id) as any));
  });

  it('lists every role, and pages proxy lists to the end', async () => {
    const roles = await stack.call('/unified/user-directory/roles?limit=500', { token });
    const all = [...roles.body.result];
    let cursor = roles.body.next_cursor;
    while (cursor) {
      const next = await stack.call(
        `/unified/user-directory/roles?limit=500&next_cursor=${cursor}`,
        { token },
      );
      all.push(...next.body.result);
      cursor = next.body.next_cursor;
    }
    expect(all.map((r) => r.id)).toEqual(sandbox.data.roles.map((r) => r.id));

    const ids: string[] = [];
    cursor = null;
    do {
      const page: any = await stack.call(
        `/proxy/role_profiles?limit=300${cursor ? `&next_cursor=${cursor}` : ''}`,
        { token },
      );
      ids.push(...page.body.result.map((rp: any) => rp.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(ids).toEqual(sandbox.data.roleProfiles.map((rp) => rp.id));
  });
});
