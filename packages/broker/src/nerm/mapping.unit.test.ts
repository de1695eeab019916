import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_FALLBACKS, candidatesFor, normalizeTimestamp, profileToUser } from './mapping.ts';

describe('timestamps', () => {
  it('keeps ISO 8601 timestamps and converts the other spellings to UTC', () => {
    expect(normalizeTimestamp('2023-11-21T14:23:54.256-05:00')).toBe(
      '2023-11-21T14:23:54.256-05:00',
    );
    expect(normalizeTimestamp('2023-11-21T19:23:54Z')).toBe('2023-11-21T19:23:54Z');
    expect(normalizeTimestamp('Wed, 07 Feb 2024 12:55:20 GMT')).toBe('2024-02-07T12:55:20.000Z');
    expect(normalizeTimestamp('')).toBeNull();
    expect(normalizeTimestamp(null)).toBeNull();
  });

  // Found by test/mapping-totality.unit.test.ts (seed 20261306): Date.parse guesses a
  // date from almost anything ("x 7" is 1 July 2001, "1" is 1 January 2001), and a
  // timestamp without a zone is read in the broker's own time zone.
  it('converts only a spelling that names a whole instant; anything else passes as sent', () => {
    for (const sent of ['1', 'x 7', 'May 5', '2024', '2023-11-21 14:23:54', 'Tue, 3 Jan'])
      expect(normalizeTimestamp(sent), sent).toBe(sent);
    expect(normalizeTimestamp('Wed, 07 Feb 2024 12:55:20 +0100')).toBe('2024-02-07T11:55:20.000Z');
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
  const context = {
    typeName: 'Contractor',
    roles: [],
    mapping: {},
    dateFormatOf: (uid: string) => (uid === 'start_date' ? ('dd/mm/yyyy' as const) : undefined),
  };

  it('reads each date in its attribute format, and null when the format is unknown', () => {
    const attributes = { start_date: '13/01/2024', end_date: '01/13/2024' };
    const user = profileToUser({ ...base, name: 'A', attributes }, context);
    expect([user.start_date, user.end_date]).toEqual(['2024-01-13', null]);
  });

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

  it('tries a mapped uid first and then the fallbacks, so mapping one type strips no other', () => {
    const mapping = { email: 'partner_email' };
    const partner = profileToUser(
      {
        ...base,
        name: 'A',
        attributes: { partner_email: 'p@partner.example', email: 'e@x.example' },
      },
      { ...context, mapping },
    );
    expect(partner.emails[0]?.email).toBe('p@partner.example');
    const other = profileToUser(
      { ...base, name: 'A', attributes: { email: 'e@x.example' } },
      { ...context, mapping },
    );
    expect(other.emails).toEqual([{ email: 'e@x.example', type: 'work', is_primary: true }]);
  });

  it('lets a per-type entry win for profiles of that type only', () => {
    const mapping = { title: 'title', by_profile_type: { contractor: { title: 'role_name' } } };
    const attributes = { title: 'Generic', role_name: 'Specific' };
    const contractor = profileToUser(
      { ...base, name: 'A', attributes },
      { ...context, mapping, typeUid: 'contractor' },
    );
    const vendor = profileToUser(
      { ...base, name: 'A', attributes },
      { ...context, mapping, typeUid: 'vendor_contact' },
    );
    expect([contractor.title, vendor.title]).toEqual(['Specific', 'Generic']);
  });

  it('takes names from one source: the attributes when either exists, else the split name', () => {
    const user = profileToUser(
      { ...base, name: 'Mary Ann Smith', attributes: { first_name: 'Mary Ann' } },
      context,
    );
    expect([user.first_name, user.last_name]).toEqual(['Mary Ann', null]);
    const onlyLast = profileToUser(
      { ...base, name: 'Mary Ann Smith', attributes: { surname: 'Smith' } },
      context,
    );
    expect([onlyLast.first_name, onlyLast.last_name]).toEqual([null, 'Smith']);
  });

  it('maps a status NERM does not document to inactive, never active, and says so', () => {
    const seen: string[] = [];
    const user = profileToUser(
      { ...base, status: 'Suspended', name: 'A', attributes: {} },
      { ...context, onUnknownStatus: (status) => seen.push(status) },
    );
    expect(user.status).toBe('inactive');
    expect(seen).toEqual(['Suspended']);
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

  it('reads missing, null, empty and non-string attributes as absent, never as an error', () => {
    const bare = profileToUser({ ...base, name: 'Ada Lovelace', attributes: null }, context);
    expect(bare).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      emails: [],
      title: null,
      start_date: null,
      end_date: null,
    });
    const odd = profileToUser(
      {
        ...base,
        name: null,
        attributes: {
          first_name: null,
          last_name: '  ',
          email: 42,
          personal_email: ['x@example.com'],
          job_title: { label: 'Auditor' },
          start_date: null,
        },
      },
      context,
    );
    expect(odd).toMatchObject({
      name: null,
      first_name: null,
      last_name: null,
      emails: [],
      title: null,
      start_date: null,
    });
    expect(odd).not.toHaveProperty('remote_data');
    expect(
      profileToUser({ ...base, attributes: {} }, { ...context, includeRemoteData: true }),
    ).toHaveProperty('remote_data.id', 'p1');
  });
});

describe('candidatesFor', () => {
  const mapping = { email: 'mail', by_profile_type: { contractor: { email: 'contractor_mail' } } };

  it('works each field out once per mapping and profile type (a page asks per user)', () => {
    const first = candidatesFor('email', mapping, 'contractor');
    expect(first).toEqual(['contractor_mail', 'mail', ...ATTRIBUTE_FALLBACKS.email]);
    expect(candidatesFor('email', mapping, 'contractor')).toBe(first);
    expect(candidatesFor('email', mapping, null)).toEqual(['mail', ...ATTRIBUTE_FALLBACKS.email]);
    expect(candidatesFor('email', mapping, null)).toBe(candidatesFor('email', mapping, undefined));
  });

  it('reads another mapping afresh, never an earlier one', () => {
    expect(candidatesFor('email', mapping, null)[0]).toBe('mail');
    expect(candidatesFor('email', { email: 'other_mail' }, null)[0]).toBe('other_mail');
    expect(candidatesFor('email', {}, 'contractor')).toBe(ATTRIBUTE_FALLBACKS.email);
  });
});
