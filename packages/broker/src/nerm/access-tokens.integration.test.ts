import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenCache } from './access-tokens.ts';
import type { PatCredential } from './credential.ts';
import { HostAllowList } from './host-allow-list.ts';
import { Outbound } from './outbound.ts';

// The cache against the sandbox's real token endpoint (749 s tokens, as ISC answers).
let sandbox: Sandbox;
let outbound: Outbound;
let pat: PatCredential;

beforeAll(async () => {
  sandbox = await startSandbox({ persons: 1, tokenTtlSeconds: 749 });
  outbound = new Outbound({ allowList: HostAllowList.parse(new URL(sandbox.url).origin) });
  pat = {
    type: 'pat',
    token_url: sandbox.tokenUrl,
    client_id: sandbox.credentials.client.clientId,
    client_secret: sandbox.credentials.client.clientSecret,
  };
});

afterAll(async () => {
  await outbound.close();
  await sandbox.close();
});

function setup() {
  let t = 1_000_000;
  const cache = new AccessTokenCache(outbound, () => t);
  const issued = sandbox.stats.tokensIssued;
  return {
    cache,
    advance: (ms: number) => (t += ms),
    exchanges: () => sandbox.stats.tokensIssued - issued,
  };
}

describe('AccessTokenCache', () => {
  it('exchanges once for concurrent callers of one credential, then reuses the token', async () => {
    const { cache, exchanges } = setup();
    const key = AccessTokenCache.keyFor('acc-1', pat);
    const tokens = await Promise.all([
      cache.get(key, pat),
      cache.get(key, pat),
      cache.get(key, pat),
    ]);
    expect(new Set(tokens).size).toBe(1);
    expect(await cache.get(key, pat)).toBe(tokens[0]);
    expect(exchanges()).toBe(1);
  });

  it('refreshes a minute before expiry, not earlier', async () => {
    const { cache, advance, exchanges } = setup();
    const key = AccessTokenCache.keyFor('acc-1', pat);
    const first = await cache.get(key, pat);
    advance((749 - 60) * 1000 - 1);
    expect(await cache.get(key, pat)).toBe(first);
    advance(2);
    expect(await cache.get(key, pat)).not.toBe(first);
    expect(exchanges()).toBe(2);
  });

  it('drops a token NERM refused, unless another request already replaced it', async () => {
    const { cache, exchanges } = setup();
    const key = AccessTokenCache.keyFor('acc-1', pat);
    const first = await cache.get(key, pat);
    cache.invalidate(key, 'some-older-token');
    expect(await cache.get(key, pat)).toBe(first);
    cache.invalidate(key, first);
    expect(await cache.get(key, pat)).not.toBe(first);
    expect(exchanges()).toBe(2);
  });

  it('forgets every token of one account and no other', async () => {
    const { cache, exchanges } = setup();
    const one = AccessTokenCache.keyFor('acc-1', pat);
    const two = AccessTokenCache.keyFor('acc-2', pat);
    const [a, b] = [await cache.get(one, pat), await cache.get(two, pat)];
    cache.forget('acc-1');
    expect(await cache.get(two, pat)).toBe(b);
    expect(await cache.get(one, pat)).not.toBe(a);
    expect(exchanges()).toBe(3);
  });

  it('serves a primed token (from connect) without an exchange until it is due', async () => {
    const { cache, advance, exchanges } = setup();
    const key = AccessTokenCache.keyFor('acc-1', pat);
    cache.prime(key, 'primed-token', 10);
    expect(await cache.get(key, pat)).toBe('primed-token');
    // A short life is refreshed at 80% of it.
    advance(7_999);
    expect(await cache.get(key, pat)).toBe('primed-token');
    advance(2);
    expect(await cache.get(key, pat)).not.toBe('primed-token');
    expect(exchanges()).toBe(1);
  });

  it('passes a refused exchange to every waiter and keeps nothing', async () => {
    const { cache } = setup();
    const wrong = { ...pat, client_secret: 'not-the-secret' };
    const key = AccessTokenCache.keyFor('acc-1', wrong);
    const waiters = [cache.get(key, wrong), cache.get(key, wrong)];
    for (const waiter of waiters)
      await expect(waiter).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(await cache.get(AccessTokenCache.keyFor('acc-1', pat), pat)).toEqual(expect.any(String));
  });
});
