import { ENDPOINTS, PATHS, PROXY, StartWorkflowInput, type Endpoint } from '@nerm-connect/shared';
import fc from 'fast-check';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NermProfile } from '../src/nerm/schemas.ts';
import { fuzz } from './fuzz.ts';
import { bothStores, startStack, type Stack } from './helpers.ts';

// Issue 13, item 5: hostile bodies (random JSON, near-valid bodies with hostile values,
// prototype keys, deep nesting, non-JSON, wrong content types) on every endpoint of the
// endpoint table and the proxy, on both stores. No answer is a broker fault (5xx; only
// connect may say 502 tenant_unreachable, for a tenant URL it cannot reach), and no answer
// carries a secret: the stored NERM credentials (planted by connecting with them), the
// broker's own keys, or a canary sent in a credential field (docs/security.md).

const CANARY = 'canary_5ecret_9f8e7d6c5b4a39281706';

/** Hostile text that a text field still accepts, so a body carrying it reaches the handler. */
const ACCEPTED_TEXT = [
  'a\u202eb',
  '../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '%00',
  '2024-02-30',
  'NaN',
  '__proto__',
];
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', '\u0000', '\ud800', 'x'.repeat(5000), ...ACCEPTED_TEXT),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
);

/**
 * Every property name, at any depth, of these body schemas (read as JSON Schema), so a
 * field added to a body is fuzzed without an edit here.
 */
function propertyNames(schemas: readonly z.ZodType[]): string[] {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [keyword, value] of Object.entries(node)) {
      if (keyword === 'properties')
        for (const name of Object.keys(value as object)) names.add(name);
      visit(value);
    }
  };
  for (const schema of schemas)
    visit(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
  return [...names].sort();
}

/** What the proxy's bodies know: the SDK's workflow start and NERM's profile. */
const PROXY_BODIES = [StartWorkflowInput, NermProfile];
const PROXY_FIELDS = propertyNames(PROXY_BODIES);
/** The names every body that reaches the broker knows: the table's bodies and the proxy's. */
const FIELDS = propertyNames([
  ...Object.values(ENDPOINTS as Record<string, Endpoint>).flatMap((e) => e.body ?? []),
  ...PROXY_BODIES,
]);

/** Printable ASCII: a credential the broker accepts as text, so it reaches the tenant. */
const printable = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
});

function credentialBody(sandboxUrl: string) {
  const auth = fc.oneof(
    fc.record({ type: fc.constant('api_key'), api_key: printable.map((s) => `${CANARY}${s}`) }),
    fc.record({
      type: fc.constantFrom('pat', 'PAT', 'oauth'),
      client_id: fc.oneof(hostileValue, printable),
      client_secret: fc.oneof(hostileString, printable).map((s) => `${s}${CANARY}`),
      token_url: fc.oneof(hostileString, fc.constant(`${sandboxUrl}/oauth/token`)),
    }),
  );
  return fc.record(
    {
      tenant_url: fc.oneof({ weight: 3, arbitrary: fc.constant(sandboxUrl) }, hostileString),
      auth,
      extra: hostileValue,
    },
    { requiredKeys: ['tenant_url', 'auth'], noNullPrototype: true },
  );
}

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Valid bodies of the table's writes, by path: near-valid ones change one field. */
function validBodies(sandboxUrl: string, accountPath: string): Record<string, object> {
  return {
    [PATHS.linkTokens]: { tenant_id: 'tenant-hostile' },
    [PATHS.linkConnect]: { tenant_url: sandboxUrl, auth: { type: 'api_key', api_key: CANARY } },
    [PATHS.tokenExchange]: { public_token: CANARY },
    [PATHS.users]: { first_name: 'Ada', last_name: 'Lovelace', user_type: 'Contractor' },
    [accountPath]: { field_mapping: { title: 'job_title' } },
  };
}

interface Body {
  type: string;
  text: string;
}

const json = (value: unknown): Body => ({
  type: 'application/json',
  text: JSON.stringify(value) ?? 'null',
});

/**
 * A body: JSON text with its content type, or raw bytes under a stated type. Near-valid
 * bodies change one field, mostly one of the target's own.
 */
function bodies(sandboxUrl: string, { valid, fields }: Target): fc.Arbitrary<Body> {
  const field = fields.length
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...fields) }, fc.constantFrom(...FIELDS))
    : fc.constantFrom(...FIELDS);
  const nearValid = fc
    .tuple(field, fc.oneof(hostileValue, printable))
    .map(([name, value]) => json({ ...valid, [name]: value }));
  return fc.oneof(
    { weight: 3, arbitrary: nearValid },
    { weight: 1, arbitrary: fc.constant(json(valid)) },
    {
      weight: 2,
      arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), hostileValue, { maxKeys: 5 }).map(json),
    },
    { weight: 2, arbitrary: credentialBody(sandboxUrl).map(json) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json) },
    fc.constantFrom(
      {
        type: 'application/json',
        text: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}',
      },
      { type: 'application/json', text: JSON.stringify(nested(500)) },
      { type: 'application/json', text: '{"tenant_id": "a", ' },
      { type: 'application/json', text: '' },
      { type: 'application/json', text: '\u0000\u0001' },
      { type: 'application/json', text: '[]' },
      { type: 'application/json', text: `"${'x'.repeat(300_000)}"` },
      { type: 'text/plain', text: 'tenant_id=a' },
      { type: 'application/x-www-form-urlencoded', text: 'tenant_id=a&auth[type]=api_key' },
      { type: 'application/json; charset=utf-16', text: '{"a":1}' },
      { type: 'multipart/form-data; boundary=x', text: '--x\r\n\r\n--x--' },
    ),
  );
}

interface Target {
  method: string;
  path: string;
  auth: Endpoint['auth'];
  /** A valid body for it ({} when the table gives it none). */
  valid: object;
  /** The property names its body schema knows. */
  fields: string[];
}

/**
 * Before the random runs, each name a target's body schema knows, once, set in its valid
 * body to hostile text a text field accepts: a top-level field added to a body schema
 * reaches its handler at least once (a nested name there is refused as unknown).
 */
function everyField(targets: Target[]): [{ target: Target; body: Body }][] {
  return targets.flatMap((target) =>
    target.fields.map((name, i): [{ target: Target; body: Body }] => [
      { target, body: json({ ...target.valid, [name]: ACCEPTED_TEXT[i % ACCEPTED_TEXT.length] }) },
    ]),
  );
}

describe.each(bothStores('hostile'))('hostile bodies on $name', ({ databaseUrl }) => {
  let stack: Stack;
  let secrets: string[];
  let targets: Target[];
  const credentials: Record<Endpoint['auth'], () => string | undefined> = {
    none: () => undefined,
    apiKey: () => stack.apiKey,
    linkToken: () => linkToken,
    accountToken: () => token,
  };
  let linkToken = '';
  let token = '';

  beforeAll(async () => {
    stack = await startStack({
      sandbox: { persons: 12 },
      ...(databaseUrl ? { databaseUrl } : {}),
      env: {
        NERM_BROKER_LINK_RATE_LIMIT_PER_IP: '1000000',
        NERM_BROKER_LINK_RATE_LIMIT_PER_TOKEN: '1000000',
        NERM_BROKER_SYNC_INTERVAL: '0',
      },
    });
    // The planted credentials: one account per auth mode holds them, sealed.
    const { accountId, token: accountToken } = await stack.connectAccount(
      'api_key',
      'tenant-hostile',
    );
    await stack.connectAccount('pat', 'tenant-hostile');
    const victim = await stack.connectAccount('api_key', 'tenant-hostile-victim');
    token = accountToken;
    linkToken = await stack.linkToken('tenant-hostile');
    const account = await stack.admin(`/integrated-accounts/${accountId}`);
    const hookId = String(account.body.sync_hook_url).split('/').pop() as string;
    const users = await stack.call(`${PATHS.users}?limit=1`, { token });
    const roles = await stack.call(`${PATHS.roles}?limit=1`, { token });
    const ids: Record<string, string> = {
      [PATHS.user]: users.body.result[0].id,
      [PATHS.role]: roles.body.result[0].id,
      [PATHS.nermHook]: hookId,
    };
    const { sandbox, env } = stack;
    secrets = [
      CANARY,
      sandbox.credentials.apiKey,
      sandbox.credentials.client.clientSecret,
      stack.apiKey,
      (env.NERM_BROKER_ENCRYPTION_KEYS as string).split(':')[1] as string,
      ...(JSON.parse(env.NERM_BROKER_SIGNING_KEYS as string) as JWK[]).map((k) => k.d as string),
    ];
    const accountPath = PATHS.account.replace(':id', accountId);
    const valid = validBodies(stack.sandbox.url, accountPath);
    targets = [
      ...Object.values(ENDPOINTS as Record<string, Endpoint>).map((e) => {
        // DELETE disconnects: it gets an account of its own, so the others stay usable.
        const path = e.path.replace(/:(hook_)?id/, () =>
          e.method === 'DELETE' ? victim.accountId : (ids[e.path] ?? accountId),
        );
        const body =
          e.method === 'PATCH' && e.path === PATHS.user ? { title: 'Engineer' } : undefined;
        return {
          method: e.method,
          path,
          auth: e.auth,
          valid: body ?? (e.body ? (valid[path] ?? {}) : {}),
          fields: propertyNames(e.body ? [e.body] : []),
        };
      }),
      ...PROXY.methods.map((method) => ({
        method,
        path: `${PATHS.proxy}/profiles`,
        auth: PROXY.auth,
        valid: {},
        fields: PROXY_FIELDS,
      })),
    ];
    expect(targets.length).toBeGreaterThan(25);
  });
  afterAll(async () => stack?.close());

  /** Where each path's answers went: status codes seen. */
  const hit = new Map<string, Set<number>>();

  /** Sends one hostile request and checks its answer: no broker fault, no secret. */
  async function send(target: Target, body: Body): Promise<void> {
    const bearer = credentials[target.auth]();
    const res = await fetch(`${stack.url}${target.path}`, {
      method: target.method,
      headers: {
        'content-type': body.type,
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(target.auth === 'linkToken' ? { origin: 'http://widget.test' } : {}),
      },
      ...(target.method === 'GET' ? {} : { body: body.text }),
    });
    const text = await res.text();
    const answer = `${res.status} ${JSON.stringify([...res.headers])}\n${text}`;
    const where = `${target.method} ${target.path} ${body.type} ${body.text.slice(0, 200)} → ${answer.slice(0, 300)}`;
    const code =
      res.status >= 500
        ? (JSON.parse(text) as { error?: { code?: string } }).error?.code
        : undefined;
    // Connect may say the tenant URL it was given cannot be reached (the contract's 502).
    const unreachable = target.path === PATHS.linkConnect && code === 'tenant_unreachable';
    expect(res.status < 500 || unreachable, where).toBe(true);
    for (const secret of secrets) expect(answer.includes(secret), where).toBe(false);
    hit.set(target.path, (hit.get(target.path) ?? new Set()).add(res.status));
  }

  it('answers every endpoint without a 5xx and without a secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...targets)
          .chain((target) => bodies(stack.sandbox.url, target).map((body) => ({ target, body }))),
        async ({ target, body }) => send(target, body),
      ),
      { ...fuzz(300), examples: everyField(targets) },
    );
    // Every target was reached, and some bodies got past validation to the handlers.
    expect([...hit.keys()].length).toBe(new Set(targets.map((t) => t.path)).size);
    const statuses = [...hit.values()].flatMap((s) => [...s]);
    expect(statuses).toContain(400);
    expect(statuses.some((s) => s >= 200 && s < 300)).toBe(true);
  });

  it('answers hostile query strings on every GET without a 5xx and without a secret', async () => {
    const names = [
      'limit',
      'next_cursor',
      'prev_cursor',
      'status',
      'user_type',
      'updated_after',
      'include_remote_data',
      'format',
      'tenant_id',
      'integrated_account_id',
      'offset',
      'after_id',
      'type',
      'since',
      'mode',
    ];
    const gets = targets.filter((t) => t.method === 'GET');
    const query = fc.dictionary(
      fc.oneof(fc.constantFrom(...names), hostileString),
      fc.oneof(hostileString, fc.integer().map(String), fc.constantFrom('-1', '1e9', 'true', '[]')),
      { maxKeys: 4 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...gets), query, async (target, params) => {
        const search = new URLSearchParams(params).toString();
        await send(
          { ...target, path: `${target.path}?${search}` },
          { type: 'application/json', text: '' },
        );
      }),
      fuzz(150),
    );
  });

  it('never echoes a credential sent to connect, also when the tenant refuses it', async () => {
    const connect = targets.find((t) => t.path === PATHS.linkConnect) as Target;
    await fc.assert(
      fc.asyncProperty(credentialBody(stack.sandbox.url), async (body) =>
        send(connect, { type: 'application/json', text: JSON.stringify(body) }),
      ),
      fuzz(100),
    );
    // Some got past validation: the canary reached the tenant as a credential.
    expect([...(hit.get(PATHS.linkConnect) ?? [])]).toContain(422);
  });
});
