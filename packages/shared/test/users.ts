import type { EventUser } from '../src/index.ts';

/**
 * The one test user every package's tests start from (`@nerm-connect/shared/testing`, a
 * workspace-only entry: it is not built or published). Ada Lovelace, an active contractor,
 * as an event carries her (no `remote_data`); each override replaces a whole field. A test
 * that asserts on a value names it in its override or reads it from the user it built.
 */
export function aUser(overrides: Partial<EventUser> = {}): EventUser {
  return {
    id: 'p1',
    external_id: 'u1',
    name: 'Ada Lovelace',
    first_name: 'Ada',
    last_name: 'Lovelace',
    emails: [{ email: 'ada@example.com', type: 'work', is_primary: true }],
    title: null,
    status: 'active',
    user_type: 'Contractor',
    roles: [],
    start_date: '2024-01-02',
    end_date: null,
    created_at: '2024-01-02T00:00:00Z',
    updated_at: '2024-01-02T00:00:00Z',
    ...overrides,
  };
}
