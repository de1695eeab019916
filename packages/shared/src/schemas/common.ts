import { z } from 'zod';
import { text } from './text.ts';

/** An ISO 8601 timestamp with offset, as the broker always writes it (UTC, `Z`). */
export const Timestamp = z.iso.datetime({ offset: true });

/** Unified lists: default 100, maximum 500 (docs/architecture.md, "Paging"). */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

export const PageQuery = z.strictObject({
  // Typed as the number a caller passes; on the wire it arrives as text and is coerced.
  limit: z.coerce
    .number<number>()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE, { message: `limit must be at most ${MAX_PAGE_SIZE}` })
    .default(DEFAULT_PAGE_SIZE)
    .meta({
      description: `The most items a page holds (1–${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}); a page may hold fewer. Only \`next_cursor: null\` ends a list.`,
    }),
  // An empty next_cursor is a client that had none: the first page.
  next_cursor: text()
    .max(2048)
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .meta({ description: 'The opaque cursor of the page to read, from a previous page.' }),
});

/**
 * `include_remote_data`: whether unified objects carry `remote_data`, the raw NERM object
 * (docs/architecture.md, "The unified model"). Off by default, as Merge and Kombo do: smaller pages, less personal data.
 * `true` or `false` on the wire; a boolean from code.
 */
export const IncludeRemoteData = z
  .union([z.boolean(), z.enum(['true', 'false'])])
  .optional()
  .transform((v) => v === true || v === 'true')
  .meta({
    description:
      'With `true`, each object also carries `remote_data`, the NERM object as NERM sent it. Default `false`.',
  });

/** The query of a single read: only `include_remote_data`. */
export const ReadQuery = z.strictObject({ include_remote_data: IncludeRemoteData });

/** `{result, next_cursor, prev_cursor, result_count}` around any unified item. */
export function listEnvelope<T extends z.ZodType>(item: T) {
  return z.object({
    result: z.array(item),
    next_cursor: z.string().nullable(),
    prev_cursor: z.string().nullable(),
    result_count: z.number().int().min(0),
  });
}

export interface ListEnvelope<T> {
  result: T[];
  next_cursor: string | null;
  prev_cursor: string | null;
  result_count: number;
}

export const HealthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

/**
 * The raw upstream object, passed through as NERM sent it. Checked to be a JSON object,
 * not walked key by key: it is opaque data, and copying it would double the client's
 * parsing cost for every user.
 */
export const RemoteData = z
  .custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    {
      message: 'expected an object',
    },
  )
  .meta({
    type: 'object',
    additionalProperties: true,
    description:
      'The upstream NERM object, as NERM sent it; only when the read says `include_remote_data=true`.',
  });
