import {
  MAPPABLE_FIELDS,
  type CreateUserBody,
  type FieldMapping,
  type MappableField,
  type UpdateUserBody,
} from '@nerm-connect/shared';
import type { z } from 'zod';
import { BrokerError } from '../errors.ts';
import { isNermDateFormat, writeNermDate } from '../nerm/dates.ts';
import { ATTRIBUTE_FALLBACKS } from '../nerm/mapping.ts';
import type { NermAttribute } from '../nerm/schemas.ts';

export type CreateBody = z.output<typeof CreateUserBody>;
export type UpdateBody = z.output<typeof UpdateUserBody>;

/** Where NERM's field errors point, in the caller's own words. */
export type Renames = (field: string) => (string | number)[];

/**
 * Unified fields → NERM attributes: the account's mapping first (a profile type's own
 * entry winning), else the first fallback uid this tenant defines; dates in the format of
 * the attribute they go to. Also returns how to name NERM's field errors. The tenant's
 * attributes are read only when a field needs them (docs/architecture.md, "The unified model").
 */
export async function nermAttributes(
  body: CreateBody | UpdateBody,
  fieldMapping: FieldMapping,
  typeUid: string | null | undefined,
  attributesByUid: () => Promise<Map<string, NermAttribute> | null>,
): Promise<{ attributes: Record<string, string>; renames: Renames }> {
  // Each field goes where its profile type reads it from: the type's entry, the account's.
  const perType = typeUid ? fieldMapping.by_profile_type?.[typeUid] : undefined;
  const mapping = { ...fieldMapping, ...perType };
  const values: Partial<Record<MappableField, string | undefined>> = {
    first_name: body.first_name,
    last_name: body.last_name,
    title: body.title,
    start_date: body.start_date,
    end_date: body.end_date,
  };
  const emails = body.emails ?? [];
  for (const type of ['work', 'personal'] as const) {
    const matching = emails.filter((e) => e.type === type);
    if (matching.length > 1) {
      throw new BrokerError('invalid_request', `At most one ${type} email can be written to NERM`, {
        issues: [
          { code: 'too_many_emails', path: ['emails'], message: `more than one ${type} email` },
        ],
      });
    }
    if (matching[0]) values[type === 'work' ? 'email' : 'personal_email'] = matching[0].email;
  }
  const needed = MAPPABLE_FIELDS.filter((f) => values[f] !== undefined);
  const dates = needed.some((f) => f === 'start_date' || f === 'end_date');
  const known = dates || needed.some((f) => !mapping[f]) ? await attributesByUid() : null;
  const attributes: Record<string, string> = {};
  const origin = new Map<string, (string | number)[]>();
  for (const field of needed) {
    const uid =
      mapping[field] ??
      (known ? ATTRIBUTE_FALLBACKS[field].find((u) => known.has(u)) : undefined) ??
      (ATTRIBUTE_FALLBACKS[field][0] as string);
    const value = values[field] as string;
    attributes[uid] =
      field === 'start_date' || field === 'end_date'
        ? writeDate(value, uid, known?.get(uid)?.date_format, field)
        : value;
    origin.set(uid, field === 'email' || field === 'personal_email' ? ['emails'] : [field]);
  }
  for (const [uid, value] of Object.entries(body.attributes ?? {})) {
    attributes[uid] = value;
    origin.set(uid, ['attributes', uid]);
  }
  const topLevel = new Set(['name', 'status', 'profile_type_id']);
  return {
    attributes,
    renames: (field) =>
      origin.get(field) ??
      (topLevel.has(field)
        ? [field === 'profile_type_id' ? 'user_type' : field]
        : ['attributes', field]),
  };
}

/** An ISO date in the format of the attribute it goes to; refused when the tenant does not say. */
function writeDate(iso: string, uid: string, format: unknown, field: string): string {
  if (isNermDateFormat(format)) return writeNermDate(iso, format);
  throw new BrokerError(
    'invalid_request',
    `NERM does not say how attribute ${uid} takes dates, so ${field} cannot be written`,
    {
      issues: [
        { code: 'unknown_date_format', path: [field], message: `no date_format for ${uid}` },
      ],
    },
  );
}
