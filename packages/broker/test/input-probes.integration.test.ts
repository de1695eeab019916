import { ENDPOINTS, fillPath, PATHS } from '@nerm-connect/shared';
import { startSandbox, type Sandbox } from '@nerm-connect/nerm-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack, bothStores } from './helpers.ts';

// Issue 8, finding 5 (docs/security.md, "Findings and fixes"): NUL in a string answered
// 500 on PostgreSQL (its text type cannot hold it). Every string the broker takes refuses
// NUL and the other C0 controls with 400 invalid_request, on both engines, before
// anything reaches the store or a tenant.

const STORES = bothStores('probes');

/** NUL, a C0 control in the middle, DEL, and an escape with a line break. */
const CONTROLS = ['\u0000', 'a\u0001b', 'tenant\u007f', 'x\u001b[2J', 'a\nb'];

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(STORES)('hostile input on $name', ({ databaseUrl }) => {
  let sandbox: Sandbox;
  let stack: Stack;
  let accountId: string;
  let token: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ persons: 20 });
    stack = await startStack({ sandbox, ...(databaseUrl ? { databaseUrl } : {}) });
    ({ accountId, token } = await stack.connectAccount('api_key', 'tenant-probes'));
  });
  afterAll(async () => {
    await stack.close();
    await sandbox.close();
  });

  /** `status code` of an answer, so a failure names what came back. */
  const outcome = (res: { status: number; body: any }) =>
    `${res.status} ${res.body?.error?.code ?? ''}`.trim();

  it('refuses control characters in JSON bodies (API key endpoints)', async () => {
    for (const bad of CONTROLS) {
      const bodies: [string, string, unknown][] = [
        ['POST', PATHS.linkTokens, { tenant_id: bad }],
        ['POST', PATHS.linkTokens, { tenant_id: 't', integrated_account_id: bad }],
        ['PATCH', fillPath(PATHS.account, { id: accountId }), { field_mapping: { title: bad } }],
        [
          'PATCH',
          fillPath(PATHS.account, { id: accountId }),
          { field_mapping: { by_profile_type: { [bad]: { title: 'x' } } } },
        ],
        [
          'PATCH',
          fillPath(PATHS.account, { id: accountId }),
          { field_mapping: { by_profile_type: { contractor: { email: bad } } } },
        ],
        ['POST', PATHS.tokenExchange, { public_token: bad }],
      ];
      for (const [method, path, json] of bodies) {
        const res = await stack.admin(path, { method, json });
        expect(outcome(res), `${method} ${path} ${JSON.stringify(json)}`).toBe(
          '400 invalid_request',
        );
      }
    }
    // Nothing was half-written: the mapping is as it was.
    expect(
      (await stack.admin(fillPath(PATHS.account, { id: accountId }))).body.field_mapping,
    ).toEqual({});
  });

  it('refuses control characters in query strings', async () => {
    for (const bad of CONTROLS) {
      const q = encodeURIComponent(bad);
      for (const path of [
        `${PATHS.accounts}?tenant_id=${q}`,
        `${PATHS.events}?integrated_account_id=${q}`,
      ]) {
        expect(outcome(await stack.admin(path)), path).toBe('400 invalid_request');
      }
      for (const path of [`${PATHS.users}?user_type=${q}`, `${PATHS.users}?next_cursor=${q}`]) {
        expect(outcome(await stack.call(path, { token })), path).toBe('400 invalid_request');
      }
    }
  });

  it('refuses control characters in every :id of the endpoint table; a well-formed unknown account id is 404', async () => {
    const withParams = Object.values(ENDPOINTS).filter((e) => 'params' in e);
    expect(withParams.length).toBeGreaterThan(8);
    for (const endpoint of withParams) {
      const name = endpoint.path.includes(':hook_id') ? 'hook_id' : 'id';
      const path = endpoint.path.replace(`:${name}`, encodeURIComponent('a\u0000b'));
      const init = {
        method: endpoint.method,
        ...(endpoint.method === 'PATCH' || endpoint.method === 'POST' ? { json: {} } : {}),
      };
      const res =
        endpoint.auth === 'accountToken'
          ? await stack.call(path, { ...init, token })
          : await stack.admin(path, init);
      expect(outcome(res), `${endpoint.method} ${endpoint.path}`).toBe('400 invalid_request');
    }
    for (const id of ['nope', "1' OR '1'='1", 'x'.repeat(200)]) {
      const path = fillPath(PATHS.account, { id });
      expect(outcome(await stack.admin(path)), id).toBe('404 not_found');
      expect(outcome(await stack.admin(`${path}/tokens`, { method: 'POST' })), id).toBe(
        '404 not_found',
      );
    }
  });

  it('refuses an admin cursor it did not issue, or one altered, as invalid_cursor', async () => {
    for (let i = 0; i < 2; i++) await stack.connectAccount('api_key', 'tenant-probes');
    const first = await stack.admin(`${PATHS.accounts}?tenant_id=tenant-probes&limit=1`);
    expect(first.status).toBe(200);
    const cursor = first.body.next_cursor as string;
    expect(
      (await stack.admin(`${PATHS.accounts}?tenant_id=tenant-probes&limit=1&next_cursor=${cursor}`))
        .status,
    ).toBe(200);
    for (const forged of [
      b64({ after: '\u0000' }),
      b64({ after: '' }),
      b64({ after: accountId }),
      `${cursor.slice(0, -2)}AA`,
      `${b64({ after: '0' })}.${cursor.split('.')[1] ?? ''}`,
    ]) {
      const res = await stack.admin(
        `${PATHS.accounts}?tenant_id=tenant-probes&limit=1&next_cursor=${encodeURIComponent(forged)}`,
      );
      expect(outcome(res), forged).toBe('400 invalid_cursor');
    }
    // A cursor belongs to the filter it was issued for.
    const other = await stack.admin(
      `${PATHS.accounts}?tenant_id=another-tenant&limit=1&next_cursor=${cursor}`,
    );
    expect(outcome(other)).toBe('400 invalid_cursor');
  });

  it('refuses control characters in widget bodies (link token)', async () => {
    for (const bad of CONTROLS) {
      const res = await stack.connect(await stack.linkToken('tenant-probes'), {
        tenant_url: `${sandbox.url}${bad}`,
        auth: { type: 'api_key', api_key: sandbox.credentials.apiKey },
      });
      expect([400], JSON.stringify(bad)).toContain(res.status);
      expect(['invalid_request', 'tenant_url_invalid']).toContain(res.body.error.code);
    }
  });

  it('refuses control characters in unified write bodies; attribute values may hold lines', async () => {
    const profile = sandbox.data.profiles.find(
      (p) => p.status === 'Active' && p.attributes.job_title && p.attributes.first_name,
    )!;
    const path = fillPath(PATHS.user, { id: profile.id });
    for (const bad of CONTROLS) {
      const bodies = [{ title: bad }, { first_name: bad }, { attributes: { [bad]: 'x' } }];
      if (bad !== 'a\nb') bodies.push({ attributes: { job_title: bad } });
      for (const json of bodies) {
        const res = await stack.call(path, { method: 'PATCH', token, json });
        expect(outcome(res), JSON.stringify(json)).toBe('400 invalid_request');
      }
    }
    const multiline = await stack.call(path, {
      method: 'PATCH',
      token,
      json: { attributes: { job_title: 'Line one\nline two' } },
    });
    expect(multiline.status, multiline.text).toBe(200);
    expect(sandbox.data.profiles.find((p) => p.id === profile.id)!.attributes.job_title).toBe(
      'Line one\nline two',
    );
  });

  it('keeps answering: the store and the account are fine after the probes', async () => {
    expect((await stack.admin(fillPath(PATHS.account, { id: accountId }))).status).toBe(200);
    expect((await stack.call(`${PATHS.roles}?limit=1`, { token })).status).toBe(200);
    expect(stack.logs.text).not.toContain('"level":50');
  });
});
