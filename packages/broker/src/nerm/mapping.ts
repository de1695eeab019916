import type {
  FieldMapping,
  MappableField,
  Role,
  User,
  UserEmail,
  UserStatus,
} from '@nerm-connect/shared';
import type { NermProfile, NermRole } from './schemas.ts';

export type { NermProfile, NermProfileType, NermRole } from './schemas.ts';

/** Profile type categories whose profiles are people (CONTRACT §4). */
export const PERSON_CATEGORIES = new Set(['employee', 'non-employee']);

/** Attribute uids tried in order for each unified field, unless the account maps it. */
export const ATTRIBUTE_FALLBACKS: Record<MappableField, readonly string[]> = {
  first_name: ['first_name', 'firstname', 'given_name'],
  last_name: ['last_name', 'lastname', 'surname', 'family_name'],
  email: ['email', 'email_address', 'work_email'],
  personal_email: ['personal_email'],
  title: ['job_title', 'title'],
  start_date: ['start_date'],
  end_date: ['end_date'],
};

export const STATUS_FROM_NERM: Record<string, UserStatus> = {
  Active: 'active',
  Inactive: 'inactive',
  'On Leave': 'inactive',
  Terminated: 'deleted',
};

export const STATUS_TO_NERM: Record<UserStatus, string> = {
  active: 'Active',
  inactive: 'Inactive',
  deleted: 'Terminated',
};

export function candidatesFor(field: MappableField, mapping: FieldMapping): readonly string[] {
  const override = mapping[field];
  return override ? [override] : ATTRIBUTE_FALLBACKS[field];
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function attribute(
  attributes: Record<string, unknown>,
  field: MappableField,
  mapping: FieldMapping,
): string | null {
  for (const uid of candidatesFor(field, mapping)) {
    const value = text(attributes[uid]);
    if (value !== null) return value;
  }
  return null;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/;

/** NERM writes dates as `mm/dd/yyyy`; the unified model says `yyyy-mm-dd`. Invalid → null. */
export function nermDateToIso(value: string | null): string | null {
  if (value === null) return null;
  let year: number, month: number, day: number;
  const us = US_DATE.exec(value);
  if (us) [month, day, year] = [Number(us[1]), Number(us[2]), Number(us[3])];
  else {
    const iso = ISO_DATE.exec(value);
    if (!iso) return null;
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const lastDay = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > lastDay) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function isoDateToNerm(value: string): string {
  const [year, month, day] = value.split('-');
  return `${month}/${day}/${year}`;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * NERM's `2023-11-21T14:23:54.256-05:00` is ISO 8601 already and passes as is (the
 * tenant's offset kept); other spellings NERM has used are converted to UTC ISO 8601.
 */
export function normalizeTimestamp(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  if (ISO_TIMESTAMP.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

function splitName(name: string | null): [string | null, string | null] {
  if (name === null) return [null, null];
  const space = name.indexOf(' ');
  if (space < 0) return [name, null];
  return [text(name.slice(0, space)), text(name.slice(space + 1))];
}

function emailsOf(attributes: Record<string, unknown>, mapping: FieldMapping): UserEmail[] {
  const found: UserEmail[] = [];
  const work = attribute(attributes, 'email', mapping);
  const personal = attribute(attributes, 'personal_email', mapping);
  if (work) found.push({ email: work, type: 'work', is_primary: false });
  if (personal && personal.toLowerCase() !== work?.toLowerCase()) {
    found.push({ email: personal, type: 'personal', is_primary: false });
  }
  return found.map((e, i) => ({ ...e, is_primary: i === 0 }));
}

export interface MappingContext {
  typeName: string | null;
  roles: { id: string; name: string | null }[];
  mapping: FieldMapping;
}

/** One NERM person profile → one unified User, exactly as CONTRACT §4 tabulates. */
export function profileToUser(profile: NermProfile, context: MappingContext): User {
  const attributes = (
    profile.attributes && typeof profile.attributes === 'object' ? profile.attributes : {}
  ) as Record<string, unknown>;
  const name = text(profile.name);
  const [splitFirst, splitLast] = splitName(name);
  return {
    id: profile.id,
    external_id: text(profile.uid),
    name,
    first_name: attribute(attributes, 'first_name', context.mapping) ?? splitFirst,
    last_name: attribute(attributes, 'last_name', context.mapping) ?? splitLast,
    emails: emailsOf(attributes, context.mapping),
    title: attribute(attributes, 'title', context.mapping),
    status: STATUS_FROM_NERM[String(profile.status)] ?? 'inactive',
    user_type: context.typeName,
    roles: context.roles,
    start_date: nermDateToIso(attribute(attributes, 'start_date', context.mapping)),
    end_date: nermDateToIso(attribute(attributes, 'end_date', context.mapping)),
    created_at: normalizeTimestamp(profile.created_at),
    updated_at: normalizeTimestamp(profile.updated_at),
    remote_data: profile,
  };
}

export function roleToUnified(role: NermRole): Role {
  return {
    id: role.id,
    name: text(role.name),
    external_id: text(role.uid),
    groups: Array.isArray(role.groups)
      ? role.groups.filter((g): g is string => typeof g === 'string')
      : [],
    remote_data: role,
  };
}
