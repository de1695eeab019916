import type { LookupAddress } from 'node:dns';
import { normalizeTenantUrl } from '@nerm-connect/shared';
import { serveLocally, type LocalServer } from '@nerm-connect/test-kit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostAllowList } from '../src/nerm/host-allow-list.ts';
import { Outbound, OutboundError } from '../src/nerm/outbound.ts';
import { fuzz } from './fuzz.ts';

// Issue 13, item 5: what a person types as the tenant URL goes through the same steps as
// in POST /link/connect (normalizeTenantUrl, then the one outbound door: allow-list,
// literal check, checked DNS answers) and never reaches a loopback or private address.
// Every name resolves to a private address here, and a real server listens on loopback:
// a bypass would either call it or fail with something other than a refusal
// (docs/security.md, "Outbound requests (SSRF)").

/** Every outcome that is a refusal: the normaliser's problems, then the outbound door's. */
const REFUSALS = [
  'empty',
  'too_long',
  'invalid_characters',
  'credentials_in_url',
  'unsupported_scheme',
  'invalid_host',
  'invalid_url',
  'host_not_allowed',
  'address_not_allowed',
];

/** Private answers a hostile DNS may give, one IPv4 and one IPv6 per run. */
const PRIVATE_V4 = ['127.0.0.1', '10.1.2.3', '169.254.169.254', '192.168.0.1', '100.64.0.1'];
const PRIVATE_V6 = ['::1', 'fd00:ec2::254', 'fe80::1', '::ffff:127.0.0.1', '64:ff9b::a00:1'];

/** Spellings of loopback, private and metadata addresses, and names around them. */
const HOSTS = [
  '127.0.0.1',
  '2130706433',
  '017700000001',
  '0x7f000001',
  '0x7f.0.0.1',
  '0177.0.0.1',
  '0177.0x0.0.01',
  '127.1',
  '127.0.1',
  '0',
  '0.0.0.0',
  '10.0.0.1',
  '012.0.0.1',
  '169.254.169.254',
  '0xa9fea9fe',
  '2852039166',
  '0251.0376.0251.0376',
  '192.168.1.1',
  '[::1]',
  '[::]',
  '[0:0:0:0:0:0:0:1]',
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  '[0:0:0:0:0:ffff:127.0.0.1]',
  '[::127.0.0.1]',
  '[64:ff9b::127.0.0.1]',
  '[2002:7f00:1::]',
  '[2001:0:4136:e378:8000:63bf:80ff:fffe]',
  '[fe80::1]',
  '[fd00:ec2::254]',
  '[::ffff:a9fe:a9fe]',
  'localhost',
  'LOCALHOST.',
  '127。0。0。1',
  '127．0．0．1',
  '①②⑦.⓪.⓪.①',
  '127.0.0.1.',
  '127.0.0.1..',
  '127%2e0%2e0%2e1',
  '%31%32%37.0.0.1',
  '127.0.0.1.nip.io',
  '127.0.0.1.nonemployee.com',
  '7f000001.nonemployee.com',
  'acme.nonemployee.com',
  'acme.nonemployee.com.',
  'acme。nonemployee。com',
  'ａｃｍｅ.nonemployee.com',
  'аcme.nonemployee.com',
  'xn--cme-8cd.nonemployee.com',
  'acme.nonemployee.com@127.0.0.1',
  'acme.nonemployee.com:x@127.0.0.1',
  'acme.nonemployee.com%40127.0.0.1',
  '127.0.0.1#@acme.nonemployee.com',
  '127.0.0.1?@acme.nonemployee.com',
  '127.0.0.1\\@acme.nonemployee.com',
  'acme.nonemployee.com\\@127.0.0.1',
  'acme.nonemployee.com%2f@127.0.0.1',
  '127.0.0.1%00.nonemployee.com',
  'acme.nonemployee.com.127.0.0.1',
  'acme',
  'metadata.google.internal',
];
const SCHEMES = ['', 'https://', 'http://', 'HTTPS://', '//', 'https:/', 'https:\\\\', 'https:///'];
const PATHS = ['', '/', '/api', '/api/profiles', '?x=1', '#frag', '/..;/', '/%2e%2e/'];
/** Hostile pieces a mutation inserts. */
const PIECES = [
  '.',
  '。',
  '%2e',
  '@',
  '\\',
  ':',
  '[',
  ']',
  '0',
  'x',
  '%',
  '#',
  '?',
  '/',
  ':443',
  '%00',
];

let server: LocalServer;
let hits = 0;
beforeAll(async () => {
  server = await serveLocally((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
afterAll(() => server.close());

/** The corpus: host × scheme × port × path, ports including the loopback server's own. */
function corpus() {
  const port = new URL(server.origin).port;
  const ports = ['', ':443', ':80', ':0', ':65535', ':0443', `:${port}`];
  return fc
    .tuple(
      fc.constantFrom(...SCHEMES),
      fc.constantFrom(...HOSTS),
      fc.constantFrom(...ports),
      fc.constantFrom(...PATHS),
    )
    .map(([scheme, host, p, path]) => `${scheme}${host}${p}${path}`);
}

/** A corpus entry with random insertions, deletions and case changes. */
function mutated() {
  const edit = fc.oneof(
    fc.tuple(fc.constant('insert' as const), fc.nat(), fc.constantFrom(...PIECES)),
    fc.tuple(fc.constant('delete' as const), fc.nat(), fc.constant('')),
    fc.tuple(fc.constant('upper' as const), fc.nat(), fc.constant('')),
  );
  return fc.tuple(corpus(), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([input, edits]) =>
    edits.reduce((s, [op, at, piece]) => {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      if (op === 'insert') return `${s.slice(0, i)}${piece}${s.slice(i)}`;
      if (op === 'delete') return `${s.slice(0, i)}${s.slice(i + 1)}`;
      return `${s.slice(0, i)}${s.slice(i).toUpperCase()}`;
    }, input),
  );
}

describe('the tenant URL guard against a bypass corpus', () => {
  let answer: LookupAddress[] = [];
  const resolved: string[] = [];
  const allowList = HostAllowList.parse(
    '*.nonemployee.com,*.mynonemployee.com,*.seczetta.com,*.api.identitynow.com,*.example.com,example.net',
  );
  const outbound = new Outbound({
    allowList,
    resolve: async (name) => {
      resolved.push(name);
      return answer;
    },
    connectTimeoutMs: 1_000,
    requestTimeoutMs: 2_000,
  });
  afterAll(() => outbound.close());

  /** What the connect flow does with a typed tenant URL: a refusal's name, or 'called'. */
  async function attempt(input: string): Promise<string> {
    const tenant = normalizeTenantUrl(input);
    if (!tenant.ok) return tenant.problem;
    try {
      await outbound.request({
        url: new URL('/api/profiles?limit=1', tenant.origin),
        method: 'GET',
        headers: {},
      });
      return 'called';
    } catch (error) {
      return error instanceof OutboundError ? error.kind : `thrown: ${String(error)}`;
    }
  }

  const privateAnswers = fc
    .tuple(fc.constantFrom(...PRIVATE_V4), fc.constantFrom(...PRIVATE_V6))
    .map(([v4, v6]): LookupAddress[] => [
      { address: v4, family: 4 },
      { address: v6, family: 6 },
    ]);

  for (const [name, inputs, runs] of [
    ['the corpus', corpus, 300],
    ['random mutations of it', mutated, 300],
  ] as const) {
    it(`never calls a private or loopback address: ${name}`, async () => {
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(inputs(), privateAnswers, async (input, addresses) => {
          answer = addresses;
          const outcome = await attempt(input);
          seen.add(outcome);
          expect(REFUSALS, `${JSON.stringify(input)} → ${outcome}`).toContain(outcome);
        }),
        fuzz(runs),
      );
      expect(hits).toBe(0);
      // Inputs reached each step: refused by the normaliser, the allow-list and DNS.
      expect([...seen]).toEqual(
        expect.arrayContaining(['invalid_host', 'host_not_allowed', 'address_not_allowed']),
      );
    });
  }

  it('is not vacuous: a listed name gets as far as DNS and is refused for its answer', async () => {
    resolved.length = 0;
    answer = [{ address: '127.0.0.1', family: 4 }];
    expect(await attempt('acme')).toBe('address_not_allowed');
    expect(await attempt('https://acme.nonemployee.com./api')).toBe('address_not_allowed');
    expect(resolved).toEqual(['acme.nonemployee.com', 'acme.nonemployee.com']);
    // The same steps call a loopback server that an exact origin admits.
    const exact = new Outbound({ allowList: HostAllowList.parse(server.origin) });
    const tenant = normalizeTenantUrl(`${server.origin}/api`);
    expect(tenant.ok && tenant.origin).toBe(server.origin);
    const res = await exact.request({ url: new URL(server.origin), method: 'GET', headers: {} });
    expect(res.status).toBe(200);
    expect(hits).toBe(1);
    hits = 0;
    await exact.close();
  });
});
