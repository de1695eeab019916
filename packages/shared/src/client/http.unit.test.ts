import { describe, expect, it } from 'vitest';
import {
  BROKER,
  USER,
  brokerError,
  fakeFetch,
  type Handler,
  json,
  never,
  stalledBody,
} from '../../test/fake-broker.ts';
import { createAdmin } from './admin.ts';
import { createClient } from './client.ts';
import type { RequestEvent, ResponseEvent } from './http.ts';
import { requestIdOf } from './signals.ts';

const client = (fetch: typeof globalThis.fetch, extra: object = {}) =>
  createClient({ brokerUrl: BROKER, token: 'tok', fetch, ...extra });

describe('time bounds', () => {
  it('times out a broker that never answers, as code timeout with the request id', async () => {
    const { fetch } = fakeFetch(never);
    const error = await client(fetch, { timeoutMs: 10 })
      .users.get('u1')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'timeout',
      status: 0,
      requestId: expect.stringMatching(/^req_/),
    });
  });

  it('times out an answer whose body stalls after the headers', async () => {
    const { fetch } = fakeFetch(stalledBody);
    await expect(client(fetch, { timeoutMs: 10 }).users.get('u1')).rejects.toMatchObject({
      code: 'timeout',
    });
  });

  it('reports an abort by the caller as code aborted, on every method', async () => {
    const { fetch, requests } = fakeFetch(never);
    const controller = new AbortController();
    const nerm = client(fetch);
    const admin = createAdmin({ brokerUrl: BROKER, apiKey: 'key', fetch });
    const calls = [
      nerm.users.get('u1', { signal: controller.signal }),
      nerm.roles.get('r1', { signal: controller.signal }),
      nerm.roles.list({}, { signal: controller.signal }).firstPage(),
      admin.accounts.get('a1', { signal: controller.signal }),
      admin.accounts.createToken('a1', { signal: controller.signal }),
      admin.linkTokens.create({ tenant_id: 't' }, { signal: controller.signal }),
    ];
    while (requests.length < calls.length) await new Promise((r) => setTimeout(r, 1));
    controller.abort();
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: 'aborted' });
  });

  it('does not send a call whose signal has already aborted', async () => {
    const { fetch, requests } = fakeFetch(() => json(200, USER));
    await expect(
      client(fetch).users.get('u1', { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(requests).toHaveLength(0);
  });

  it('aborts a retry while it waits out Retry-After', async () => {
    const { fetch } = fakeFetch(() => brokerError(429, 'rate_limited', { 'retry-after': '30' }));
    const controller = new AbortController();
    const call = client(fetch, {
      onResponse: () => queueMicrotask(() => controller.abort()),
    }).users.get('u1', { signal: controller.signal });
    await expect(call).rejects.toMatchObject({ code: 'aborted' });
  });
});

describe('retries', () => {
  it("retries the broker's own 429 as Retry-After says, with one request id", async () => {
    const { fetch, requests } = fakeFetch((_req, i) =>
      i === 0
        ? brokerError(429, 'rate_limited', { 'retry-after': '0', 'x-rate-limit-source': 'broker' })
        : json(200, USER),
    );
    const seen: RequestEvent[] = [];
    const user = await client(fetch, { onRequest: (e: RequestEvent) => seen.push(e) }).users.get(
      'u1',
    );
    expect(user.id).toBe('u1');
    expect(seen.map((e) => e.attempt)).toEqual([0, 1]);
    expect(new Set(requests.map((r) => r.headers.get('x-request-id'))).size).toBe(1);
  });

  it("never retries NERM's throttling again: the broker already did", async () => {
    const { fetch, requests } = fakeFetch(() =>
      brokerError(429, 'rate_limited', { 'retry-after': '0', 'x-rate-limit-source': 'upstream' }),
    );
    await expect(client(fetch).users.get('u1')).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfter: 0,
    });
    expect(requests).toHaveLength(1);
  });

  it("retries the broker's 503 service_unavailable when the request is safe to send again", async () => {
    const outage: Handler = (_req, i) =>
      i === 0 ? brokerError(503, 'service_unavailable', { 'retry-after': '0' }) : json(200, USER);
    const read = fakeFetch(outage);
    expect((await client(read.fetch).users.get('u1')).id).toBe('u1');
    expect(read.requests).toHaveLength(2);

    const keyed = fakeFetch(outage);
    await client(keyed.fetch).users.update('u1', { title: 'x' }, { idempotencyKey: 'key-503-1' });
    expect(keyed.requests).toHaveLength(2);

    // A write without an Idempotency-Key is the caller's to send again.
    const unkeyed = fakeFetch(outage);
    await expect(
      client(unkeyed.fetch).proxy.request({ method: 'POST', path: 'profiles', body: {} }),
    ).rejects.toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(unkeyed.requests).toHaveLength(1);
  });

  it('does not retry when the wait would not fit the retry budget', async () => {
    const { fetch, requests } = fakeFetch(() =>
      brokerError(429, 'rate_limited', { 'retry-after': '5' }),
    );
    await expect(
      client(fetch, { retry: { budgetMs: 1_000 } }).users.get('u1'),
    ).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 5 });
    expect(requests).toHaveLength(1);
  });

  it('sends again a request that never reached the broker, when that is safe', async () => {
    const { fetch, requests } = fakeFetch((_req, i) => {
      if (i === 0) throw new TypeError('fetch failed');
      return json(200, USER);
    });
    expect((await client(fetch).users.get('u1')).id).toBe('u1');
    expect(requests).toHaveLength(2);

    const once = fakeFetch(() => {
      throw new TypeError('fetch failed');
    });
    await expect(
      client(once.fetch).proxy.request({ method: 'POST', path: 'profiles', body: {} }),
    ).rejects.toMatchObject({ code: 'network_error' });
    expect(once.requests).toHaveLength(1);
  });

  it('rejects options that are not durations', () => {
    expect(() => client(fakeFetch(never).fetch, { timeoutMs: -1 })).toThrow(TypeError);
    expect(() => client(fakeFetch(never).fetch, { retry: { budgetMs: Number.NaN } })).toThrow(
      TypeError,
    );
  });
});

describe('request ids and hooks', () => {
  it("keeps the caller's X-Request-Id and tells a result's id with requestIdOf", async () => {
    const { fetch, requests } = fakeFetch((req) =>
      json(200, USER, { 'x-request-id': req.headers.get('x-request-id')! }),
    );
    const user = await client(fetch).users.get('u1', {
      headers: { 'X-Request-Id': 'trace-0001-abcd' },
    });
    expect(requests[0]!.headers.get('x-request-id')).toBe('trace-0001-abcd');
    expect(requestIdOf(user)).toBe('trace-0001-abcd');
  });

  it('calls onRequest and onResponse for each attempt; a throwing hook changes nothing', async () => {
    const { fetch } = fakeFetch(() => json(200, USER));
    const events: (RequestEvent | ResponseEvent)[] = [];
    const nerm = client(fetch, {
      onRequest: (e: RequestEvent) => {
        events.push(e);
        throw new Error('logger down');
      },
      onResponse: (e: ResponseEvent) => events.push(e),
    });
    await nerm.users
      .list({ status: 'active' })
      .firstPage()
      .catch(() => undefined);
    expect(events[0]).toMatchObject({
      method: 'GET',
      url: `${BROKER}/unified/user-directory/users`,
      attempt: 0,
    });
    expect(events[1]).toMatchObject({ status: 200, requestId: 'req_fromthebroker' });
  });

  it('sends per-call and per-client headers', async () => {
    const { fetch, requests } = fakeFetch(() => json(200, USER));
    await client(fetch, { headers: { 'x-tenant-of-mine': 'a' } }).users.get('u1', {
      headers: { 'x-trace': 'b' },
    });
    expect(requests[0]!.headers.get('x-tenant-of-mine')).toBe('a');
    expect(requests[0]!.headers.get('x-trace')).toBe('b');
    expect(requests[0]!.headers.get('authorization')).toBe('Bearer tok');
  });
});

describe('expired tokens', () => {
  it('asks getToken for a fresh token once, naming the expired one, and retries', async () => {
    const { fetch, requests } = fakeFetch((req) =>
      req.headers.get('authorization') === 'Bearer old'
        ? brokerError(401, 'token_expired')
        : json(200, USER),
    );
    const asked: (string | undefined)[] = [];
    const nerm = createClient({
      brokerUrl: BROKER,
      fetch,
      getToken: (expired) => {
        asked.push(expired);
        return expired ? 'new' : 'old';
      },
    });
    expect((await nerm.users.get('u1')).id).toBe('u1');
    expect(asked).toEqual([undefined, 'old']);
    expect(requests.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer old',
      'Bearer new',
    ]);
  });

  it('gives up after one refresh, and does not refresh other 401s', async () => {
    const expired = fakeFetch(() => brokerError(401, 'token_expired'));
    const nerm = createClient({ brokerUrl: BROKER, fetch: expired.fetch, getToken: () => 't' });
    await expect(nerm.users.get('u1')).rejects.toMatchObject({ code: 'token_expired' });
    expect(expired.requests).toHaveLength(2);

    const bad = fakeFetch(() => brokerError(401, 'unauthorized'));
    const other = createClient({ brokerUrl: BROKER, fetch: bad.fetch, getToken: () => 't' });
    await expect(other.users.get('u1')).rejects.toMatchObject({ code: 'unauthorized' });
    expect(bad.requests).toHaveLength(1);
  });
});
