/**
 * NERM date attributes: each attribute has its own `date_format` (GET /api/ne_attributes),
 * one of six. Values are stored and answered as strings in that format.
 */
export const DATE_FORMATS = [
  'mm/dd/yyyy',
  'mm-dd-yyyy',
  'dd/mm/yyyy',
  'dd-mm-yyyy',
  'yyyy/mm/dd',
  'yyyy-mm-dd',
] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const DAY_MS = 86_400_000;

/** A UTC day (milliseconds) written in `format`. */
export function formatDate(ms: number, format: DateFormat): string {
  const d = new Date(ms);
  const parts: Record<string, string> = {
    yyyy: String(d.getUTCFullYear()).padStart(4, '0'),
    mm: String(d.getUTCMonth() + 1).padStart(2, '0'),
    dd: String(d.getUTCDate()).padStart(2, '0'),
  };
  const sep = format.includes('/') ? '/' : '-';
  return format
    .split(sep)
    .map((p) => parts[p])
    .join(sep);
}

/** The UTC day `value` names in `format`, or undefined when it is not a real date in it. */
export function parseDate(value: string, format: DateFormat): number | undefined {
  const sep = format.includes('/') ? '/' : '-';
  const order = format.split(sep);
  const parts = value.split(sep);
  if (parts.length !== 3) return undefined;
  const got: Record<string, number> = {};
  for (const [i, key] of order.entries()) {
    const part = parts[i] ?? '';
    if (!new RegExp(`^\\d{${key.length}}$`).test(part)) return undefined;
    got[key] = Number(part);
  }
  const { yyyy = 0, mm = 0, dd = 0 } = got;
  const ms = Date.UTC(yyyy, mm - 1, dd);
  const d = new Date(ms);
  return d.getUTCFullYear() === yyyy && d.getUTCMonth() === mm - 1 && d.getUTCDate() === dd
    ? ms
    : undefined;
}

/** Midnight UTC of the day `ms` falls in. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export { DAY_MS };
