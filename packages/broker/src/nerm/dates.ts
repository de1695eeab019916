/**
 * NERM date attributes: each has its own `date_format` (GET /api/ne_attributes), one of six
 * (docs/nerm-live-behaviour.md). A value is read, and written, in its attribute's format;
 * the unified model says ISO `yyyy-mm-dd`.
 */
export const NERM_DATE_FORMATS = [
  'mm/dd/yyyy',
  'mm-dd-yyyy',
  'dd/mm/yyyy',
  'dd-mm-yyyy',
  'yyyy/mm/dd',
  'yyyy-mm-dd',
] as const;
export type NermDateFormat = (typeof NERM_DATE_FORMATS)[number];

export function isNermDateFormat(value: unknown): value is NermDateFormat {
  return (NERM_DATE_FORMATS as readonly unknown[]).includes(value);
}

type Part = 'yyyy' | 'mm' | 'dd';
type Layout = { parts: Part[]; separator: '/' | '-' };

function layoutOf(format: NermDateFormat): Layout {
  const separator = format.includes('/') ? '/' : '-';
  return { parts: format.split(separator) as Part[], separator };
}

/** Each format's parts, split once (a users page reads two dates per person). */
const LAYOUTS = new Map<NermDateFormat, Layout>(NERM_DATE_FORMATS.map((f) => [f, layoutOf(f)]));
const layout = (format: NermDateFormat): Layout => LAYOUTS.get(format) ?? layoutOf(format);
const YEAR = /^\d{4}$/;
const DAY_OR_MONTH = /^\d{1,2}$/;

/** The proleptic Gregorian calendar's days in each month, as Date counts them. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isRealDate(year: number, month: number, day: number): boolean {
  // Counted, not a Date built per value (a users page reads two per person).
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `value` read in `format`, as `yyyy-mm-dd`; null when it is not a real date in that format
 * (`13/01/2024` is 13 January in `dd/mm/yyyy` and no date at all in `mm/dd/yyyy`). Day and
 * month may drop their leading zero; the year has four digits.
 */
export function readNermDate(value: string, format: NermDateFormat): string | null {
  const { parts, separator } = layout(format);
  const pieces = value.trim().split(separator);
  if (pieces.length !== 3) return null;
  let yyyy = 0;
  let mm = 0;
  let dd = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as Part;
    const piece = pieces[i] ?? '';
    if (!(part === 'yyyy' ? YEAR : DAY_OR_MONTH).test(piece)) return null;
    if (part === 'yyyy') yyyy = Number(piece);
    else if (part === 'mm') mm = Number(piece);
    else dd = Number(piece);
  }
  return isRealDate(yyyy, mm, dd) ? `${pad(yyyy, 4)}-${pad(mm)}-${pad(dd)}` : null;
}

/** An ISO `yyyy-mm-dd` written in `format`. */
export function writeNermDate(iso: string, format: NermDateFormat): string {
  const [yyyy = '', mm = '', dd = ''] = iso.split('-');
  const values: Record<Part, string> = { yyyy, mm, dd };
  const { parts, separator } = layout(format);
  return parts.map((part) => values[part]).join(separator);
}
