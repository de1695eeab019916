import { badRequest } from './errors.ts';

/** NERM's documented paging: limit defaults to 100 and is silently capped at 500. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;

export interface Paging {
  limit: number;
  offset: number;
  metadata: boolean;
}

export interface Metadata {
  limit: number;
  offset: number;
  total: number;
  next: string | null;
  previous: string | null;
}

function nonNegativeInt(name: string, raw: string | null, min: number): number | undefined {
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(`${name} must be an integer`);
  const value = Number(raw);
  if (value < min) throw badRequest(`${name} must be greater than or equal to ${min}`);
  return value;
}

export function parseBool(raw: string | null): boolean {
  return raw === 'true' || raw === '1';
}

export function parsePaging(query: URLSearchParams): Paging {
  const limit = Math.min(
    nonNegativeInt('limit', query.get('limit'), 1) ?? DEFAULT_LIMIT,
    MAX_LIMIT,
  );
  const offset = nonNegativeInt('offset', query.get('offset'), 0) ?? 0;
  return { limit, offset, metadata: parseBool(query.get('metadata')) };
}

function pageLink(path: string, query: URLSearchParams, limit: number, offset: number): string {
  const q = new URLSearchParams(query);
  q.set('limit', String(limit));
  q.set('offset', String(offset));
  return `${path}?${q.toString()}`;
}

/** One page of `items` under the plural key, with `_metadata` only when asked for. */
export function pageOf<T>(
  key: string,
  items: readonly T[],
  paging: Paging,
  path: string,
  query: URLSearchParams,
  render: (item: T) => unknown,
): Record<string, unknown> {
  const slice = items.slice(paging.offset, paging.offset + paging.limit);
  const body: Record<string, unknown> = { [key]: slice.map(render) };
  if (paging.metadata) {
    const { limit, offset } = paging;
    const meta: Metadata = {
      limit,
      offset,
      total: items.length,
      next: offset + limit < items.length ? pageLink(path, query, limit, offset + limit) : null,
      previous: offset > 0 ? pageLink(path, query, limit, Math.max(0, offset - limit)) : null,
    };
    body._metadata = meta;
  }
  return body;
}

/** `order=<field>`: ascending sort on one of the fields NERM allows. */
export function ordered<T extends object>(
  items: readonly T[],
  order: string | null,
  allowed: readonly string[],
): readonly T[] {
  if (order === null || order === '') return items;
  if (!allowed.includes(order)) throw badRequest(`Invalid order parameter: ${order}`);
  const field = order as keyof T;
  return [...items].sort((a, b) => String(a[field] ?? '').localeCompare(String(b[field] ?? '')));
}
