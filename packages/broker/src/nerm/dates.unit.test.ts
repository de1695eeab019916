import { describe, expect, it } from 'vitest';
import { NERM_DATE_FORMATS, readNermDate, writeNermDate } from './dates.ts';

describe('NERM dates in their attribute format', () => {
  it.each([
    ['03/04/2024', 'dd/mm/yyyy', '2024-04-03'],
    ['03/04/2024', 'mm/dd/yyyy', '2024-03-04'],
    ['13/01/2024', 'dd/mm/yyyy', '2024-01-13'],
    ['13/01/2024', 'mm/dd/yyyy', null],
    ['2024/01/13', 'yyyy/mm/dd', '2024-01-13'],
    ['01-13-2024', 'mm-dd-yyyy', '2024-01-13'],
    ['13-01-2024', 'dd-mm-yyyy', '2024-01-13'],
    ['2024-01-13', 'yyyy-mm-dd', '2024-01-13'],
    ['3/4/2024', 'dd/mm/yyyy', '2024-04-03'],
    ['29/02/2024', 'dd/mm/yyyy', '2024-02-29'],
    ['29/02/2023', 'dd/mm/yyyy', null],
    ['31/04/2024', 'dd/mm/yyyy', null],
    ['2024-01-13', 'dd/mm/yyyy', null],
    ['13/01/24', 'dd/mm/yyyy', null],
    ['next tuesday', 'mm/dd/yyyy', null],
    ['', 'yyyy-mm-dd', null],
  ] as const)('reads %j in %s as %j', (value, format, iso) => {
    expect(readNermDate(value, format)).toBe(iso);
  });

  it.each([
    ['dd/mm/yyyy', '03/04/2025'],
    ['mm/dd/yyyy', '04/03/2025'],
    ['yyyy/mm/dd', '2025/04/03'],
    ['mm-dd-yyyy', '04-03-2025'],
    ['dd-mm-yyyy', '03-04-2025'],
    ['yyyy-mm-dd', '2025-04-03'],
  ] as const)('writes 2025-04-03 in %s as %s', (format, written) => {
    expect(writeNermDate('2025-04-03', format)).toBe(written);
  });

  it('reads back what it writes, in every format', () => {
    for (const format of NERM_DATE_FORMATS) {
      expect(readNermDate(writeNermDate('2031-12-09', format), format)).toBe('2031-12-09');
    }
  });

  // Found by test/mapping-totality.unit.test.ts (seed 20261306): a year below 100 went
  // through Date.UTC, which reads it as 19xx, so a valid date came out null.
  it('reads a four-digit year below 100 as written', () => {
    expect(readNermDate('31/12/0099', 'dd/mm/yyyy')).toBe('0099-12-31');
    expect(readNermDate('0004-02-29', 'yyyy-mm-dd')).toBe('0004-02-29');
    expect(readNermDate('0099-02-29', 'yyyy-mm-dd')).toBeNull();
  });
});

describe('which dates are real', () => {
  /** What Date's calendar (proleptic Gregorian, any year) says. */
  function dateSays(year: number, month: number, day: number): boolean {
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    return (
      date.getUTCFullYear() === year &&
      date.getUTCMonth() === month - 1 &&
      date.getUTCDate() === day
    );
  }

  it('agrees with Date on every day 0–32 of months 0–13 over leap and century years', () => {
    const years = [0, 1, 4, 99, 100, 200, 400, 1600, 1700, 1900, 2000, 2023, 2024, 2100, 2400, 9999];
    let real = 0;
    for (const year of years)
      for (let month = 0; month <= 13; month++)
        for (let day = 0; day <= 32; day++) {
          const iso = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const expected = dateSays(year, month, day) ? iso : null;
          expect(readNermDate(iso, 'yyyy-mm-dd'), iso).toBe(expected);
          if (expected) real++;
        }
    // 16 years of 365 days, plus 29 February in 0, 4, 400, 1600, 2000, 2024, 2400.
    expect(real).toBe(16 * 365 + 7);
  });
});
