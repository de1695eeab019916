import type { Issue } from '@nerm-connect/shared';
import type { z } from 'zod';
import { BrokerError } from '../errors.ts';
import { isEmptyListAnswer } from './live-answers.ts';
import { parseJson, type NermClient, type NermResponse } from './nerm-client.ts';
import { listAnswer, parseAnswer } from './schemas.ts';
import { rateLimited } from './upstream-errors.ts';

/** NERM's own page cap; the broker never asks for more. */
export const NERM_MAX_LIMIT = 500;

export interface NermPage<T> {
  items: T[];
  /** `_metadata.total`, when the tenant sends it. */
  total: number | undefined;
  /** Keyset mode's `_metadata.after_id`: null on the last page, undefined when not sent. */
  afterId?: string | null | undefined;
}

/** NERM validation errors (`{"error", "errors": {field: [msg]}}`) as contract issues. */
export function nermIssues(
  body: unknown,
  rename: (field: string) => (string | number)[] = (f) => [f],
): Issue[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!errors || typeof errors !== 'object') return [];
  return Object.entries(errors as Record<string, unknown>).flatMap(([field, messages]) =>
    (Array.isArray(messages) ? messages : [messages]).map((message) => ({
      code: 'nerm_validation',
      path: rename(field),
      message: typeof message === 'string' ? message : JSON.stringify(message),
    })),
  );
}

/** Any non-2xx answer from NERM, in the contract's words. */
export function upstreamFailure(
  res: NermResponse,
  what: string,
  rename?: (field: string) => (string | number)[],
): BrokerError {
  const body = parseJson(res);
  switch (true) {
    case res.status === 400 || res.status === 422: {
      const nermMessage =
        typeof (body as { error?: unknown })?.error === 'string'
          ? (body as { error: string }).error
          : undefined;
      return new BrokerError(
        'invalid_request',
        `NERM refused the ${what}${nermMessage ? `: ${nermMessage}` : ''}`,
        {
          issues: nermIssues(body, rename),
        },
      );
    }
    case res.status === 403:
      return new BrokerError(
        'insufficient_permissions',
        `The connected credential may not access ${what} in NERM`,
      );
    case res.status === 404:
      return new BrokerError('not_found', `NERM has no such ${what}`);
    case res.status === 429:
      return rateLimited(res.headers);
    default:
      return new BrokerError('upstream_error', `NERM answered HTTP ${res.status} for ${what}`);
  }
}

/**
 * One page of a NERM list (`{"<resource>": [...], "_metadata": {...}}`), items parsed. Any
 * answer but a page or "none found" is thrown as `refused` makes it (by default the
 * contract's error; the paged proxy passes NERM's own answer through).
 */
export async function fetchPage<T extends z.ZodType>(
  client: NermClient,
  resource: string,
  query: URLSearchParams,
  item: T,
  refused: (res: NermResponse) => Error = (res) => upstreamFailure(res, resource),
): Promise<NermPage<z.output<T>>> {
  const q = new URLSearchParams(query);
  q.set('metadata', 'true');
  // The spec declares `offset` with minimum 1 while the docs count from 0: the first
  // page simply leaves it out, which every reading of NERM accepts.
  if (q.get('offset') === '0') q.delete('offset');
  const res = await client.send({ method: 'GET', path: resource, query: q, idempotent: true });
  if (isEmptyListAnswer(res)) return { items: [], total: undefined, afterId: null };
  if (res.status !== 200) throw refused(res);
  const { items, metadata } = parseAnswer(listAnswer(resource, item), res, resource);
  return { items, total: metadata?.total, afterId: metadata?.after_id };
}

/**
 * Whether records remain after a page that ended at `nextOffset`. Without
 * `_metadata.total`, only an empty page ends a list: a short page may just be a tenant
 * capping `limit` lower than asked.
 */
export function hasMore(page: NermPage<unknown>, nextOffset: number): boolean {
  if (page.items.length === 0) return false;
  return page.total !== undefined ? nextOffset < page.total : true;
}

/** Every record of a (small) NERM list, 500 at a time (see hasMore for the end). */
export async function fetchAll<T extends z.ZodType>(
  client: NermClient,
  resource: string,
  item: T,
  query = new URLSearchParams(),
): Promise<z.output<T>[]> {
  const all: z.output<T>[] = [];
  for (let offset = 0; ;) {
    const q = new URLSearchParams(query);
    q.set('limit', String(NERM_MAX_LIMIT));
    q.set('offset', String(offset));
    const page = await fetchPage(client, resource, q, item);
    all.push(...page.items);
    offset += page.items.length;
    if (!hasMore(page, offset)) return all;
  }
}
