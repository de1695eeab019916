import { createHash } from 'node:crypto';
import { MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from '@nerm-connect/shared';
import { scopeDigest, type CursorCodec, type OffsetCursor } from '../crypto/cursor.ts';
import { BrokerError } from '../errors.ts';
import { fetchPage, type NermPage } from '../nerm/lists.ts';
import { isEmptyListAnswer } from '../nerm/live-answers.ts';
import { parseJson, type NermResponse } from '../nerm/nerm-client.ts';
import { NermProfile } from '../nerm/schemas.ts';
import type { Tenant } from '../nerm/tenant.ts';
import type { IdempotencyService } from './idempotency-service.ts';
import { anchoredPage } from './offset-walk.ts';
import { FIRST_ID, collectPage } from './user-pages.ts';
import { UsersCursor, neighbours, packId, unpackId } from './users-cursor.ts';

export interface ProxyRequest {
  method: string;
  /** The request path after `/proxy/`, still percent-encoded as received. */
  rawPath: string;
  query: URLSearchParams;
  body?: Buffer;
  idempotencyKey?: string;
}

export interface ProxyResponse {
  status: number;
  contentType?: string;
  retryAfter?: string;
  body: Buffer | string;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * What a paged `profiles` list may carry and still page by keyset: NERM's keyset mode takes
 * `profile_type_id` and `updated_after` (`exclude_attributes` only shapes the answer);
 * `status` is filtered here (docs/decisions/0012-proxy-profiles-by-keyset.md).
 */
const KEYSET_PARAMS = new Set(['profile_type_id', 'updated_after', 'exclude_attributes', 'status']);
const PROFILE_STATUSES = new Set(['Active', 'Inactive', 'On Leave', 'Terminated']);

/** NERM refused a page of the paged proxy: its answer goes back as it is. */
class RefusedPage extends Error {
  constructor(readonly res: NermResponse) {
    super(`NERM answered HTTP ${res.status}`);
  }
}
const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE']);
const SEGMENT = /^(?:[A-Za-z0-9._~!$'()*+,;=@-]|%[0-9A-Fa-f]{2})+$/;
const FORBIDDEN_ESCAPES = /%(?:2f|5c|2e|00|0d|0a|09|25)/i;
/** An escaped byte outside ASCII: a full-width (`%EF%BC%8E`) or overlong (`%C0%AE`) dot. */
const NON_ASCII_ESCAPE = /%[89a-f][0-9a-f]/i;

/**
 * A relative path below `/api` and nothing else: no `..`, no encoded slashes or dots,
 * no absolute URLs, no control characters, no escapes outside ASCII, and no segment
 * that is `.`, `..` or empty before a `;` parameter (`..;`, which servers that strip
 * parameters resolve as `..`). See docs/security.md, "Findings and fixes".
 */
export function safeUpstreamPath(raw: string): string {
  const bad = () =>
    new BrokerError(
      'invalid_request',
      'The proxy path must be a relative NERM API path like profiles/<id>',
    );
  // SEGMENT admits no whitespace, control characters or backslashes; these escapes
  // would smuggle them (or a slash, or a dot) past it.
  if (raw.length > 1024 || FORBIDDEN_ESCAPES.test(raw) || NON_ASCII_ESCAPE.test(raw)) throw bad();
  const segments = raw.split('/');
  if (segments.some((s) => !SEGMENT.test(s) || isDotSegment(s))) throw bad();
  if ((segments[0] ?? '').includes(':')) throw bad();
  return segments.join('/');
}

/** `.`, `..` or nothing, once decoded and cut at its first `;` (`..;x`, `..%3b`, `;x`). */
function isDotSegment(segment: string): boolean {
  const name = decodeURIComponent(segment).split(';', 1)[0];
  return name === '' || name === '.' || name === '..';
}

/** `/proxy/<path>`: NERM 1:1 with the stored credential, plus unified paging on request. */
export class ProxyService {
  constructor(
    private readonly deps: {
      cursors: CursorCodec;
      idempotency: IdempotencyService;
    },
  ) {}

  async forward(tenant: Tenant, req: ProxyRequest): Promise<ProxyResponse> {
    const method = req.method.toUpperCase();
    if (!METHODS.has(method))
      throw new BrokerError('invalid_request', `The proxy does not forward ${method}`);
    const path = safeUpstreamPath(req.rawPath);
    const paged =
      method === 'GET' &&
      (req.query.has('limit') || req.query.has('next_cursor')) &&
      !req.query.has('offset') &&
      !req.query.has('after_id');
    if (paged) return this.page(tenant, path, req.query);

    const send = async (): Promise<ProxyResponse> => {
      const res = await tenant.client.send({
        method,
        path,
        query: req.query,
        ...(req.body && req.body.length > 0 ? { body: req.body.toString('utf8') } : {}),
        idempotent: IDEMPOTENT.has(method) || req.idempotencyKey !== undefined,
      });
      return passThrough(res);
    };
    if (method === 'GET' || req.idempotencyKey === undefined) return send();

    const identity = {
      method,
      path,
      query: req.query.toString(),
      body: createHash('sha256')
        .update(req.body ?? Buffer.alloc(0))
        .digest('hex'),
    };
    const result = await this.deps.idempotency.run(
      tenant.accountId,
      `proxy:${req.idempotencyKey}`,
      identity,
      // A proxied write has no way to be looked for: a retry after a crash that may have sent
      // it sends it again (at least once; docs/architecture.md, "Idempotency").
      async (attempt) => {
        await attempt.sending();
        const res = await send();
        if (res.status >= 500 || res.status === 429) {
          throw new BrokerError('upstream_error', `NERM answered HTTP ${res.status}`);
        }
        return {
          status: res.status,
          body: { contentType: res.contentType ?? null, text: res.body.toString() },
        };
      },
    );
    const stored = result.body as { contentType: string | null; text: string };
    return {
      status: result.status,
      ...(stored.contentType ? { contentType: stored.contentType } : {}),
      body: stored.text,
    };
  }

  /** A NERM list answered in the unified envelope, paged with an opaque cursor. */
  private async page(tenant: Tenant, path: string, query: URLSearchParams): Promise<ProxyResponse> {
    const limitRaw = query.get('limit');
    const limit = limitRaw === null ? DEFAULT_PAGE_SIZE : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new BrokerError(
        'invalid_request',
        `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`,
        {
          issues: [{ code: 'too_big', path: ['limit'], message: `at most ${MAX_PAGE_SIZE}` }],
        },
      );
    }
    const upstream = new URLSearchParams(query);
    upstream.delete('limit');
    upstream.delete('next_cursor');
    upstream.delete('metadata');
    upstream.sort();
    const scope = scopeDigest(`proxy:${path}`, Object.fromEntries(upstream));
    if (path === 'profiles' && byKeyset(upstream)) {
      return this.keysetPage(tenant, upstream, limit, scope, query.get('next_cursor'));
    }
    const cursor = query.get('next_cursor');
    const at = cursor ? this.deps.cursors.decode(cursor, tenant.accountId, scope) : { o: 0 };
    let page;
    try {
      page = await anchoredPage(
        (offset, size) => readList(tenant, path, upstream, offset, size),
        (item) => {
          const id = (item as { id?: unknown } | null)?.id;
          return typeof id === 'string' && id !== '' ? id : undefined;
        },
        at,
        limit,
      );
    } catch (error) {
      if (error instanceof RefusedPage) return passThrough(error.res);
      throw error;
    }
    const encode = (c: OffsetCursor) => this.deps.cursors.encode(tenant.accountId, scope, c);
    const envelope = {
      result: page.items,
      next_cursor: page.next ? encode(page.next) : null,
      prev_cursor: page.start > 0 ? encode({ o: Math.max(0, page.start - limit) }) : null,
      result_count: page.items.length,
    };
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify(envelope),
    };
  }

  /**
   * `profiles` in the unified envelope, paged by keyset as the users walk is: every profile
   * present throughout a walk comes exactly once, archived ones never (offset lists hide
   * them too). The cursor carries the last id read and the starts of earlier pages.
   */
  private async keysetPage(
    tenant: Tenant,
    filters: URLSearchParams,
    limit: number,
    scope: string,
    next: string | null,
  ): Promise<ProxyResponse> {
    const { cursors } = this.deps;
    const upstream = new URLSearchParams(filters);
    const status = upstream.get('status');
    upstream.delete('status');
    const cursor: UsersCursor = next
      ? cursors.decode(next, tenant.accountId, scope, UsersCursor)
      : { k: packId(FIRST_ID), h: [] };
    let page;
    try {
      page = await collectPage(
        tenant.client,
        {
          upstream,
          matches: (p) => p.archived !== true && (status === null || p.status === status),
        },
        unpackId(cursor.k),
        limit,
        (q) => fetchPage(tenant.client, 'profiles', q, NermProfile, (res) => new RefusedPage(res)),
      );
    } catch (error) {
      if (error instanceof RefusedPage) return passThrough(error.res);
      throw error;
    }
    const around = neighbours(cursor, page.last, page.more);
    const encode = (c: UsersCursor | null) =>
      c ? cursors.encode(tenant.accountId, scope, c) : null;
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({
        result: page.persons,
        next_cursor: encode(around.next),
        prev_cursor: encode(around.prev),
        result_count: page.persons.length,
      }),
    };
  }
}

/**
 * `limit` records of any NERM list from `offset`, its items under the list's own key (or
 * the one array in the answer); a refusal, or an answer that is no list, is thrown as
 * RefusedPage to go back as it is.
 */
async function readList(
  tenant: Tenant,
  path: string,
  filters: URLSearchParams,
  offset: number,
  limit: number,
): Promise<NermPage<unknown>> {
  const query = new URLSearchParams(filters);
  query.set('limit', String(limit));
  if (offset > 0) query.set('offset', String(offset)); // no offset=0: see fetchPage
  query.set('metadata', 'true');
  const res = await tenant.client.send({ method: 'GET', path, query, idempotent: true });
  if (isEmptyListAnswer(res)) return { items: [], total: undefined };
  if (res.status !== 200) throw new RefusedPage(res);
  const body = parseJson(res) as Record<string, unknown> | undefined;
  const last = path.split('/').at(-1) ?? '';
  const key =
    body &&
    (Array.isArray(body[last])
      ? last
      : Object.keys(body).find((k) => k !== '_metadata' && Array.isArray(body[k])));
  if (!body || !key) throw new RefusedPage(res);
  const total = (body._metadata as { total?: unknown } | undefined)?.total;
  return { items: body[key] as unknown[], total: typeof total === 'number' ? total : undefined };
}

/** Whether a paged `profiles` query can page by keyset (an unknown status is NERM's to refuse). */
function byKeyset(query: URLSearchParams): boolean {
  const status = query.getAll('status');
  return (
    [...query.keys()].every((key) => KEYSET_PARAMS.has(key)) &&
    status.length <= 1 &&
    status.every((s) => PROFILE_STATUSES.has(s)) &&
    query.getAll('profile_type_id').length <= 1 &&
    query.getAll('updated_after').length <= 1
  );
}

/** Upstream status and body as they are; only content type and Retry-After cross over. */
function passThrough(res: NermResponse): ProxyResponse {
  return {
    status: res.status,
    body: res.body,
    ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}),
    ...(res.headers['retry-after'] ? { retryAfter: res.headers['retry-after'] } : {}),
  };
}
