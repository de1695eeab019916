import { Agent, request } from 'undici';
import { serveLocally, type LocalServer } from '@nerm-connect/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostAllowList } from './host-allow-list.ts';
import { AccessTokenCache } from './access-tokens.ts';
import { NermClient } from './nerm-client.ts';
import { Outbound, OutboundError } from './outbound.ts';
import { DEFAULT_RETRY } from './retry.ts';

// Finding 1 of issue 8 (docs/security.md, "Findings and fixes"): one header undici
// refuses used to leave a pool client stuck, and enough of them hung the origin.

let tenant: LocalServer;
let origin: string;
let seen: string[] = [];

beforeAll(async () => {
  tenant = await serveLocally((req, res) => {
    seen.push(req.headers.authorization ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  ({ origin } = tenant);
});
afterAll(() => tenant.close());

async function failure(promise: Promise<unknown>): Promise<OutboundError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const get = (o: Outbound, headers: Record<string, string> = {}) =>
  o.request({ url: new URL(`${origin}/ok`), method: 'GET', headers });

describe('Outbound headers', () => {
  it('refuses a header value no HTTP header can carry, without sending it or naming it', async () => {
    const o = new Outbound({ allowList: HostAllowList.parse(origin) });
    seen = [];
    for (const value of [
      'Bearer key\u2019s',
      'Bearer a\nb',
      'Bearer \u{1F511}',
      'Bearer a\u0000',
    ]) {
      // More attempts than the pool has connections: none may wedge it.
      for (let i = 0; i < 20; i++) {
        const error = await failure(get(o, { authorization: value }));
        expect(error.kind).toBe('invalid_header');
        expect(error.message).toContain('authorization');
        expect(error.message).not.toContain('key');
      }
    }
    expect(seen).toEqual([]);
    expect((await get(o, { authorization: 'Bearer fine' })).status).toBe(200);
    await o.close();
  });

  it('refuses a header name that is not an HTTP token', async () => {
    const o = new Outbound({ allowList: HostAllowList.parse(origin) });
    expect((await failure(get(o, { 'x bad': '1' }))).kind).toBe('invalid_header');
    expect((await failure(get(o, { 'x-\u00e9': '1' }))).kind).toBe('invalid_header');
    await o.close();
  });

  it('sends Latin-1 header bytes, which HTTP allows', async () => {
    const o = new Outbound({ allowList: HostAllowList.parse(origin) });
    seen = [];
    expect((await get(o, { authorization: 'Bearer caf\u00e9' })).status).toBe(200);
    expect(seen).toHaveLength(1);
    await o.close();
  });
});

describe('Outbound deadline and pools', () => {
  it('settles a call that an undici pool leaves queued, then replaces that pool', async () => {
    const agents: Agent[] = [];
    const o = new Outbound({
      allowList: HostAllowList.parse(origin),
      requestTimeoutMs: 100,
      // A real undici Agent with two connections, kept so the test can wedge it the way
      // refused headers did before the fix (one per connection).
      createAgent: (options) => {
        const agent = new Agent({ ...options, connections: 2 });
        agents.push(agent);
        return agent;
      },
    });
    expect((await get(o)).status).toBe(200);
    const wedged = agents[0] as Agent;
    for (let i = 0; i < 2; i++) {
      await request(`${origin}/ok`, {
        dispatcher: wedged,
        headers: { authorization: 'Bearer \u2019' },
      }).catch(() => undefined);
    }

    const error = await failure(get(o));
    expect(error.kind).toBe('timeout');
    expect(o.poolsReplaced).toBe(1);
    expect((await get(o)).status).toBe(200);
    expect(agents).toHaveLength(2);
    await o.close();
  });

  it('never hands a refused undici argument to the retry logic as "unreachable"', async () => {
    const o = new Outbound({ allowList: HostAllowList.parse(origin) });
    const error = await failure(
      o.request({ url: new URL(`${origin}/ok`), method: 'G E T', headers: {} }),
    );
    expect(error.kind).toBe('invalid_request');
    expect((await get(o)).status).toBe(200);
    await o.close();
  });
});

describe('NermClient', () => {
  it('never retries a header that cannot be sent, and says so as invalid_request', async () => {
    const o = new Outbound({ allowList: HostAllowList.parse(origin) });
    const sleeps: number[] = [];
    const client = new NermClient(
      {
        outbound: o,
        tokens: new AccessTokenCache(o),
        retry: { ...DEFAULT_RETRY, sleep: async (ms) => sleeps.push(ms) },
      },
      { id: 'a1', origin, credential: { type: 'api_key', api_key: 'stored\u2019key' } },
    );
    seen = [];
    await expect(
      client.send({ method: 'GET', path: 'profiles', idempotent: true }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    expect(sleeps).toEqual([]);
    expect(seen).toEqual([]);
    await o.close();
  });
});
