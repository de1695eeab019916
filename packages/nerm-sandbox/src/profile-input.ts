import { badRequest } from './errors.ts';
import type { ApiContext } from './context.ts';
import { parseDate } from './dates.ts';
import { PROFILE_STATUSES, type Profile, type ProfileStatus, type ProfileType } from './types.ts';

export type FieldErrors = Record<string, string[]>;

/** `{"<key>": {...}}`, the wrapper every NERM write body has. */
export function objectField(body: unknown, key: string): Record<string, unknown> {
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`param is missing or the value is empty: ${key}`);
  }
  return value as Record<string, unknown>;
}

/** How NERM checks the fields of a profile write, in its own error words. */
export class ProfileInput {
  constructor(private readonly ctx: ApiContext) {}

  type(value: unknown, errors: FieldErrors, required: boolean): ProfileType | undefined {
    if (value === undefined || value === null || value === '') {
      if (required) errors.profile_type_id = ["can't be blank"];
      return undefined;
    }
    const type = typeof value === 'string' ? this.ctx.types.get(value) : undefined;
    if (!type) errors.profile_type_id = ['is invalid'];
    return type;
  }

  status(value: unknown, errors: FieldErrors, required: boolean): ProfileStatus | undefined {
    if (value === undefined || value === null || value === '') {
      if (required) errors.status = ["can't be blank"];
      return undefined;
    }
    if (!PROFILE_STATUSES.includes(value as ProfileStatus)) {
      errors.status = ['is not included in the list'];
      return undefined;
    }
    return value as ProfileStatus;
  }

  proofing(value: unknown): Profile['id_proofing_status'] | undefined {
    return value === 'pending' || value === 'pass' || value === 'fail' ? value : undefined;
  }

  /** Values are strings keyed by an existing attribute uid; a date is in its attribute's format. */
  attributes(value: unknown, errors: FieldErrors): Record<string, string> | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      errors.attributes = ['must be an object'];
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [key, raw] of Object.entries(value)) {
      const attribute = this.ctx.attributes.get(key);
      if (attribute === undefined) {
        (errors[key] ??= []).push('is not a valid attribute');
      } else if (typeof raw !== 'string') {
        (errors[key] ??= []).push('must be a string');
      } else if (
        attribute.data_type === 'date' &&
        attribute.date_format &&
        raw !== '' &&
        parseDate(raw, attribute.date_format) === undefined
      ) {
        (errors[key] ??= []).push(`is not a valid date (${attribute.date_format})`);
      } else {
        out[key] = raw;
      }
    }
    return out;
  }

  name(
    value: unknown,
    type: ProfileType | undefined,
    attributes: Record<string, string> | undefined,
    errors: FieldErrors,
  ): string | undefined {
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (value !== undefined && value !== null && typeof value !== 'string') {
      errors.name = ['must be a string'];
      return undefined;
    }
    const derived = attributes ? this.derivedName(type, attributes) : undefined;
    if (!derived && type) errors.name = ["can't be blank"];
    return derived;
  }

  /** A profile's name comes from its type's naming attributes, in order. */
  derivedName(
    type: ProfileType | undefined,
    attributes: Record<string, string>,
  ): string | undefined {
    if (!type) return undefined;
    const byId = new Map(this.ctx.data.neAttributes.map((a) => [a.id, a.uid]));
    const parts = [...type.profile_type_namings]
      .sort((a, b) => a.order - b.order)
      .map((n) => attributes[byId.get(n.ne_attribute_id) ?? ''])
      .filter((v): v is string => typeof v === 'string' && v.trim() !== '');
    return parts.length > 0 ? parts.join(' ') : undefined;
  }
}
