import { describe, expect, it } from 'vitest';
import { isoDateToNerm, nermDateToIso, normalizeTimestamp, profileToUser } from './mapping.ts';

describe('dates and timestamps', () => {
  it.each([
    ['01/15/2020', '2020-01-15'],
    ['1/5/2020', '2020-01-05'],
    ['02/29/2024', '2024-02-29'],
    ['2024-03-01', '2024-03-01'],
    ['02/29/2023', null],
    ['13/01/2020', null],
    ['00/10/2020', null],
    ['04/31/2020', null],
    ['next tuesday', null],
    ['', null],
  ])('reads NERM date %j as %j', (nerm, iso) => {
    expect(nermDateToIso(nerm)).toBe(iso);
  });

  it('writes yyyy-mm-dd back as mm/dd/yyyy', () => {
    expect(isoDateToNerm('2026-12-01')).toBe('12/01/2026');
  });

  it('keeps ISO 8601 timestamps and converts the other spellings to UTC', () => {
    expect(normalizeTimestamp('2023-11-21T14:23:54.256-05:00')).toBe(
      '2023-11-21T14:23:54.256-05:00',
    );
    expect(normalizeTimestamp('2023-11-21T19:23:54Z')).toBe('2023-11-21T19:23:54Z');
    expect(normalizeTimestamp('Wed, 07 Feb 2024 12:55:20 GMT')).toBe('2024-02-07T12:55:20.000Z');
    expect(normalizeTimestamp('')).toBeNull();
    expect(normalizeTimestamp(null)).toBeNull();
  });
});

describe('profileToUser', () => {
  const base = {
    id: 'p1',
    uid: 'u1',
    profile_type_id: 't',
    status: 'On Leave',
    created_at: null,
    updated_at: null,
  };
  const context = { typeName: 'Contractor', roles: [], mapping: {} };

  it('splits the name at its first space when no name attributes exist', () => {
    const user = profileToUser({ ...base, name: 'Mary Kate Smith', attributes: {} }, context);
    expect([user.first_name, user.last_name]).toEqual(['Mary', 'Kate Smith']);
    expect(
      profileToUser({ ...base, name: 'Madonna', attributes: {} }, context).last_name,
    ).toBeNull();
  });

  it('prefers attributes by the contract order, and the account mapping over them', () => {
    const attributes = {
      firstname: 'B',
      given_name: 'C',
      surname: 'S',
      work_email: 'w@x.example',
      email_address: 'e@x.example',
      personal_email: 'p@y.example',
      title: 'T',
    };
    const user = profileToUser({ ...base, name: 'X Y', attributes }, context);
    expect(user).toMatchObject({
      first_name: 'B',
      last_name: 'S',
      title: 'T',
      status: 'inactive',
      emails: [
        { email: 'e@x.example', type: 'work', is_primary: true },
        { email: 'p@y.example', type: 'personal', is_primary: false },
      ],
    });
    const mapped = profileToUser(
      { ...base, name: 'X Y', attributes },
      { ...context, mapping: { first_name: 'given_name' } },
    );
    expect(mapped.first_name).toBe('C');
  });

  it('makes a personal email primary when it is the only one, and gives [] without any', () => {
    expect(
      profileToUser({ ...base, name: 'A', attributes: { personal_email: 'p@y.example' } }, context)
        .emails,
    ).toEqual([{ email: 'p@y.example', type: 'personal', is_primary: true }]);
    expect(profileToUser({ ...base, name: 'A', attributes: {} }, context).emails).toEqual([]);
  });

  it('maps every NERM status, Terminated to deleted', () => {
    const status = (s: string) =>
      profileToUser({ ...base, status: s, name: 'A', attributes: {} }, context).status;
    expect(['Active', 'Inactive', 'On Leave', 'Terminated'].map(status)).toEqual([
      'active',
      'inactive',
      'inactive',
      'deleted',
    ]);
  });
});
