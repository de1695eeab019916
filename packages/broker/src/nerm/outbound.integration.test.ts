import { serveLocally, type LocalServer } from '@nerm-connect/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostAllowList } from './host-allow-list.ts';
import { Outbound, OutboundError, type Resolver } from './outbound.ts';

let tenant: LocalServer;
let origin: string;
let hits: string[] = [];

beforeAll(async () => {
  tenant = await serveLocally((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `${origin}/target` }).end();
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.alloc(64 * 1024, 0x61));
    } else if (req.url === '/hang') {
      // never answers
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
  });
  ({ origin } = tenant);
});
afterAll(() => tenant.close());

function outbound(
  options: { resolve?: Resolver; maxResponseBytes?: number; requestTimeoutMs?: number } = {},
) {
  return new Outbound({
    allowList: HostAllowList.parse(`${origin},*.nonemployee.com`),
    ...options,
  });
}

async function kindOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundError) return error.kind;
    throw error;
  }
  return undefined;
}

describe('Outbound', () => {
  it('calls an exactly allowed origin, loopback and plain http included', async () => {
    const res = await outbound().request({
      url: new URL(`${origin}/ok`),
      method: 'GET',
      headers: {},
    });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{"ok":true}');
  });

  it('never follows a redirect', async () => {
    hits = [];
    const res = await outbound().request({
      url: new URL(`${origin}/redirect`),
      method: 'GET',
      headers: {},
    });
    expect(res.status).toBe(302);
    expect(hits).toEqual(['/redirect']);
  });

  it('refuses hosts outside the allow-list, and IP literals', async () => {
    const o = outbound();
    for (const url of [
      'https://evil.example.com/',
      'http://127.0.0.1:1/',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'http://acme.nonemployee.com/',
    ]) {
      expect(await kindOf(o.request({ url: new URL(url), method: 'GET', headers: {} })), url).toBe(
        'host_not_allowed',
      );
    }
    expect(
      await kindOf(
        o.request({
          url: new URL(`http://user:pw@${origin.slice(7)}/`),
          method: 'GET',
          headers: {},
        }),
      ),
    ).toBe('invalid_url');
  });

  it('refuses allowed names that resolve to private, loopback, link-local or mapped addresses', async () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.8',
      '169.254.169.254',
      '::1',
      '::ffff:127.0.0.1',
      'fd00::1',
    ]) {
      const family = address.includes(':') ? 6 : 4;
      const o = outbound({ resolve: async () => [{ address, family }] });
      const kind = await kindOf(
        o.request({
          url: new URL('https://acme.nonemployee.com/api/profiles'),
          method: 'GET',
          headers: {},
        }),
      );
      expect(kind, address).toBe('address_not_allowed');
      await o.close();
    }
  });

  it('refuses a name when any of its addresses is private (no mixed answers)', async () => {
    const o = outbound({
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    });
    expect(
      await kindOf(
        o.request({ url: new URL('https://acme.nonemployee.com/'), method: 'GET', headers: {} }),
      ),
    ).toBe('address_not_allowed');
  });

  it('reports a name that does not resolve as unreachable', async () => {
    const o = outbound({
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    });
    expect(
      await kindOf(
        o.request({ url: new URL('https://nope.nonemployee.com/'), method: 'GET', headers: {} }),
      ),
    ).toBe('unreachable');
  });

  it('caps the response size', async () => {
    const o = outbound({ maxResponseBytes: 16 * 1024 });
    expect(
      await kindOf(o.request({ url: new URL(`${origin}/big`), method: 'GET', headers: {} })),
    ).toBe('response_too_large');
  });

  it('gives up on a tenant that does not answer', async () => {
    const o = outbound({ requestTimeoutMs: 150 });
    expect(
      await kindOf(o.request({ url: new URL(`${origin}/hang`), method: 'GET', headers: {} })),
    ).toBe('timeout');
  });
});
