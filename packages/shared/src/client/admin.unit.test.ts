import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BROKER, USER, brokerError, fakeFetch, json, never } from '../../test/fake-broker.ts';
import { createAdmin } from './admin.ts';
import { NermConnectError } from './errors.ts';

const { remote_data: _raw, ...eventUser } = USER;
const event = (id: string) => ({
  id,
  type: 'user.removed',
  created_at: '2026-01-01T00:00:00.000Z',
  integrated_account_id: 'acc_1',
  tenant_id: 't1',
  data: { user: eventUser },
  delivery: {
    status: 'delivered',
    attempts: 1,
    failures: 0,
    last_error: null,
    last_attempt_at: '2026-01-01T00:00:01.000Z',
    next_attempt_at: null,
    delivered_at: '2026-01-01T00:00:01.000Z',
  },
});
const entry = (id: string) => ({
  id,
  at: '2026-01-01T00:00:00.000Z',
  actor: 'scheduler',
  action: 'sync',
  detail: { mode: 'incremental' },
});
const envelope = (result: unknown[], next: string | null) => ({
  result,
  next_cursor: next,
  prev_cursor: null,
  result_count: result.length,
});
const SYNCED = { created: 0, updated: 1, deactivated: 0, reactivated: 0, removed: 0 };

/** Two pages: the first names the second in its Link header; the second never answers. */
function twoPages(first: unknown[]) {
  return fakeFetch((req) =>
    req.url.searchParams.get('next_cursor')
      ? never(req)
      : json(200, envelope(first, 'c2'), { link: '<?next_cursor=c2>; rel="next"' }),
  );
}

describe('admin: lifecycle events', () => {
  it('events.list sends the filters and headers on every page and aborts the page fetched ahead on an early break', async () => {
    const { fetch, requests } = twoPages([event('evt_1'), event('evt_2')]);
    const admin = createAdmin({ brokerUrl: BROKER, apiKey: 'key', fetch });
    const list = admin.events.list(
      { integrated_account_id: 'acc_1', type: 'user.removed', limit: 2 },
      { headers: { 'x-trace': 'abc' } },
    );
    for await (const e of list) {
      expect(e.id).toBe('evt_1');
      break;
    }
    expect(requests).toHaveLength(2);
    expect(requests[0]!.url.pathname).toBe('/events');
    expect(Object.fromEntries(requests[0]!.url.searchParams)).toEqual({
      integrated_account_id: 'acc_1',
      type: 'user.removed',
      limit: '2',
    });
    expect(requests.map((r) => r.headers.get('x-trace'))).toEqual(['abc', 'abc']);
    expect(requests[1]!.signal?.aborted).toBe(true);
  });

  it('accounts.audit pages the same way', async () => {
    const { fetch, requests } = twoPages([entry('9'), entry('8')]);
    const admin = createAdmin({ brokerUrl: BROKER, apiKey: 'key', fetch });
    const seen: string[] = [];
    for await (const e of admin.accounts.audit(
      'acc_1',
      { limit: 2 },
      { headers: { 'x-trace': 'a' } },
    )) {
      seen.push(e.id);
      if (seen.length === 1) break;
    }
    expect(seen).toEqual(['9']);
    expect(requests[0]!.url.pathname).toBe('/integrated-accounts/acc_1/audit');
    expect(requests.map((r) => r.headers.get('x-trace'))).toEqual(['a', 'a']);
    expect(requests[1]!.signal?.aborted).toBe(true);
  });

  it('accounts.sync and rotateSyncHook send their headers, and the broker codes come back typed', async () => {
    const { fetch, requests } = fakeFetch((req) =>
      req.url.pathname.endsWith('/sync')
        ? req.url.pathname.includes('gone')
          ? brokerError(410, 'account_disconnected')
          : json(200, SYNCED)
        : brokerError(404, 'not_found'),
    );
    const admin = createAdmin({ brokerUrl: BROKER, apiKey: 'key', fetch });
    const headers = { 'x-trace': 'sync' };
    expect(await admin.accounts.sync('acc_1', { mode: 'full' }, { headers })).toEqual(SYNCED);
    expect(requests[0]!.url.search).toBe('?mode=full');
    expect(requests[0]!.headers.get('x-trace')).toBe('sync');
    const disconnected = await admin.accounts.sync('gone').catch((e: unknown) => e);
    expect(disconnected).toBeInstanceOf(NermConnectError);
    expect((disconnected as NermConnectError).code).toBe('account_disconnected');
    const unknown = await admin.accounts
      .rotateSyncHook('nope', { headers })
      .catch((e: unknown) => e);
    expect((unknown as NermConnectError).code).toBe('not_found');
    expect(requests.at(-1)!.headers.get('x-trace')).toBe('sync');
  });

  it('walks a long feed under one AbortSignal without leaving a listener on it per page', async () => {
    const { fetch } = fakeFetch((req) => {
      const n = Number(req.url.searchParams.get('next_cursor') ?? 0);
      return json(200, envelope([event(`evt_${n}`)], n < 29 ? String(n + 1) : null));
    });
    const admin = createAdmin({ brokerUrl: BROKER, apiKey: 'key', fetch });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const caller = new AbortController();
    try {
      const ids = (await admin.events.list({}, { signal: caller.signal }).toArray()).map(
        (e) => e.id,
      );
      expect(ids).toHaveLength(30);
      await new Promise((r) => setTimeout(r, 0));
    } finally {
      process.off('warning', onWarning);
    }
    expect(getEventListeners(caller.signal, 'abort').length).toBeLessThanOrEqual(1);
    expect(warnings.filter((w) => w.includes('abort listeners'))).toEqual([]);
  });
});
