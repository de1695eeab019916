import { describe, expect, it } from 'vitest';
import { BrokerError } from '../errors.ts';
import { nermIssues } from '../nerm/lists.ts';
import type { NermAttribute } from '../nerm/schemas.ts';
import { nermAttributes } from './nerm-attributes.ts';

/** The tenant's attributes by uid, and how often they were asked for. */
function tenantAttributes(...attributes: [uid: string, dateFormat?: string][]) {
  const asked = { count: 0 };
  const byUid = new Map<string, NermAttribute>(
    attributes.map(([uid, date_format]) => [uid, { uid, data_type: 'string', date_format }]),
  );
  const lookup = async () => {
    asked.count++;
    return byUid;
  };
  return { lookup, asked };
}

describe('nermAttributes (unified fields → NERM attribute uids)', () => {
  it('writes each field to the first fallback uid the tenant defines', async () => {
    const { lookup } = tenantAttributes(['firstname'], ['surname'], ['work_email'], ['title']);
    const { attributes } = await nermAttributes(
      {
        first_name: 'Ada',
        last_name: 'Lovelace',
        title: 'Analyst',
        emails: [{ email: 'ada@example.com', type: 'work' }],
      },
      {},
      'contractor',
      lookup,
    );
    expect(attributes).toEqual({
      firstname: 'Ada',
      surname: 'Lovelace',
      title: 'Analyst',
      work_email: 'ada@example.com',
    });
  });

  it('falls back to the first uid of the list when the tenant will not say', async () => {
    const { attributes } = await nermAttributes({ first_name: 'Ada' }, {}, null, async () => null);
    expect(attributes).toEqual({ first_name: 'Ada' });
  });

  it("uses the account's mapping, a profile type's own entry winning, and reads nothing then", async () => {
    const { lookup, asked } = tenantAttributes(['first_name'], ['job_title']);
    const mapping = {
      first_name: 'given',
      title: 'role_name',
      by_profile_type: { contractor: { title: 'contract_title' } },
    };
    const contractor = await nermAttributes(
      { first_name: 'Ada', title: 'Analyst' },
      mapping,
      'contractor',
      lookup,
    );
    expect(contractor.attributes).toEqual({ given: 'Ada', contract_title: 'Analyst' });
    const employee = await nermAttributes({ title: 'Analyst' }, mapping, 'employee', lookup);
    expect(employee.attributes).toEqual({ role_name: 'Analyst' });
    expect(asked.count).toBe(0);
  });

  it("writes dates in the format of the attribute they go to, and refuses one NERM won't describe", async () => {
    const { lookup } = tenantAttributes(['start_date', 'dd/mm/yyyy'], ['end_date']);
    const { attributes } = await nermAttributes(
      { start_date: '2030-01-31' },
      {},
      undefined,
      lookup,
    );
    expect(attributes).toEqual({ start_date: '31/01/2030' });
    const refused = await nermAttributes({ end_date: '2030-01-31' }, {}, undefined, lookup).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(BrokerError);
    expect((refused as BrokerError).issues).toEqual([
      { code: 'unknown_date_format', path: ['end_date'], message: 'no date_format for end_date' },
    ]);
  });

  it('refuses two emails of one type, and passes raw attributes through by uid', async () => {
    const { lookup } = tenantAttributes(['email'], ['personal_email']);
    const two = await nermAttributes(
      {
        emails: [
          { email: 'a@example.com', type: 'work' },
          { email: 'b@example.com', type: 'work' },
        ],
      },
      {},
      undefined,
      lookup,
    ).catch((error: unknown) => error);
    expect((two as BrokerError).issues?.[0]).toMatchObject({
      code: 'too_many_emails',
      path: ['emails'],
    });
    const { attributes } = await nermAttributes(
      { emails: [{ email: 'p@example.com', type: 'personal' }], attributes: { badge: '7' } },
      {},
      undefined,
      lookup,
    );
    expect(attributes).toEqual({ personal_email: 'p@example.com', badge: '7' });
  });

  it("names NERM's field errors by the caller's own fields", async () => {
    const { lookup } = tenantAttributes(['firstname'], ['work_email']);
    const { renames } = await nermAttributes(
      {
        first_name: 'Ada',
        emails: [{ email: 'ada@example.com', type: 'work' }],
        attributes: { badge: '7' },
      },
      { title: 'role_name' },
      undefined,
      lookup,
    );
    const body = {
      error: 'Validation failed',
      errors: {
        firstname: ["can't be blank"],
        work_email: ['is invalid'],
        badge: ['is taken', 'is too long'],
        profile_type_id: ['is not allowed'],
        status: ['is invalid'],
        cost_center: [{ detail: 'odd' }],
      },
    };
    expect(nermIssues(body, renames).map((i) => [i.path, i.message])).toEqual([
      [['first_name'], "can't be blank"],
      [['emails'], 'is invalid'],
      [['attributes', 'badge'], 'is taken'],
      [['attributes', 'badge'], 'is too long'],
      [['user_type'], 'is not allowed'],
      [['status'], 'is invalid'],
      [['attributes', 'cost_center'], '{"detail":"odd"}'],
    ]);
    expect(nermIssues({ error: 'no field errors' }, renames)).toEqual([]);
  });
});
