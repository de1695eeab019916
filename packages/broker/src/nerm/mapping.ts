import type {
  FieldMapping,
  MappableField,
  Role,
  User,
  UserEmail,
  UserStatus,
} from '@nerm-connect/shared';
import { readNermDate, type NermDateFormat } from './dates.ts';
import type { NermProfile, NermRole } from './schemas.ts';

export type { NermProfile, NermProfileType, NermRole } from './schemas.ts';

/** Profile type categories whose profiles are people (docs/architecture.md, "The unified model"). */
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

/** Candidates per mapping and profile type, worked out once: a page asks for the same ones per user. */
const candidateCache = new WeakMap<
  FieldMapping,
  Map<string, Map<MappableField, readonly string[]>>
>();

/**
 * Attribute uids tried for a field, in order: the profile type's own mapping, the
 * account's, then the built-in fallbacks. Mapping a field never hides the fallbacks.
 * A field mapping is read as it was first seen: it is parsed from storage, never changed.
 */
export function candidatesFor(
  field: MappableField,
  mapping: FieldMapping,
  typeUid?: string | null,
): readonly string[] {
  let byType = candidateCache.get(mapping);
  if (!byType) candidateCache.set(mapping, (byType = new Map()));
  const typeKey = typeUid ?? '';
  let byField = byType.get(typeKey);
  if (!byField) byType.set(typeKey, (byField = new Map()));
  let found = byField.get(field);
  if (!found) byField.set(field, (found = uncachedCandidates(field, mapping, typeUid)));
  return found;
}

function uncachedCandidates(
  field: MappableField,
  mapping: FieldMapping,
  typeUid?: string | null,
): readonly string[] {
  const perType = typeUid ? mapping.by_profile_type?.[typeUid]?.[field] : undefined;
  const mapped = [perType, mapping[field]].filter((u): u is string => typeof u === 'string');
  return mapped.length === 0
    ? ATTRIBUTE_FALLBACKS[field]
    : [...new Set([...mapped, ...ATTRIBUTE_FALLBACKS[field]])];
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** The first candidate attribute holding a value: the value and where it came from. */
function pick(
  attributes: Record<string, unknown>,
  field: MappableField,
  mapping: FieldMapping,
  typeUid?: string | null,
): { uid: string; value: string } | null {
  for (const uid of candidatesFor(field, mapping, typeUid)) {
    const value = text(attributes[uid]);
    if (value !== null) return { uid, value };
  }
  return null;
}

function attribute(
  attributes: Record<string, unknown>,
  field: MappableField,
  mapping: FieldMapping,
  typeUid?: string | null,
): string | null {
  for (const uid of candidatesFor(field, mapping, typeUid)) {
    const value = text(attributes[uid]);
    if (value !== null) return value;
  }
  return null;
}

/** A date in its attribute's own format; null when absent, unreadable or of unknown format. */
function dateOf(
  attributes: Record<string, unknown>,
  field: 'start_date' | 'end_date',
  context: MappingContext,
): string | null {
  const picked = pick(attributes, field, context.mapping, context.typeUid);
  const format = picked ? context.dateFormatOf(picked.uid) : undefined;
  return picked && format ? readNermDate(picked.value, format) : null;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** A spelling that names a whole instant: a four-digit year, a time, and a zone at the end. */
const WHOLE_INSTANT = /\b\d{4}\b.*\b\d{1,2}:\d{2}\b.*(?:Z|GMT|UTC|[+-]\d{2}:?\d{2})$/i;

/**
 * NERM's `2023-11-21T14:23:54.256-05:00` is ISO 8601 already and passes as is (the
 * tenant's offset kept); another spelling of a whole instant (`Wed, 07 Feb 2024 12:55:20
 * GMT`) is converted to UTC ISO 8601. Anything else passes as sent: Date.parse guesses a
 * date from almost any text ("x 7" is 1 July 2001), and a time without a zone would be
 * read in the broker's own.
 */
export function normalizeTimestamp(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  if (ISO_TIMESTAMP.test(value) || !WHOLE_INSTANT.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

function splitName(name: string | null): [string | null, string | null] {
  if (name === null) return [null, null];
  const space = name.indexOf(' ');
  if (space < 0) return [name, null];
  return [text(name.slice(0, space)), text(name.slice(space + 1))];
}

function emailsOf(
  attributes: Record<string, unknown>,
  mapping: FieldMapping,
  typeUid?: string | null,
): UserEmail[] {
  const found: UserEmail[] = [];
  const work = attribute(attributes, 'email', mapping, typeUid);
  const personal = attribute(attributes, 'personal_email', mapping, typeUid);
  // The first one found is the primary.
  if (work) found.push({ email: work, type: 'work', is_primary: true });
  if (personal && personal.toLowerCase() !== work?.toLowerCase()) {
    found.push({ email: personal, type: 'personal', is_primary: found.length === 0 });
  }
  return found;
}

export interface MappingContext {
  typeName: string | null;
  roles: { id: string; name: string | null }[];
  mapping: FieldMapping;
  /** The profile type's uid, for `field_mapping.by_profile_type`. */
  typeUid?: string | null;
  /** Told of a status NERM does not document (mapped to inactive), to be logged. */
  onUnknownStatus?: (status: string, profile: NermProfile) => void;
  /** Each attribute's `date_format`, undefined when the tenant does not say. */
  dateFormatOf: (uid: string) => NermDateFormat | undefined;
  /** Add `remote_data`, the profile as NERM sent it (`include_remote_data=true`). */
  includeRemoteData?: boolean;
}

/** One NERM person profile → one unified User, exactly as docs/architecture.md, "The unified model", tabulates. */
export function profileToUser(profile: NermProfile, context: MappingContext): User {
  const attributes = (
    profile.attributes && typeof profile.attributes === 'object' ? profile.attributes : {}
  ) as Record<string, unknown>;
  const name = text(profile.name);
  // Names come from one source: the name attributes when the profile has either, else
  // `name` split at its first space (never an attribute mixed with half a split).
  const { mapping, typeUid } = context;
  const first = attribute(attributes, 'first_name', mapping, typeUid);
  const last = attribute(attributes, 'last_name', mapping, typeUid);
  const [givenName, familyName] = first !== null || last !== null ? [first, last] : splitName(name);
  const status = STATUS_FROM_NERM[String(profile.status)];
  if (status === undefined) context.onUnknownStatus?.(String(profile.status), profile);
  return {
    id: profile.id,
    external_id: text(profile.uid),
    name,
    first_name: givenName,
    last_name: familyName,
    emails: emailsOf(attributes, mapping, typeUid),
    title: attribute(attributes, 'title', mapping, typeUid),
    // A status NERM does not document is never taken for active.
    status: status ?? 'inactive',
    user_type: context.typeName,
    roles: context.roles,
    start_date: dateOf(attributes, 'start_date', context),
    end_date: dateOf(attributes, 'end_date', context),
    created_at: normalizeTimestamp(profile.created_at),
    updated_at: normalizeTimestamp(profile.updated_at),
    ...(context.includeRemoteData === true ? { remote_data: profile } : {}),
  };
}

/** One NERM role → one unified Role; `remote_data` only when asked for. */
export function roleToUnified(role: NermRole, includeRemoteData = false): Role {
  return {
    id: role.id,
    name: text(role.name),
    external_id: text(role.uid),
    groups: Array.isArray(role.groups)
      ? role.groups.filter((g): g is string => typeof g === 'string')
      : [],
    ...(includeRemoteData ? { remote_data: role } : {}),
  };
}
