import { z } from 'zod';
import { BrokerError } from '../errors.ts';
import { parseJson, type NermResponse } from './nerm-client.ts';

/**
 * NERM's answers as the broker reads them (sailpoint-oss/api-specs `nerm/schemas/GET`),
 * parsed at the edge. Lenient where a live tenant may differ harmlessly (a missing or null
 * optional field, extra fields kept); strict on what the broker cannot do without (ids).
 */
const text = z.string().nullish();
const Id = z.string().min(1);

export const NermProfile = z.looseObject({
  id: Id,
  uid: text,
  name: text,
  profile_type_id: text,
  status: text,
  created_at: text,
  updated_at: text,
  /** Only keyset pages carry it (docs/nerm-live-behaviour.md). */
  archived: z.boolean().nullish(),
  attributes: z.record(z.string(), z.unknown()).nullish(),
});
export type NermProfile = z.infer<typeof NermProfile>;

export const NermProfileType = z.looseObject({
  id: Id,
  uid: text,
  name: text,
  category: text,
});
export type NermProfileType = z.infer<typeof NermProfileType>;

export const NermRole = z.looseObject({
  id: Id,
  uid: text,
  name: text,
  groups: z.array(z.unknown()).nullish(),
});
export type NermRole = z.infer<typeof NermRole>;

export const NermRoleProfile = z.looseObject({ role_id: Id, profile_id: Id });
export type NermRoleProfile = z.infer<typeof NermRoleProfile>;

export const NermAttribute = z.looseObject({
  uid: Id,
  data_type: text,
  date_format: text,
});
export type NermAttribute = z.infer<typeof NermAttribute>;

/** `_metadata` of a list page: what paging needs, nothing more, never fatal when odd. */
export const NermMetadata = z.looseObject({
  total: z.number().int().min(0).optional().catch(undefined),
  after_id: z.string().nullish().catch(undefined),
});

/** A list answer, `{"<resource>": [...], "_metadata"?: {...}}`, as its items and metadata. */
export function listAnswer<T extends z.ZodType>(resource: string, item: T) {
  return z
    .looseObject({
      [resource]: z.array(item),
      _metadata: NermMetadata.optional().catch(undefined),
    })
    .transform((body) => ({
      items: body[resource] as z.output<T>[],
      metadata: body._metadata as z.output<typeof NermMetadata> | undefined,
    }));
}

/** A single-object answer, `{"profile": {...}}`, as the object. */
export function objectAnswer<T extends z.ZodType>(key: string, item: T) {
  return z.looseObject({ [key]: item }).transform((body) => body[key] as z.output<T>);
}

/** Parses a 2xx NERM answer, or says plainly that NERM answered something else. */
export function parseAnswer<T>(schema: z.ZodType<T>, res: NermResponse, what: string): T {
  const parsed = schema.safeParse(parseJson(res));
  if (!parsed.success) {
    throw new BrokerError(
      'upstream_error',
      `NERM's ${what} answer was not in the shape NERM documents`,
    );
  }
  return parsed.data;
}
