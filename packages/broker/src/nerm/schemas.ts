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

/**
 * A JSON object (what `z.record` accepts from JSON.parse), taken as sent: a users page
 * carries 500 profiles' attributes, and copying each key by key was most of the page's
 * parse (docs/decisions/0093-users-page-cpu.md).
 */
const JsonObject = z.custom<Record<string, unknown>>((value) => {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
});

/** What every NERM record the broker reads by name carries: its id, its uid and its name. */
const named = { id: Id, uid: text, name: text };

export const NermProfile = z.looseObject({
  ...named,
  profile_type_id: text,
  status: text,
  created_at: text,
  updated_at: text,
  /** Only keyset pages carry it (docs/nerm-live-behaviour.md). */
  archived: z.boolean().nullish(),
  attributes: JsonObject.nullish(),
});
export type NermProfile = z.infer<typeof NermProfile>;

export const NermProfileType = z.looseObject({ ...named, category: text });
export type NermProfileType = z.infer<typeof NermProfileType>;

export const NermRole = z.looseObject({ ...named, groups: z.array(z.unknown()).nullish() });
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

/**
 * Each answer schema built once per (key, item schema) and reused: zod compiles an
 * object schema on its first parse, so one built per page was built and compiled per
 * page (docs/operations.md, "The broker's fixed cost per answer").
 */
function once<S>(build: (key: string, item: z.ZodType) => S) {
  const built = new WeakMap<z.ZodType, Map<string, S>>();
  return (key: string, item: z.ZodType): S => {
    let byKey = built.get(item);
    if (!byKey) built.set(item, (byKey = new Map()));
    let schema = byKey.get(key);
    if (!schema) byKey.set(key, (schema = build(key, item)));
    return schema;
  };
}

const buildListAnswer = (resource: string, item: z.ZodType) =>
  z
    .looseObject({
      [resource]: z.array(item),
      _metadata: NermMetadata.optional().catch(undefined),
    })
    .transform((body) => ({
      items: body[resource] as unknown[],
      metadata: body._metadata as z.output<typeof NermMetadata> | undefined,
    }));
const listAnswers = once(buildListAnswer);
const objectAnswers = once((key, item) =>
  z.looseObject({ [key]: item }).transform((body) => body[key] as unknown),
);

/** A list answer, `{"<resource>": [...], "_metadata"?: {...}}`, as its items and metadata. */
export function listAnswer<T extends z.ZodType>(
  resource: string,
  item: T,
): z.ZodType<{ items: z.output<T>[]; metadata: z.output<typeof NermMetadata> | undefined }> {
  return listAnswers(resource, item) as z.ZodType<{
    items: z.output<T>[];
    metadata: z.output<typeof NermMetadata> | undefined;
  }>;
}

/** A single-object answer, `{"profile": {...}}`, as the object. */
export function objectAnswer<T extends z.ZodType>(key: string, item: T): z.ZodType<z.output<T>> {
  return objectAnswers(key, item) as z.ZodType<z.output<T>>;
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
