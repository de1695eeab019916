import { UserSchema, type FieldMapping } from '@nerm-connect/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NERM_DATE_FORMATS, type NermDateFormat } from '../src/nerm/dates.ts';
import { candidatesFor, profileToUser } from '../src/nerm/mapping.ts';
import { NermProfile } from '../src/nerm/schemas.ts';
import { fuzz } from './fuzz.ts';

// Issue 13, item 5: the mapping (NERM profile → unified user) is total over random
// profiles as the broker parses them: it never throws, its answer is a User of the
// contract, and it never invents a date: a start_date/end_date comes out only when a valid
// date in its attribute's own format went in, and a timestamp comes out as sent or as the
// same instant (docs/architecture.md, "The unified model").

const UIDS = [
  'start_date',
  'end_date',
  'first_name',
  'email',
  'personal_email',
  'job_title',
  'hired',
  'until',
];
const SEPARATOR = (format: NermDateFormat) => (format.includes('/') ? '/' : '-');

/** A real calendar date, any year 0001–9999. */
const realDate = fc
  .date({
    min: new Date('0001-01-01T00:00:00Z'),
    max: new Date('9999-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));

/** An ISO date written in a NERM format, day and month padded or not. */
function written(iso: string, format: NermDateFormat, padded: boolean): string {
  const [yyyy, mm, dd] = iso.split('-') as [string, string, string];
  const values = {
    yyyy,
    mm: padded ? mm : String(Number(mm)),
    dd: padded ? dd : String(Number(dd)),
  };
  const sep = SEPARATOR(format);
  return format
    .split(sep)
    .map((part) => values[part as keyof typeof values])
    .join(sep);
}

/** The date `value` names in `format`, read here without the broker's reader; else null. */
function independentRead(value: string, format: NermDateFormat): string | null {
  const sep = SEPARATOR(format);
  const pieces = value.trim().split(sep);
  const parts = format.split(sep);
  if (pieces.length !== 3) return null;
  const got: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const piece = pieces[i] as string;
    if (!(part === 'yyyy' ? /^\d{4}$/ : /^\d{1,2}$/).test(piece)) return null;
    got[part] = piece.padStart(part === 'yyyy' ? 4 : 2, '0');
  }
  const iso = `${got.yyyy}-${got.mm}-${got.dd}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : null;
}

const format = fc.constantFrom(...NERM_DATE_FORMATS);
const attributeValue = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(realDate, format, fc.boolean()).map(([d, f, p]) => written(d, f, p)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.nat(99), fc.constantFrom('/', '-', '.', ' '), fc.nat(99), fc.nat(99_999))
      .map(([a, sep, b, c]) => `${a}${sep}${b}${sep}${c}`),
  },
  fc.string(),
  fc.constantFrom('', ' ', '  13/01/2024 ', '02/30/2024', '2024-02-29', '2023-02-29', '0000-01-01'),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);
const timestamp = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .date({ noInvalidDate: true, min: new Date('1970-01-01'), max: new Date('2100-01-01') })
    .map((d) => d.toUTCString()),
  fc.string(),
  fc.constantFrom('1', '12', '2024', 'May 5', 'x 7', '2023-11-21 14:23:54', 'Tue 3', '0'),
  fc.constant(null),
);

const profile = fc.record(
  {
    id: fc.string({ minLength: 1 }),
    uid: fc.option(fc.string()),
    name: fc.option(fc.string()),
    profile_type_id: fc.option(fc.string()),
    status: fc.option(
      fc.constantFrom('Active', 'Inactive', 'On Leave', 'Terminated', 'Pending', ''),
    ),
    created_at: timestamp,
    updated_at: timestamp,
    attributes: fc.option(fc.dictionary(fc.constantFrom(...UIDS), attributeValue)),
  },
  { requiredKeys: ['id'] },
);
const mapping: fc.Arbitrary<FieldMapping> = fc.record(
  {
    start_date: fc.constantFrom(...UIDS),
    end_date: fc.constantFrom(...UIDS),
    by_profile_type: fc.dictionary(
      fc.constantFrom('t1', 't2'),
      fc.record(
        { start_date: fc.constantFrom(...UIDS), end_date: fc.constantFrom(...UIDS) },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);
const formats = fc.dictionary(fc.constantFrom(...UIDS), format);

describe('profileToUser over random NERM profiles', () => {
  it('never throws, answers a contract User and never invents a date', () => {
    fc.assert(
      fc.property(
        profile,
        mapping,
        formats,
        fc.option(fc.constantFrom('t1', 't2')),
        (raw, map, fmts, typeUid) => {
          const parsed = NermProfile.safeParse(raw);
          if (!parsed.success) return; // the broker refuses such an answer before mapping
          const attributes = (parsed.data.attributes ?? {}) as Record<string, unknown>;
          const dateFormatOf = (uid: string) => fmts[uid];
          const user = profileToUser(parsed.data, {
            typeName: null,
            roles: [],
            mapping: map,
            typeUid,
            dateFormatOf,
          });
          expect(UserSchema.safeParse(user).error).toBeUndefined();
          for (const field of ['start_date', 'end_date'] as const) {
            // The attribute the mapping reads: the first candidate holding text.
            const uid = candidatesFor(field, map, typeUid).find(
              (u) => typeof attributes[u] === 'string' && (attributes[u] as string).trim() !== '',
            );
            const fmt = uid === undefined ? undefined : fmts[uid];
            const expected = uid && fmt ? independentRead(attributes[uid] as string, fmt) : null;
            expect(
              user[field],
              `${field} from ${uid} = ${JSON.stringify(uid && attributes[uid])} in ${fmt}`,
            ).toBe(expected);
          }
          for (const field of ['created_at', 'updated_at'] as const) {
            const sent = parsed.data[field];
            const out = user[field];
            if (typeof sent !== 'string' || sent === '') expect(out).toBeNull();
            else if (out !== sent) {
              // Converted only from a spelling naming a whole instant: a year, a time, a zone.
              const year = Number((out as string).slice(0, 4));
              const years = (sent.match(/\d{4}/g) ?? []).map(Number);
              expect(
                years.some((y) => Math.abs(y - year) <= 1),
                `${field} ${sent} → ${out}`,
              ).toBe(true);
              expect(sent, `${field} → ${out}`).toMatch(
                /\d{1,2}:\d{2}.*(?:Z|GMT|UTC|[+-]\d{2}:?\d{2})$/i,
              );
              expect(Date.parse(out as string)).toBe(Date.parse(sent));
            }
          }
        },
      ),
      fuzz(300),
    );
  });
});
