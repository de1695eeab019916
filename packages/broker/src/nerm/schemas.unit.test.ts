import { describe, expect, it } from 'vitest';
import { BrokerError } from '../errors.ts';
import type { NermResponse } from './nerm-client.ts';
import { NermProfile, listAnswer, objectAnswer, parseAnswer } from './schemas.ts';

const answer = (body: unknown): NermResponse => ({
  status: 200,
  headers: {},
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});

describe("NERM's answers, parsed at the edge", () => {
  it('keeps the fields it does not know (remote_data is the profile as sent)', () => {
    const profile = parseAnswer(
      objectAnswer('profile', NermProfile),
      answer({ profile: { id: 'p1', name: 'Ada', id_proofing_status: 'pass' } }),
      'profile',
    );
    expect(profile).toEqual({ id: 'p1', name: 'Ada', id_proofing_status: 'pass' });
  });

  it('accepts null where a field is optional, and an odd _metadata as no metadata', () => {
    const page = parseAnswer(
      listAnswer('profiles', NermProfile),
      answer({ profiles: [{ id: 'p1', uid: null, attributes: null }], _metadata: { total: 'x' } }),
      'profiles',
    );
    expect(page.items).toEqual([{ id: 'p1', uid: null, attributes: null }]);
    expect(page.metadata?.total).toBeUndefined();
  });

  it("takes a profile's attributes as sent: checked to be an object, not copied key by key", () => {
    const raw = { id: 'p1', attributes: { first_name: 'Ada', start_date: '01/02/2024' } };
    expect(NermProfile.parse(raw).attributes).toBe(raw.attributes);
  });

  it.each([[['x']], ['text'], [7], [true]])('refuses a profile whose attributes are %j', (attributes) => {
    const parse = () =>
      parseAnswer(
        listAnswer('profiles', NermProfile),
        answer({ profiles: [{ id: 'p1', attributes }] }),
        'profiles',
      );
    expect(parse).toThrow(BrokerError);
    expect(parse).toThrow("NERM's profiles answer was not in the shape NERM documents");
  });

  it('reads the keyset metadata: the id to continue after, or null at the end', () => {
    const parse = (after_id: unknown) =>
      parseAnswer(
        listAnswer('profiles', NermProfile),
        answer({ profiles: [], _metadata: { after_id } }),
        'profiles',
      ).metadata?.after_id;
    expect(parse('p9')).toBe('p9');
    expect(parse(null)).toBeNull();
  });

  it.each([
    ['a profile without an id', { profile: { name: 'Ada' } }],
    ['no profile at all', { profiles: [] }],
    ['not JSON', '<html>502</html>'],
  ])('refuses %s as upstream_error', (_name, body) => {
    const parse = () => parseAnswer(objectAnswer('profile', NermProfile), answer(body), 'profile');
    expect(parse).toThrow(BrokerError);
    expect(parse).toThrow(expect.objectContaining({ code: 'upstream_error' }));
  });

  it('refuses a list whose items lack ids', () => {
    expect(() =>
      parseAnswer(listAnswer('profiles', NermProfile), answer({ profiles: [{}] }), 'profiles'),
    ).toThrow(expect.objectContaining({ code: 'upstream_error' }));
  });
});

describe('answer schemas are built once per resource and item schema', () => {
  it('hands out the same list and object schemas again, and others for another resource', () => {
    expect(listAnswer('profiles', NermProfile)).toBe(listAnswer('profiles', NermProfile));
    expect(listAnswer('users', NermProfile)).not.toBe(listAnswer('profiles', NermProfile));
    expect(objectAnswer('profile', NermProfile)).toBe(objectAnswer('profile', NermProfile));
    expect(objectAnswer('role', NermProfile)).not.toBe(objectAnswer('profile', NermProfile));
  });
});
