import { describe, expect, it } from 'vitest';
import { DAY_MS, parseDate } from './dates.ts';
import { seedTenant } from './seed.ts';

const PERSON_CATEGORIES = new Set(['employee', 'non-employee']);

const TODAY = Date.UTC(2026, 2, 15);

describe('seeded tenant', () => {
  const data = seedTenant({ today: TODAY });
  const categoryOf = new Map(data.profileTypes.map((t) => [t.id, t.category]));
  const persons = data.profiles.filter((p) =>
    PERSON_CATEGORIES.has(categoryOf.get(p.profile_type_id) ?? ''),
  );

  it('is deterministic for a seed', () => {
    const again = seedTenant({ today: TODAY });
    expect(again).toEqual(data);
    expect(seedTenant({ seed: 7 }).profiles[0]!.id).not.toBe(data.profiles[0]!.id);
  });

  it('holds at least 1,000 people across several person profile types', () => {
    expect(persons.length).toBeGreaterThanOrEqual(1000);
    const personTypes = new Set(persons.map((p) => p.profile_type_id));
    expect(personTypes.size).toBeGreaterThanOrEqual(3);
    const categories = new Set(persons.map((p) => categoryOf.get(p.profile_type_id)));
    expect(categories).toEqual(new Set(['employee', 'non-employee']));
  });

  it('interleaves organization and assignment profiles with people', () => {
    const kinds = data.profiles.map((p) => categoryOf.get(p.profile_type_id));
    expect(kinds).toContain('organization');
    expect(kinds).toContain('assignment');
    const firstPerson = kinds.findIndex((k) => PERSON_CATEGORIES.has(k ?? ''));
    const lastPerson =
      kinds.length - 1 - [...kinds].reverse().findIndex((k) => PERSON_CATEGORIES.has(k ?? ''));
    const between = kinds.slice(firstPerson, lastPerson);
    expect(between.filter((k) => k === 'assignment').length).toBeGreaterThan(10);
    expect(between.filter((k) => k === 'organization').length).toBeGreaterThan(2);
  });

  it('uses every profile status, including Terminated and On Leave', () => {
    expect(new Set(persons.map((p) => p.status))).toEqual(
      new Set(['Active', 'Inactive', 'On Leave', 'Terminated']),
    );
  });

  it('has names with accents, apostrophes and non-Latin scripts', () => {
    const names = persons.map((p) => p.name);
    expect(names.some((n) => /[éèëöüñçãõ]/i.test(n))).toBe(true);
    expect(names.some((n) => n.includes("'"))).toBe(true);
    expect(names.some((n) => /[\u0400-\u04ff]/.test(n))).toBe(true); // Cyrillic
    expect(names.some((n) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(n))).toBe(true); // CJK
    expect(names.some((n) => /[\u0600-\u06ff]/.test(n))).toBe(true); // Arabic
  });

  it('has people without email and people with only a personal email', () => {
    const workKeys = ['email', 'email_address', 'work_email'];
    const hasWork = (a: Record<string, string>) => workKeys.some((k) => k in a);
    const humans = persons.filter((p) => !p.name.startsWith('svc-'));
    expect(humans.some((p) => !hasWork(p.attributes) && !('personal_email' in p.attributes))).toBe(
      true,
    );
    expect(humans.some((p) => !hasWork(p.attributes) && 'personal_email' in p.attributes)).toBe(
      true,
    );
  });

  it('gives every attribute a date_format, and date attributes different ones', () => {
    const formats = new Map(data.neAttributes.map((a) => [a.uid, a.date_format]));
    expect(data.neAttributes.every((a) => a.date_format !== null)).toBe(true);
    expect(formats.get('start_date')).toBe('dd/mm/yyyy');
    expect(formats.get('end_date')).toBe('dd/mm/yyyy');
    expect(formats.get('activation_date')).toBe('yyyy/mm/dd');
    expect(formats.get('background_check_date')).toBe('mm-dd-yyyy');
  });

  it('writes each date in its own attribute format', () => {
    const formats = new Map(data.neAttributes.map((a) => [a.uid, a]));
    let dates = 0;
    for (const p of data.profiles) {
      for (const [uid, value] of Object.entries(p.attributes)) {
        const attribute = formats.get(uid)!;
        if (attribute.data_type !== 'date') continue;
        dates++;
        expect(parseDate(value, attribute.date_format!), `${uid} ${value}`).toBeDefined();
      }
    }
    expect(dates).toBeGreaterThan(2000);
    // Days past the 12th: a dd/mm date that a mm/dd reader would refuse or misread.
    expect(persons.some((p) => Number(p.attributes.start_date?.slice(0, 2)) > 12)).toBe(true);
  });

  it('dates contracts relative to today: active ones end later (some within two weeks), terminated ones earlier', () => {
    const end = (p: (typeof persons)[number]) =>
      p.attributes.end_date ? parseDate(p.attributes.end_date, 'dd/mm/yyyy')! : undefined;
    const active = persons.filter((p) => p.status === 'Active' && end(p) !== undefined);
    const terminated = persons.filter((p) => p.status === 'Terminated' && end(p) !== undefined);
    expect(active.length).toBeGreaterThan(100);
    expect(active.every((p) => end(p)! > TODAY)).toBe(true);
    expect(active.some((p) => end(p)! <= TODAY + 14 * DAY_MS)).toBe(true);
    expect(terminated.length).toBeGreaterThan(50);
    expect(terminated.every((p) => end(p)! < TODAY)).toBe(true);
    const stamps = data.profiles.flatMap((p) => [
      Date.parse(p.created_at),
      Date.parse(p.updated_at),
    ]);
    expect(Math.max(...stamps)).toBeLessThan(TODAY + DAY_MS);
  });

  it('links people to roles and console users to roles', () => {
    expect(data.roles.length).toBeGreaterThanOrEqual(5);
    expect(data.roleProfiles.length).toBeGreaterThan(persons.length / 2);
    expect(data.users.length).toBeGreaterThan(10);
    expect(data.userRoles.length).toBeGreaterThanOrEqual(data.users.length);
  });

  it('scales to a requested number of people', () => {
    const big = seedTenant({ persons: 10_000 });
    const cat = new Map(big.profileTypes.map((t) => [t.id, t.category]));
    expect(
      big.profiles.filter((p) => PERSON_CATEGORIES.has(cat.get(p.profile_type_id) ?? '')),
    ).toHaveLength(10_000);
  });
});
