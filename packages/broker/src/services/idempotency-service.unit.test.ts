import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerError } from '../errors.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { storedAccount } from '../../test/stored-account.ts';
import { IdempotencyService } from './idempotency-service.ts';

// The replay rules over a real store (SQLite in memory); crashes and takeovers across
// processes: test/idempotency-crash.integration.test.ts.
let store: Store;
const clock = 1_800_000_000_000;
const account = storedAccount({}, clock);
const ACCOUNT = account.id;

beforeAll(async () => {
  store = openStore('sqlite::memory:');
  await store.migrate();
  const linkTokenHash = randomUUID();
  await store.insertLinkToken({
    token_hash: linkTokenHash,
    tenant_id: account.tenant_id,
    account_id: null,
    expires_at: clock + 60_000,
    used_at: null,
    created_at: clock,
  });
  await store.completeLink({
    linkTokenHash,
    now: clock,
    account,
    reauth: false,
    publicToken: {
      token_hash: randomUUID(),
      account_id: ACCOUNT,
      expires_at: clock + 60_000,
      created_at: clock,
    },
  });
});
afterAll(async () => {
  await store.close();
});

const service = () => new IdempotencyService(store, () => clock, { pollMs: 5, waitMs: 50 });
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof BrokerError ? error.code : String(error)),
  );

describe('IdempotencyService', () => {
  it('runs the first request once and replays its answer to a retry of the same request', async () => {
    let runs = 0;
    const work = async () => ({ status: 201, body: { id: `p${++runs}` } });
    const first = await service().run(ACCOUNT, 'k-replay', { name: 'Ada' }, work);
    const again = await service().run(ACCOUNT, 'k-replay', { name: 'Ada' }, work);
    expect(first).toEqual({ status: 201, body: { id: 'p1' }, replayed: false });
    expect(again).toEqual({ status: 201, body: { id: 'p1' }, replayed: true });
    expect(runs).toBe(1);
  });

  it('refuses the same key with another request, and a key that is not visible ASCII', async () => {
    const work = async () => ({ status: 200, body: {} });
    await service().run(ACCOUNT, 'k-reuse', { name: 'Ada' }, work);
    expect(await codeOf(service().run(ACCOUNT, 'k-reuse', { name: 'Bob' }, work))).toBe(
      'idempotency_key_reused',
    );
    for (const key of ['', 'has space', 'ü', 'x'.repeat(256)])
      expect(await codeOf(service().run(ACCOUNT, key, {}, work)), key).toBe('invalid_request');
  });

  it('stores a refusal (4xx) and replays it; frees the key after a failure without a verdict', async () => {
    let runs = 0;
    const refuse = async () => {
      runs++;
      throw new BrokerError('invalid_request', 'NERM refused the profile');
    };
    expect(await codeOf(service().run(ACCOUNT, 'k-4xx', {}, refuse))).toBe('invalid_request');
    expect(await codeOf(service().run(ACCOUNT, 'k-4xx', {}, refuse))).toBe('invalid_request');
    expect(runs).toBe(1);

    const down = async () => {
      runs++;
      throw new BrokerError('tenant_unreachable', 'NERM did not answer');
    };
    expect(await codeOf(service().run(ACCOUNT, 'k-5xx', {}, down))).toBe('tenant_unreachable');
    const retried = await service().run(ACCOUNT, 'k-5xx', {}, async () => ({
      status: 200,
      body: { ok: true },
    }));
    expect(retried).toEqual({ status: 200, body: { ok: true }, replayed: false });
    expect(runs).toBe(2);
  });

  it('answers a retry while the first request still runs with rate_limited, not a second run', async () => {
    let release!: () => void;
    const slow = service().run(ACCOUNT, 'k-busy', {}, async () => {
      await new Promise<void>((r) => (release = r));
      return { status: 200, body: {} };
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(
      await codeOf(service().run(ACCOUNT, 'k-busy', {}, async () => ({ status: 500, body: {} }))),
    ).toBe('rate_limited');
    release();
    expect((await slow).replayed).toBe(false);
  });
});
